/**
 * Kademlia peer and content routing per the libp2p kad-dht spec: the key space
 * ({@link dev.ferry.dht.KadKey}), the routing table, the iterative lookup, records and providers.
 */
package dev.ferry.dht;
