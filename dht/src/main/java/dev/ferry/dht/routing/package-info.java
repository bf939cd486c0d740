/**
 * The Kademlia routing table: 256 k-buckets keyed by the SHA-256 of each PeerId, a replacement
 * cache per bucket, liveness checks before eviction, and the pure parts of bucket refresh. No I/O
 * and no clock: the DHT service owns the table on its one thread and passes {@code now} in.
 */
package dev.ferry.dht.routing;
