/**
 * Ferry's persistence and erasure coding, neither of which needs the network: the Reed-Solomon
 * codec that splits an envelope into shards any k of which rebuild it, and the stores (an
 * in-memory and a RocksDB implementation of each interface) that keep shards, tombstones,
 * sessions, prekeys, contacts, groups, inbox and outbox.
 */
package dev.ferry.store;
