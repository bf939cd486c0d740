package dev.ferry.overlay.host;

import static dev.ferry.overlay.host.TestNetwork.RANDOM;
import static dev.ferry.overlay.host.TestNetwork.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.monitoring.Metrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The overlay's gauges of what is connected, as a scrape shows them. */
class OverlayMetricsTest {
    private final TestNetwork network = new TestNetwork();

    @AfterEach
    void closeTheNetwork() {
        network.close();
    }

    @Test
    void shouldCountAPeerWithTwoConnectionsOnceAmongThePeersButTwiceAmongTheConnections() {
        Metrics metrics = Metrics.create();
        OverlayNode node = network.node(b -> b.metrics(metrics));
        IdentityKeyPair twice = IdentityKeyPair.generate(RANDOM);

        network.secured(node, twice);
        network.secured(node, twice);
        RawPeer once = network.secured(node, IdentityKeyPair.generate(RANDOM));

        eventually().until(() -> node.host().connections().size() == 3);
        assertThat(metrics.scrapeText()).contains("ferry_overlay_connections 3.0").contains("ferry_overlay_peers 2.0");

        once.close();

        eventually().until(() -> metrics.scrapeText().contains("ferry_overlay_peers 1.0"));
        assertThat(metrics.scrapeText()).contains("ferry_overlay_connections 2.0");
    }
}
