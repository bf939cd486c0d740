/**
 * Benchmarks of Ferry against js-libp2p, run by {@code bench/run}; never part of the test pass.
 * {@link dev.ferry.bench.OverlayBenchmark} measures perf throughput and handshake rate;
 * {@link dev.ferry.bench.DhtBenchmark} ({@code bench/run dht}) DHT lookup hops, latency and recall;
 * {@link dev.ferry.bench.PubSubBenchmark} ({@code bench/run pubsub}) GossipSub propagation latency
 * and copies per delivery.
 */
package dev.ferry.bench;
