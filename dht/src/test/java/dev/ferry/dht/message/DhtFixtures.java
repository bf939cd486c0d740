package dev.ferry.dht.message;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.crypto.multiformats.Multihash;
import dev.ferry.dht.message.DhtMessage.AddProvider;
import dev.ferry.dht.message.DhtMessage.FindNode;
import dev.ferry.dht.message.DhtMessage.GetProviders;
import dev.ferry.dht.message.DhtMessage.GetValue;
import dev.ferry.dht.message.DhtMessage.Ping;
import dev.ferry.dht.message.DhtMessage.PutValue;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.IntStream;

/** Deterministic keys, peers and random valid messages for the DHT tests. */
public final class DhtFixtures {
    /** Ed25519 key pairs from the seeds 1, 2, 3...: the same in every run. */
    public static final List<IdentityKeyPair> KEYS = IntStream.rangeClosed(1, 40).mapToObj(DhtFixtures::keys).toList();
    /** Their PeerIds, and as many sha2-256 PeerIds (of RSA-style keys). */
    public static final List<PeerId> PEERS;

    static {
        List<PeerId> peers = new ArrayList<>(KEYS.stream().map(IdentityKeyPair::peerId).toList());
        for (int i = 0; i < 40; i++) peers.add(PeerId.fromBytes(Multihash.sha256(new byte[] {(byte) i}).encode()));
        PEERS = List.copyOf(peers);
    }

    private DhtFixtures() {}

    /** The key pair whose seed is 32 bytes of {@code n}. */
    public static IdentityKeyPair keys(int n) {
        byte[] seed = new byte[IdentityKeyPair.SEED_LENGTH];
        java.util.Arrays.fill(seed, (byte) n);
        return IdentityKeyPair.fromSeed(seed);
    }

    public static Multiaddr address(String text) {
        return Multiaddr.parse(text);
    }

    /** {@code /ip4/10.0.0.<n>/tcp/4001}. */
    public static Multiaddr tcp(int n) {
        return Multiaddr.parse("/ip4/10.0.0." + n + "/tcp/4001");
    }

    /** A peer with two addresses. */
    public static DhtPeer peer(int n) {
        return DhtPeer.of(PEERS.get(n), List.of(tcp(n), address("/ip6/::1/tcp/" + (5000 + n))));
    }

    /** {@code count} distinct peers. */
    public static List<DhtPeer> peers(int count) {
        return IntStream.range(0, count).mapToObj(DhtFixtures::peer).toList();
    }

    public static byte[] key(String text) {
        return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    // ---- random valid messages ----

    /** A random valid message of a random type, as a response (with every field its type has). */
    public static DhtMessage randomMessage(Random random) {
        byte[] key = SeededProperty.bytes(random, 1 + random.nextInt(48));
        return switch (MessageType.values()[random.nextInt(MessageType.values().length)]) {
            case FIND_NODE -> FindNode.response(key, randomPeers(random, DhtProtocol.K));
            case GET_VALUE -> GetValue.response(key,
                    random.nextBoolean() ? Optional.of(randomRecord(random, key)) : Optional.empty(),
                    randomPeers(random, DhtProtocol.K));
            case PUT_VALUE -> PutValue.request(randomRecord(random, key));
            case ADD_PROVIDER -> AddProvider.request(key, randomPeers(random, 2));
            case GET_PROVIDERS -> GetProviders.response(key, randomPeers(random, 30), randomPeers(random, DhtProtocol.K));
            case PING -> new Ping();
        };
    }

    /** The request {@code message} answers: same type and key, and for PUT_VALUE the same record. */
    public static DhtMessage requestFor(DhtMessage message) {
        return switch (message) {
            case FindNode m -> FindNode.request(m.key());
            case GetValue m -> GetValue.request(m.key());
            case PutValue m -> m;
            case AddProvider m -> m;
            case GetProviders m -> GetProviders.request(m.key());
            case Ping m -> m;
        };
    }

    public static DhtRecord randomRecord(Random random, byte[] key) {
        byte[] value = SeededProperty.bytes(random, random.nextInt(200));
        DhtRecord record = DhtRecord.of(key, value);
        return random.nextBoolean() ? record : record.receivedAt(java.time.Instant.ofEpochMilli(random.nextLong(1L << 42)));
    }

    /** Up to {@code max} distinct peers from the pool, with random addresses and connection types. */
    public static List<DhtPeer> randomPeers(Random random, int max) {
        List<PeerId> pool = new ArrayList<>(PEERS);
        Collections.shuffle(pool, random);
        int count = random.nextInt(max + 1);
        List<DhtPeer> peers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            PeerId id = pool.get(i);
            List<Multiaddr> addresses = new ArrayList<>();
            int addressCount = random.nextInt(4);
            for (int a = 0; a < addressCount; a++) addresses.add(randomAddress(random, id));
            ConnectionType connection = ConnectionType.values()[random.nextInt(ConnectionType.values().length)];
            peers.add(new DhtPeer(id, addresses, connection));
        }
        return peers;
    }

    private static Multiaddr randomAddress(Random random, PeerId id) {
        String host = switch (random.nextInt(3)) {
            case 0 -> "/ip4/" + random.nextInt(256) + "." + random.nextInt(256) + ".0." + random.nextInt(256);
            case 1 -> "/ip6/2001:db8::" + Integer.toHexString(random.nextInt(0x10000));
            default -> "/dns4/node" + random.nextInt(1000) + ".example.org";
        };
        Multiaddr address = Multiaddr.parse(host + "/tcp/" + random.nextInt(65536));
        return random.nextInt(4) == 0 ? address.withPeerId(id) : address;
    }
}
