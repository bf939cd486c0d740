/**
 * Benchmarks of Ferry against js-libp2p, run by {@code bench/run}; never part of the test pass.
 * {@link dev.ferry.bench.OverlayBenchmark} measures perf throughput and handshake rate.
 */
package dev.ferry.bench;
