/**
 * Benchmarks of Ferry against js-libp2p, run by {@code bench/run}; never part of the test pass.
 * {@link dev.ferry.bench.OverlayBenchmark} measures perf throughput and handshake rate;
 * {@link dev.ferry.bench.DhtBenchmark} ({@code bench/run dht}) DHT lookup hops, latency and recall;
 * {@link dev.ferry.bench.PubSubBenchmark} ({@code bench/run pubsub}) GossipSub propagation latency
 * and copies per delivery; {@link dev.ferry.bench.MessengerBenchmark} ({@code bench/run messenger})
 * delivery through whole Ferry nodes. {@link dev.ferry.bench.BenchmarkReport} ({@code bench/run
 * report}) runs them all with the JMH micro benchmarks and writes docs/BENCHMARKS.md and its charts.
 * {@link dev.ferry.bench.SoakBenchmark} ({@code bench/run soak}) runs {@code ferry node} processes
 * with steady traffic and random restarts, checking delivery, heap and FDs;
 * {@link dev.ferry.bench.RelayLoadBenchmark} ({@code bench/run relay-load}) puts one relay process
 * under honest and abusive load (docs/SOAK.md).
 */
package dev.ferry.bench;
