package dev.ferry.pubsub.message;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.crypto.multiformats.Multihash;
import dev.ferry.pubsub.message.Rpc.Control;
import dev.ferry.pubsub.message.Rpc.Graft;
import dev.ferry.pubsub.message.Rpc.IHave;
import dev.ferry.pubsub.message.Rpc.IWant;
import dev.ferry.pubsub.message.Rpc.PeerExchange;
import dev.ferry.pubsub.message.Rpc.Prune;
import dev.ferry.pubsub.message.Rpc.Subscription;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.IntStream;

/** Deterministic keys and peers, and random valid RPCs, for the message tests. */
final class PubSubFixtures {
    /** Ed25519 key pairs from the seeds 1, 2, 3...: the same in every run. */
    static final List<IdentityKeyPair> KEYS = IntStream.rangeClosed(1, 8).mapToObj(PubSubFixtures::keys).toList();
    /** Their PeerIds, then as many sha2-256 PeerIds. */
    static final List<PeerId> PEERS;

    static {
        List<PeerId> peers = new ArrayList<>(KEYS.stream().map(IdentityKeyPair::peerId).toList());
        for (int i = 0; i < 8; i++) peers.add(PeerId.fromBytes(Multihash.sha256(new byte[] {(byte) i}).encode()));
        PEERS = List.copyOf(peers);
    }

    private static final String[] TOPICS = {"ferry/chat", "a", "/eth2/beacon_block/ssz_snappy", "héllo wörld ✓", "t"};

    private PubSubFixtures() {}

    /** The key pair whose seed is 32 bytes of {@code n}. */
    static IdentityKeyPair keys(int n) {
        byte[] seed = new byte[IdentityKeyPair.SEED_LENGTH];
        Arrays.fill(seed, (byte) n);
        return IdentityKeyPair.fromSeed(seed);
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static MessageId id(int n) {
        return MessageId.of(new byte[] {1, 2, (byte) (n >>> 8), (byte) n});
    }

    static List<MessageId> ids(int count) {
        return IntStream.range(0, count).mapToObj(PubSubFixtures::id).toList();
    }

    /** A random RPC within the default limits, with every kind of entry now and then. */
    static Rpc randomRpc(Random random) {
        List<Subscription> subscriptions = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) subscriptions.add(new Subscription(random.nextBoolean(), topic(random)));
        List<PubSubMessage> messages = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) messages.add(randomMessage(random));
        List<IHave> ihave = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) ihave.add(new IHave(topic(random), randomIds(random)));
        List<IWant> iwant = new ArrayList<>();
        for (int i = random.nextInt(2); i > 0; i--) iwant.add(new IWant(randomIds(random)));
        List<Graft> graft = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) graft.add(new Graft(topic(random)));
        List<Prune> prune = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            List<PeerExchange> peers = new ArrayList<>();
            for (int p = random.nextInt(4); p > 0; p--) {
                PeerId peer = PEERS.get(random.nextInt(PEERS.size()));
                peers.add(random.nextBoolean() ? PeerExchange.of(peer) : PeerExchange.of(peer, SeededProperty.bytes(random, random.nextInt(40))));
            }
            OptionalLong backoff = random.nextBoolean() ? OptionalLong.empty() : OptionalLong.of(random.nextInt(120));
            prune.add(new Prune(topic(random), peers, backoff));
        }
        return new Rpc(subscriptions, messages, new Control(ihave, iwant, graft, prune));
    }

    /** A message signed by one of {@link #KEYS}, or anonymous, or with random author fields. */
    static PubSubMessage randomMessage(Random random) {
        byte[] data = SeededProperty.bytes(random, random.nextInt(10) == 0 ? random.nextInt(3000) : random.nextInt(40));
        return switch (random.nextInt(3)) {
            case 0 -> MessageAuthor.strictSign(KEYS.get(random.nextInt(KEYS.size())), random.nextLong()).publish(topic(random), data);
            case 1 -> MessageAuthor.strictNoSign().publish(topic(random), data);
            default -> {
                PubSubMessage.Builder b = PubSubMessage.builder(topic(random));
                if (random.nextBoolean()) b.data(data);
                if (random.nextBoolean()) b.from(SeededProperty.bytes(random, random.nextInt(40)));
                if (random.nextBoolean()) b.seqno(SeededProperty.bytes(random, random.nextInt(10)));
                if (random.nextBoolean()) b.signature(SeededProperty.bytes(random, random.nextInt(70)));
                if (random.nextBoolean()) b.key(SeededProperty.bytes(random, random.nextInt(40)));
                yield b.build();
            }
        };
    }

    static String topic(Random random) {
        return TOPICS[random.nextInt(TOPICS.length)];
    }

    private static List<MessageId> randomIds(Random random) {
        List<MessageId> ids = new ArrayList<>();
        for (int i = random.nextInt(6); i > 0; i--) ids.add(MessageId.of(SeededProperty.bytes(random, 1 + random.nextInt(46))));
        return ids;
    }

    // ---- raw protobuf, for inputs the codec's own encoder would never write ----

    /** A protobuf writer for hand-made, possibly invalid, input. */
    static final class Proto {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Proto tag(int field, int wireType) {
            return varint(((long) field << 3) | wireType);
        }

        Proto varint(long value) {
            while ((value & ~0x7FL) != 0) {
                out.write((int) ((value & 0x7F) | 0x80));
                value >>>= 7;
            }
            out.write((int) value);
            return this;
        }

        Proto bytes(int field, byte[] value) {
            tag(field, 2).varint(value.length);
            out.writeBytes(value);
            return this;
        }

        Proto bytes(int field, Proto nested) {
            return bytes(field, nested.build());
        }

        Proto string(int field, String value) {
            return bytes(field, utf8(value));
        }

        Proto uint(int field, long value) {
            return tag(field, 0).varint(value);
        }

        Proto raw(byte... bytes) {
            out.writeBytes(bytes);
            return this;
        }

        byte[] build() {
            return out.toByteArray();
        }
    }
}
