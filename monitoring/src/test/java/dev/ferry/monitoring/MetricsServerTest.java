package dev.ferry.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class MetricsServerTest {
    private static HttpResponse<String> get(MetricsServer server, String path) throws Exception {
        URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeTheNodesMetricsAndJvmMetricsInTheTextFormat() throws Exception {
        Metrics metrics = Metrics.withJvmMetrics();
        metrics.counter("ferry_test_scrapes_total", "Counted by the test.").inc(2);

        try (MetricsServer server = MetricsServer.start(metrics, "127.0.0.1", 0)) {
            HttpResponse<String> response = get(server, "/metrics");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(response.body()).contains("ferry_test_scrapes_total 2.0").contains("jvm_memory_used_bytes");
            assertThat(get(server, "/-/healthy").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void shouldNameTheAddressItCannotBind() {
        try (MetricsServer first = MetricsServer.start(Metrics.create(), "127.0.0.1", 0)) {
            int taken = first.address().getPort();
            assertThatThrownBy(() -> MetricsServer.start(Metrics.create(), "127.0.0.1", taken))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageStartingWith("cannot serve metrics on 127.0.0.1:" + taken);
        }
    }
}
