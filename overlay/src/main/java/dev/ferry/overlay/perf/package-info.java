/** libp2p perf: throughput measurement between two nodes. */
package dev.ferry.overlay.perf;
