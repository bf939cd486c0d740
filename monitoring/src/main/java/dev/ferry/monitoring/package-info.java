/** Metrics: the per-node Prometheus registry and its text exposition. */
package dev.ferry.monitoring;
