package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.NodeKeyStore;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.multiformats.Multibase;
import dev.ferry.crypto.multiformats.Multihash;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.record.FerryRecord;
import dev.ferry.dht.record.Validators;
import dev.ferry.dht.service.DhtConfig;
import dev.ferry.dht.service.DhtMode;
import dev.ferry.dht.service.DhtService;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Every {@code ferry dht} command, run through the CLI against five DHT servers on loopback. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DhtCommandTest {
    /** Fewer than k, so that every lookup finds them all; tests may add more. */
    private static final int SERVERS = 5;

    private DhtServers network;

    @TempDir
    Path temp;

    @BeforeAll
    void startNetwork() {
        network = DhtServers.start(SERVERS);
    }

    @AfterAll
    void stopNetwork() {
        network.close();
    }

    /** {@code ferry dht ARGS... --bootstrap <server>}. */
    private CliRun dht(DhtServers.Server bootstrap, String... args) {
        List<String> all = new ArrayList<>(List.of("dht"));
        all.addAll(List.of(args));
        all.addAll(List.of("--bootstrap", bootstrap.address().toString()));
        return CliRun.of(all.toArray(String[]::new));
    }

    private static PeerId idOf(Path dataDir) {
        return PeerId.parse(CliRun.of("id", "--data-dir", dataDir.toString()).out().getFirst());
    }

    /** A CIDv1 (raw codec) of fresh random content. */
    private static String randomCid() {
        byte[] content = new byte[32];
        DhtServers.RANDOM.nextBytes(content);
        ByteArrayOutputStream cid = new ByteArrayOutputStream();
        cid.write(1);
        cid.write(0x55);
        cid.writeBytes(Multihash.sha256(content).encode());
        return Multibase.encodeBase32(cid.toByteArray());
    }

    // ------------------------------------------------------------------ find-peer

    @Test
    void findPeerPrintsTheAddressOfAServerItWasNotToldAbout() {
        DhtServers.Server wanted = network.get(SERVERS - 1);

        CliRun run = dht(network.get(1), "find-peer", wanted.peerId().toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).containsExactly(wanted.address().toString());
        assertThat(run.err()).isEmpty();
    }

    @Test
    void findPeerOfAPeerNobodyKnowsExitsThreeWithOneLine() {
        PeerId stranger = IdentityKeyPair.generate(DhtServers.RANDOM).peerId();

        CliRun run = dht(network.get(0), "find-peer", stranger.toString());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.EXIT_NOT_FOUND);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).singleElement().asString().isEqualTo("ferry: " + stranger + " not found in the DHT");
    }

    // ------------------------------------------------------------------ closest

    @Test
    void closestPrintsEveryServerClosestFirstThenTheHops() {
        byte[] key = new byte[32];
        DhtServers.RANDOM.nextBytes(key);
        KadKey target = KadKey.of(key);
        List<PeerId> servers = network.peerIds();
        List<String> expected = servers.stream()
                .sorted(Comparator.comparing(KadKey::of, target::compareDistance))
                .map(PeerId::toString)
                .toList();

        CliRun run = dht(network.get(2), "closest", "0x" + HexFormat.of().formatHex(key));

        assertThat(run.exitCode()).as(run.toString()).isZero();
        // fewer servers than k: the lookup finds them all
        assertThat(run.out()).hasSize(servers.size() + 1);
        assertThat(run.out().subList(0, servers.size())).containsExactlyElementsOf(expected);
        assertThat(run.out().getLast()).matches("hops [1-9][0-9]*");
    }

    @Test
    void closestToAPeerIdPutsThatPeerFirst() {
        DhtServers.Server wanted = network.get(3);

        CliRun run = dht(network.get(0), "closest", wanted.peerId().toString());

        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out().getFirst()).isEqualTo(wanted.peerId().toString());
    }

    // ------------------------------------------------------------------ put and get

    @Test
    void putThenGetRoundTripsATextValueSignedWithTheDataDirKey() {
        Path dataDir = temp.resolve("me");
        PeerId me = idOf(dataDir);
        String key = "/ferry/" + me + "/greeting";

        CliRun put = dht(network.get(0), "put", "greeting", "hello, DHT", "--data-dir", dataDir.toString());
        CliRun get = dht(network.get(4), "get", key);

        assertThat(put.exitCode()).as(put.toString()).isZero();
        assertThat(put.out()).hasSize(3);
        assertThat(put.out().get(0)).isEqualTo("key " + key);
        assertThat(put.out().get(1)).matches("sequence [0-9]+");
        // the client is no server: every one of the five servers is among the k closest and stores it
        assertThat(put.out().get(2)).isEqualTo("peers " + network.servers.size());
        assertThat(get.exitCode()).as(get.toString()).isZero();
        assertThat(get.out()).containsExactly("value hello, DHT", put.out().get(1));
        // what a server holds is the record signed with the key of --data-dir
        byte[] wireKey = FerryRecord.keyOf(me, "greeting");
        Optional<byte[]> stored = DhtServers.join(network.get(2).dht().getValue(wireKey));
        assertThat(stored).isPresent();
        assertThat(FerryRecord.open(wireKey, stored.get())).isInstanceOfSatisfying(FerryRecord.Opening.Verified.class,
                v -> assertThat(v.record().publisher()).isEqualTo(me));
    }

    @Test
    void aLaterPutWinsOverAnEarlierOne() {
        Path dataDir = temp.resolve("me");
        String key = "/ferry/" + idOf(dataDir).toCidString() + "/status";

        CliRun first = dht(network.get(0), "put", "status", "away", "--data-dir", dataDir.toString());
        CliRun second = dht(network.get(1), "put", "status", "back", "--data-dir", dataDir.toString());
        CliRun get = dht(network.get(2), "get", key);

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(second.exitCode()).as(second.toString()).isZero();
        long firstSequence = Long.parseLong(first.out().get(1).substring("sequence ".length()));
        long secondSequence = Long.parseLong(second.out().get(1).substring("sequence ".length()));
        assertThat(secondSequence).isGreaterThan(firstSequence);
        assertThat(get.out()).containsExactly("value back", "sequence " + secondSequence);
    }

    @Test
    void aValueThatIsNotPrintableTextIsPutAndPrintedAsHex() {
        Path dataDir = temp.resolve("me");
        PeerId me = idOf(dataDir);

        CliRun put = dht(network.get(0), "put", "blob", "00ff0a41", "--hex", "--data-dir", dataDir.toString());
        CliRun get = dht(network.get(3), "get", "/ferry/" + me + "/blob");

        assertThat(put.exitCode()).as(put.toString()).isZero();
        assertThat(get.exitCode()).as(get.toString()).isZero();
        assertThat(get.out().getFirst()).isEqualTo("value_hex 00ff0a41");
    }

    @Test
    void getOfAKeyNobodyStoredExitsThreeWithOneLine() {
        String key = "/ferry/" + idOf(temp.resolve("silent")) + "/nothing";

        CliRun run = dht(network.get(1), "get", key);

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.EXIT_NOT_FOUND);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).singleElement().asString().isEqualTo("ferry: no record under " + key + " in the DHT");
    }

    @Test
    void putOfABadNameIsAUsageErrorBeforeAnythingIsSent() {
        CliRun run = dht(network.get(0), "put", "Not/A/Name", "x", "--data-dir", temp.resolve("me").toString());

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.err()).singleElement().asString().startsWith("ferry: record name").contains("ferry dht put --help");
    }

    // ------------------------------------------------------------------ provide and providers

    @Test
    void providersFindsANodeThatProvidedWithItsAddress() {
        // the provider is a running server whose key lives in a data directory, as with `ferry node`
        Path dataDir = temp.resolve("provider");
        DhtServers.Server provider = network.add(NodeKeyStore.loadOrCreate(dataDir, DhtServers.RANDOM));
        String cid = randomCid();

        CliRun provide = dht(network.get(0), "provide", cid, "--data-dir", dataDir.toString());
        CliRun providers = dht(network.get(1), "providers", cid);

        assertThat(provide.exitCode()).as(provide.toString()).isZero();
        assertThat(provide.out().getFirst()).isEqualTo("provider " + provider.peerId());
        assertThat(provide.out().get(1)).matches("peers [1-9][0-9]*");
        assertThat(providers.exitCode()).as(providers.toString()).isZero();
        assertThat(providers.out()).containsExactly(provider.peerId() + " " + provider.address().withoutPeerId());
    }

    @Test
    void aProviderWithNoKnownAddressIsPrintedAloneAndTheClientEntersNoRoutingTable() {
        Path dataDir = temp.resolve("offline");
        PeerId offline = idOf(dataDir);
        String cid = randomCid();

        CliRun provide = dht(network.get(2), "provide", cid, "--data-dir", dataDir.toString());
        CliRun providers = dht(network.get(3), "providers", cid);

        assertThat(provide.exitCode()).as(provide.toString()).isZero();
        assertThat(providers.exitCode()).as(providers.toString()).isZero();
        assertThat(providers.out()).containsExactly(offline.toString());
        // the command ran in client mode: no server took it into its routing table
        for (DhtServers.Server server : network.servers) assertThat(server.routingTable()).doesNotContain(offline);
    }

    @Test
    void providersOfACidNobodyProvidesExitsThree() {
        CliRun run = dht(network.get(0), "providers", randomCid());

        assertThat(run.exitCode()).as(run.toString()).isEqualTo(Main.EXIT_NOT_FOUND);
        assertThat(run.err()).singleElement().asString().startsWith("ferry: no provider of ");
    }

    @Test
    void aServerModeClientWouldHaveEnteredARoutingTable() {
        // the control for the test above: the same join in server mode does put the node in tables
        IdentityKeyPair identity = IdentityKeyPair.generate(DhtServers.RANDOM);
        try (ShortLivedNode node = new ShortLivedNode(identity)) {
            node.node.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")).join();
            DhtService dht = DhtService.create(node.node.host(), DhtConfig.defaults().withMode(DhtMode.SERVER),
                    Validators.standard(), Clock.systemUTC());
            try {
                DhtServers.join(DhtJoin.join(node.node.host(), dht, List.of(network.get(0).address())));
                await().atMost(DhtServers.WAIT)
                        .until(() -> network.get(0).routingTable().contains(identity.peerId()));
            } finally {
                DhtServers.join(dht.close());
            }
        }
    }

    // ------------------------------------------------------------------ errors

    @Test
    void aDhtCommandWithoutBootstrapIsAUsageErrorNamingTheOption() {
        CliRun run = CliRun.of("dht", "closest", "0x00");

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).singleElement().asString()
                .startsWith("ferry: no --bootstrap given")
                .endsWith("(see 'ferry dht closest --help')");
    }

    @Test
    void aBootstrapPeerNobodyListensOnFailsWithOneLineNamingIt() {
        CliRun run = CliRun.of("dht", "find-peer", network.get(0).peerId().toString(), "--bootstrap", "/ip4/127.0.0.1/tcp/1");

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).singleElement().asString()
                .startsWith("ferry: cannot reach the --bootstrap peer")
                .contains("/ip4/127.0.0.1/tcp/1");
    }

    @Test
    void aBootstrapPeerOnAnotherDhtProtocolFailsNamingTheOption() {
        CliRun run = dht(network.get(0), "closest", "0x00", "--dht-protocol", "/other/kad/1.0.0");

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_FAILURE);
        assertThat(run.err()).singleElement().asString()
                .isEqualTo("ferry: no --bootstrap peer answered on /other/kad/1.0.0 (is it a DHT server? check --dht-protocol)");
    }

    @Test
    void aSilentBootstrapPeerFailsWhenTheTimeoutPasses() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // accepts the connection and never says a word
            Thread.ofVirtual().start(() -> {
                try (Socket s = silent.accept()) {
                    s.getInputStream().readAllBytes();
                } catch (Exception e) {
                    // the test is over
                }
            });
            long start = System.nanoTime();

            CliRun run = CliRun.of("dht", "closest", "0x00", "--bootstrap", "/ip4/127.0.0.1/tcp/" + silent.getLocalPort(),
                    "--timeout", "1500ms");

            assertThat(run.exitCode()).isEqualTo(Main.EXIT_FAILURE);
            assertThat(run.err()).singleElement().asString()
                    .isEqualTo("ferry: joining the DHT took longer than --timeout 1500ms");
            // 1.5 s to give up (the handshake alone would take 10 s), a few more to close on a slow machine
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(8);
        }
    }

    @Test
    void provideRefusesToBootstrapFromTheNodeItAnnounces() {
        Path dataDir = temp.resolve("provider-self");
        String ownAddress = network.get(0).address().withPeerId(idOf(dataDir)).toString();

        CliRun run = CliRun.of("dht", "provide", randomCid(), "--data-dir", dataDir.toString(), "--bootstrap", ownAddress);

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.err()).singleElement().asString().contains("is this node itself");
    }

    @Test
    void aKeyThatIsNothingKnownIsAUsageError() {
        CliRun run = dht(network.get(0), "closest", "not-a-key");

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.err()).singleElement().asString()
                .contains("'not-a-key' is not a PeerId, a CID, a /ferry/ key or hex bytes");
    }

    @Test
    void aValueTooLongForARecordIsAUsageError() {
        String big = "x".repeat(FerryRecord.MAX_VALUE_LENGTH + 1);

        CliRun run = dht(network.get(0), "put", "big", big, "--data-dir", temp.resolve("me").toString());

        assertThat(run.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(run.err()).singleElement().asString().contains("longer than " + FerryRecord.MAX_VALUE_LENGTH);
        assertThat(run.err().getFirst()).hasSizeLessThan(200);
    }
}
