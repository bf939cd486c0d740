/**
 * Reed-Solomon erasure coding over GF(2^8) (polynomial 0x11d): an envelope is split into k data
 * shards and m parity shards, any k of which rebuild it. Systematic (the data shards are the
 * data itself), each shard named by its SHA-256 so that a rebuilder can tell a damaged or forged
 * shard from a good one.
 *
 * <p>{@link dev.ferry.store.erasure.ReedSolomonCodec} is the entry point; it does no I/O and
 * holds no mutable state, so one instance serves every thread. The coding matrix is part of the
 * stored format: holders keep parity shards for days, so changing the matrix for a given
 * (k, m) makes their shards useless.
 */
package dev.ferry.store.erasure;
