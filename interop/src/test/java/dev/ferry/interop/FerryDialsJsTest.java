package dev.ferry.interop;

import static dev.ferry.interop.FerryPeer.resultOf;
import static dev.ferry.interop.JsPeer.EXCHANGE_TIMEOUT;
import static dev.ferry.interop.JsPeer.START_TIMEOUT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.overlay.Connection;
import dev.ferry.overlay.PeerInfo;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ferry dials an unmodified js-libp2p node: Noise, Yamux, ping and identify in both directions. */
@Tag("interop")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FerryDialsJsTest {
    @AutoClose
    private final FerryPeer ferry = FerryPeer.start();
    @AutoClose
    private final JsPeer js = JsPeer.listen();

    @Test
    void ferryPingsJs() {
        Multiaddr jsAddress = js.awaitEvent("listening", START_TIMEOUT).address("addr");

        Connection connection = ferry.dial(jsAddress);
        List<Duration> rtts = resultOf(ferry.node().ping().ping(connection, 3), EXCHANGE_TIMEOUT);

        assertThat(connection.remotePeer()).isEqualTo(jsAddress.peerId().orElseThrow());
        assertThat(rtts).hasSize(3).allSatisfy(rtt -> assertThat(rtt).isPositive());
    }

    @Test
    void ferryIdentifiesJsAgentProtocolsAndListenAddress() {
        JsEvent listening = js.awaitEvent("listening", START_TIMEOUT);
        Multiaddr jsAddress = listening.address("addr");

        Connection connection = ferry.dial(jsAddress);
        PeerInfo info = resultOf(ferry.node().identify().identify(connection), EXCHANGE_TIMEOUT);

        assertThat(info.agentVersion()).startsWith(JsPeer.agentVersionPrefix());
        assertThat(info.protocols()).contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0", "/perf/1.0.0");
        assertThat(info.listenAddresses()).contains(jsAddress.withoutPeerId());
        assertThat(info.observedAddress()).hasValueSatisfying(
                observed -> assertThat(observed.tcpTarget().host()).isEqualTo("127.0.0.1"));
        assertThat(ferry.host().peerStore().info(listening.peer("peer"))).contains(info);
    }

    @Test
    void jsIdentifiesFerrysAgentAndListenAddressWhenFerryDials() {
        Multiaddr ferryAddress = ferry.listenOnLoopback();
        Multiaddr jsAddress = js.awaitEvent("listening", START_TIMEOUT).address("addr");

        ferry.dial(jsAddress);
        JsEvent identify = js.awaitEvent("identify", EXCHANGE_TIMEOUT);

        assertThat(identify.peer("peer")).isEqualTo(ferry.peerId());
        assertThat(identify.string("agentVersion")).isEqualTo(FerryPeer.AGENT_VERSION);
        assertThat(identify.string("protocolVersion")).isEqualTo("ferry/1.0.0");
        assertThat(identify.strings("protocols")).contains("/ipfs/id/1.0.0", "/ipfs/ping/1.0.0");
        assertThat(identify.addresses("listenAddrs")).contains(ferryAddress.withoutPeerId());
    }

    @Test
    void jsSeesTheConnectionEndWhenFerryClosesIt() {
        Connection connection = ferry.dial(js.awaitEvent("listening", START_TIMEOUT).address("addr"));
        js.awaitEvent("peer:connect", EXCHANGE_TIMEOUT);

        resultOf(connection.close(), EXCHANGE_TIMEOUT);

        assertThat(js.awaitEvent("peer:disconnect", EXCHANGE_TIMEOUT).peer("peer")).isEqualTo(ferry.peerId());
        assertThat(ferry.host().connections()).isEmpty();
    }
}
