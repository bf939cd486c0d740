package dev.ferry.interop;

import static dev.ferry.interop.FerryPeer.resultOf;
import static dev.ferry.interop.JsDhtNode.str;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DhtPeer;
import dev.ferry.dht.record.PublicKeyValidator;
import dev.ferry.dht.record.Validators;
import dev.ferry.dht.service.DhtConfig;
import dev.ferry.dht.service.DhtService;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A mixed kad-dht network on loopback, all on {@code /ipfs/kad/1.0.0}: three js-libp2p kad-dht
 * servers in a chain (js1 knows only js0, js2 only js1) and three Ferry DHT servers in a chain
 * hanging off js0 (ferry0 bootstraps from js0, ferry1 from ferry0, ferry2 from ferry1). Each side
 * finds the other's peers, reads the other's {@code /pk/} records and finds its providers
 * through the network.
 */
@Tag("interop")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DhtInteropTest {
    private static final String PROTOCOL = "/ipfs/kad/1.0.0";
    private static final Duration WAIT = JsDhtNode.COMMAND_TIMEOUT;
    private static final HexFormat HEX = HexFormat.of();

    private final List<JsDhtNode> js = new ArrayList<>();
    private final List<FerryPeer> ferry = new ArrayList<>();
    private final List<DhtService> dhts = new ArrayList<>();
    private final List<Multiaddr> ferryAddresses = new ArrayList<>();

    @BeforeAll
    void startNetwork() {
        js.add(JsDhtNode.start("js0", PROTOCOL, List.of()));
        js.add(JsDhtNode.start("js1", PROTOCOL, List.of(js.get(0).address())));
        js.add(JsDhtNode.start("js2", PROTOCOL, List.of(js.get(1).address())));
        for (int i = 1; i < js.size(); i++) {
            assertThat(js.get(i).bootstrapped()).as("js%d bootstrapped", i).singleElement()
                    .satisfies(e -> assertThat(e.fields().get("inRoutingTable")).isEqualTo(true));
        }
        for (int i = 0; i < 3; i++) {
            FerryPeer peer = FerryPeer.start();
            ferry.add(peer);
            ferryAddresses.add(peer.listenOnLoopback());
            DhtService dht = DhtService.create(peer.host(), DhtConfig.defaults().withProtocolId(PROTOCOL),
                    Validators.standard(), Clock.systemUTC());
            dhts.add(dht);
            Multiaddr seed = i == 0 ? js.get(0).address() : ferryAddresses.get(i - 1);
            resultOf(dht.bootstrap(List.of(seed)), WAIT);
        }
    }

    @AfterAll
    void stopNetwork() {
        for (DhtService dht : dhts) {
            try {
                dht.close().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // stopping anyway
            }
        }
        for (FerryPeer peer : ferry) peer.close();
        for (JsDhtNode node : js) node.close();
    }

    // ------------------------------------------------------------------ peer routing

    @Test
    void ferryFindsAJsPeerItWasNeverToldAbout() {
        JsDhtNode wanted = js.get(2); // known to the others only through js1
        List<Multiaddr> found = resultOf(dhts.get(2).findPeer(wanted.peerId()), WAIT);
        assertThat(found).contains(wanted.address().withoutPeerId());
    }

    @Test
    void jsFindsAFerryPeerItWasNeverToldAbout() {
        JsEvent found = js.get(2).call("findPeer", str("peer", ferry.get(2).peerId()));
        assertThat(found.peer("peer")).isEqualTo(ferry.get(2).peerId());
        assertThat(found.addresses("addrs")).contains(ferryAddresses.get(2).withoutPeerId());
    }

    // ------------------------------------------------------------------ providers

    @Test
    void jsFindsAProviderAnnouncedByFerry() {
        byte[] multihash = sha256Multihash("announced by ferry1");
        int sentTo = resultOf(dhts.get(1).provide(multihash), WAIT);
        assertThat(sentTo).isPositive();

        PeerId provider = ferry.get(1).peerId();
        JsEvent found = js.get(2).call("findProviders", str("multihash", HEX.formatHex(multihash)) + "," + str("peer", provider));
        List<Map<String, Object>> providers = providers(found);
        assertThat(providers).extracting(p -> p.get("peer")).contains(provider.toString());
        assertThat(providers.stream().filter(p -> p.get("peer").equals(provider.toString())).findFirst().orElseThrow().get("addrs"))
                .asList().contains(ferryAddresses.get(1).withoutPeerId().toString());
    }

    @Test
    void ferryFindsAProviderAnnouncedByJs() {
        byte[] multihash = sha256Multihash("announced by js1");
        JsEvent provided = js.get(1).call("provide", str("multihash", HEX.formatHex(multihash)));
        assertThat(provided.number("responses")).isPositive();

        List<DhtPeer> found = resultOf(dhts.get(2).findProviders(multihash, 5), WAIT);
        assertThat(found).extracting(DhtPeer::id).contains(js.get(1).peerId());
        DhtPeer announced = found.stream().filter(p -> p.id().equals(js.get(1).peerId())).findFirst().orElseThrow();
        // js announces its addresses with a trailing /p2p/<its id>; findProviders gives them without
        assertThat(announced.addresses()).contains(js.get(1).address().withoutPeerId())
                .allMatch(a -> a.peerId().isEmpty());
    }

    // ------------------------------------------------------------------ /pk/ records

    @Test
    void jsReadsAPublicKeyRecordPutByFerry() {
        PeerId owner = ferry.get(0).peerId();
        byte[] key = PublicKeyValidator.keyOf(owner);
        byte[] value = publicKeyOf(owner);
        int stored = resultOf(dhts.get(0).putValue(key, value), WAIT);
        assertThat(stored).isPositive();

        JsEvent got = js.get(2).call("get", str("key", HEX.formatHex(key)));
        assertThat(got.string("value")).isEqualTo(HEX.formatHex(value));
    }

    @Test
    void ferryReadsAPublicKeyRecordPutByJs() {
        PeerId owner = js.get(0).peerId();
        byte[] key = PublicKeyValidator.keyOf(owner);
        byte[] value = publicKeyOf(owner);
        JsEvent put = js.get(0).call("put", str("key", HEX.formatHex(key)) + "," + str("value", HEX.formatHex(value)));
        assertThat(put.number("responses")).isPositive();

        Optional<byte[]> got = resultOf(dhts.get(2).getValue(key), WAIT);
        assertThat(got).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
    }

    // ------------------------------------------------------------------ helpers

    /** An Ed25519 PeerId is the identity multihash (0x00, length) of the protobuf PublicKey. */
    private static byte[] publicKeyOf(PeerId peer) {
        byte[] id = peer.toBytes();
        assertThat(id[0]).as("identity multihash").isZero();
        return Arrays.copyOfRange(id, 2, id.length);
    }

    private static byte[] sha256Multihash(String content) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.UTF_8));
            byte[] mh = new byte[2 + digest.length];
            mh[0] = 0x12;
            mh[1] = 0x20;
            System.arraycopy(digest, 0, mh, 2, digest.length);
            return mh;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> providers(JsEvent event) {
        return (List<Map<String, Object>>) event.fields().get("providers");
    }
}
