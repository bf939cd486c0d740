/**
 * The iterative Kademlia lookup as a pure state machine: told which peers answered, failed or
 * named closer peers, given {@code now}, it says whom to ask next and when it is done. The DHT
 * service does the I/O around it.
 */
package dev.ferry.dht.lookup;
