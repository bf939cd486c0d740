package dev.ferry.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.core.metrics.Counter;
import org.junit.jupiter.api.Test;

class MetricsTest {
    @Test
    void shouldExposeRegisteredCountersInTheTextFormat() {
        Metrics metrics = Metrics.create();
        Counter c = Counter.builder().name("ferry_test_events_total").help("Events seen by the test.")
                .labelNames("kind").register(metrics.registry());
        c.labelValues("a").inc(3);

        String text = metrics.scrapeText();

        assertThat(text).contains("# TYPE ferry_test_events_total counter")
                .contains("ferry_test_events_total{kind=\"a\"} 3.0");
    }

    @Test
    void shouldKeepNodesApartSoTwoRegistriesMayUseTheSameNames() {
        Metrics one = Metrics.create();
        Metrics two = Metrics.create();
        Counter.builder().name("ferry_same_total").help("x").register(one.registry()).inc();
        Counter.builder().name("ferry_same_total").help("x").register(two.registry());

        assertThat(one.scrapeText()).contains("ferry_same_total 1.0");
        assertThat(two.scrapeText()).contains("ferry_same_total 0.0");
    }

    @Test
    void shouldAddJvmMetricsWhenAskedFor() {
        assertThat(Metrics.withJvmMetrics().scrapeText()).contains("jvm_memory_used_bytes");
        assertThat(Metrics.create().scrapeText()).doesNotContain("jvm_memory_used_bytes");
    }
}
