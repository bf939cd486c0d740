package dev.ferry.monitoring;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.DoubleSupplier;

/**
 * One node's metrics: a Prometheus registry that every layer registers its metrics in, and its
 * exposition in the Prometheus text format. Each node has its own registry, so several nodes in
 * one JVM (tests, the demo) never clash; JVM metrics are added only to the registry a process
 * exports.
 */
public final class Metrics {
    /** Every Ferry metric name starts with this. */
    public static final String PREFIX = "ferry_";

    private final PrometheusRegistry registry;

    private Metrics(PrometheusRegistry registry) {
        this.registry = registry;
    }

    /** A registry with only what the node's layers register. */
    public static Metrics create() {
        return new Metrics(new PrometheusRegistry());
    }

    /** A registry that also carries the JVM's metrics (memory, GC, threads, ...). */
    public static Metrics withJvmMetrics() {
        Metrics m = create();
        JvmMetrics.builder().register(m.registry);
        return m;
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    /** Registers an unlabelled counter and returns its one data point. */
    public CounterDataPoint counter(String name, String help) {
        return Counter.builder().name(name).help(help).register(registry).labelValues();
    }

    /** Registers an unlabelled gauge whose value is read from {@code value} at each scrape. */
    public void gauge(String name, String help, DoubleSupplier value) {
        GaugeWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsDouble())).register(registry);
    }

    /** Writes every metric in the Prometheus text format (version 0.0.4). */
    public void writeText(OutputStream out) throws IOException {
        PrometheusTextFormatWriter.create().write(out, registry.scrape(), null);
    }

    /** The Prometheus text format as a string. */
    public String scrapeText() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeText(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The content type of {@link #writeText}. */
    public static String textContentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
