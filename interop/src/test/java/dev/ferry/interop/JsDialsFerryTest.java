package dev.ferry.interop;

import static dev.ferry.interop.JsPeer.EXCHANGE_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.PeerInfo;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** An unmodified js-libp2p node dials Ferry: Noise, Yamux, ping and identify in both directions. */
@Tag("interop")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class JsDialsFerryTest {
    @AutoClose
    private final FerryPeer ferry = FerryPeer.start();

    @Test
    void jsPingsFerryOverNoiseAndYamux() {
        Multiaddr ferryAddress = ferry.listenOnLoopback();

        try (JsPeer js = JsPeer.dial(ferryAddress, "ping", "--count", "3")) {
            js.awaitSuccess("identify", EXCHANGE_TIMEOUT);

            JsEvent connected = js.events("connected").getFirst();
            assertThat(connected.peer("peer")).isEqualTo(ferry.peerId());
            assertThat(connected.string("encryption")).isEqualTo("/noise");
            assertThat(connected.string("multiplexer")).isEqualTo("/yamux/1.0.0");
            List<JsEvent> pings = js.events("ping");
            assertThat(pings).hasSize(3);
            assertThat(pings).allSatisfy(ping -> assertThat(ping.decimal("rtt_ms")).isPositive());
        }
    }

    @Test
    void jsIdentifiesFerrysAgentProtocolsAndListenAddress() {
        Multiaddr ferryAddress = ferry.listenOnLoopback();

        try (JsPeer js = JsPeer.dial(ferryAddress, "ping", "--count", "1")) {
            JsEvent identify = js.awaitSuccess("identify", EXCHANGE_TIMEOUT);

            assertThat(identify.peer("peer")).isEqualTo(ferry.peerId());
            assertThat(identify.string("agentVersion")).startsWith("ferry/").isEqualTo(FerryPeer.AGENT_VERSION);
            assertThat(identify.strings("protocols")).contains("/ipfs/ping/1.0.0", "/ipfs/id/1.0.0");
            assertThat(identify.addresses("listenAddrs")).contains(ferryAddress.withoutPeerId());
            assertThat(identify.address("observedAddr").tcpTarget().host()).isEqualTo("127.0.0.1");
        }
    }

    @Test
    void ferryLearnsJsAgentFromIdentifyWhenJsConnects() {
        Multiaddr ferryAddress = ferry.listenOnLoopback();
        String seed = JsPeer.randomSeed();
        PeerId jsPeer = JsPeer.peerIdOf(seed);

        try (JsPeer js = JsPeer.dial(ferryAddress, "ping", "--count", "3", "--seed", seed)) {
            js.awaitSuccess("identify", EXCHANGE_TIMEOUT);

            Optional<PeerInfo> info = await().atMost(EXCHANGE_TIMEOUT)
                    .until(() -> ferry.host().peerStore().info(jsPeer), Optional::isPresent);
            assertThat(info.orElseThrow().agentVersion()).startsWith(JsPeer.agentVersionPrefix());
            assertThat(info.orElseThrow().protocols()).contains("/ipfs/ping/1.0.0", "/ipfs/id/1.0.0");
        }
    }

    @Test
    void ferryDropsTheConnectionWhenJsHangsUp() {
        Multiaddr ferryAddress = ferry.listenOnLoopback();

        try (JsPeer js = JsPeer.dial(ferryAddress, "ping")) {
            js.awaitSuccess("identify", EXCHANGE_TIMEOUT);

            await().atMost(EXCHANGE_TIMEOUT).until(() -> ferry.host().connections().isEmpty());
        }
    }
}
