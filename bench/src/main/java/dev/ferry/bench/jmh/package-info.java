/**
 * JMH micro benchmarks of the message cryptography and the store (ratchet, X3DH, sender keys,
 * Reed-Solomon, RocksDB), run with {@code bench/run jmh [JMH options] [regex]}. Benchmark classes
 * must be public top-level classes.
 */
package dev.ferry.bench.jmh;
