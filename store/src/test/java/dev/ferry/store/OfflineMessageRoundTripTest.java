package dev.ferry.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.crypto.ratchet.RatchetSession;
import dev.ferry.crypto.x3dh.InitialMessage;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import dev.ferry.crypto.x3dh.PrekeyRing;
import dev.ferry.crypto.x3dh.X3dh;
import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.RebuiltData;
import dev.ferry.store.erasure.ReedSolomonCodec;
import dev.ferry.store.erasure.ShardManifest;
import dev.ferry.store.rocks.RocksFerryStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two libraries together, as the messenger will use them for a recipient who is offline: X3DH
 * from a bundle, the first ratchet message sealed into an envelope, Reed-Solomon 4 + 2 shards on six
 * RocksDB holders, two holders gone and one shard tampered with, the envelope rebuilt, opened and
 * decrypted, the message persisted with its session in one batch, the ACK accepted only with the
 * secret, and a reply the other way.
 */
class OfflineMessageRoundTripTest {
    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private static final Instant EXPIRES = NOW.plus(Duration.ofDays(7));
    private final SecureRandom random = new SecureRandom();
    private final List<FerryStore> open = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeStores() {
        open.forEach(FerryStore::close);
    }

    private FerryStore rocks(String name) {
        FerryStore store = RocksFerryStore.open(dir.resolve(name), StoreLimits.DEFAULTS);
        open.add(store);
        return store;
    }

    @Test
    void anEnvelopeCodedAcrossHoldersReachesAnOfflineRecipientAndIsAcknowledged() throws Exception {
        MessagingIdentity alice = MessagingIdentity.create(IdentityKeyPair.generate(random), random);
        MessagingIdentity bob = MessagingIdentity.create(IdentityKeyPair.generate(random), random);
        PrekeyRing bobPrekeys = PrekeyRing.create(bob.nodeKey(), NOW, random);
        PrekeyBundle bundle = PrekeyBundle.decode(PrekeyBundle.of(bob, bobPrekeys.current()).encode());

        // Alice starts a session and seals its first message to Bob's identity key.
        X3dh.Initiation initiation = X3dh.initiate(alice, bundle, bob.nodeKey().peerId(), NOW, PrekeyPolicy.DEFAULT, random);
        RatchetSession aliceSession = RatchetSession.initAsInitiator(initiation.sharedSecret(), initiation.associatedData(),
                initiation.remoteRatchetKey(), random);
        RatchetSession.Encrypted first = aliceSession.encrypt("hello, Bob".getBytes(StandardCharsets.UTF_8));
        aliceSession = first.next();
        InnerContent content = InnerContent.create(ContentType.SESSION_MESSAGE, alice.nodeKey().publicKey(), NOW,
                sessionPayload(initiation.message().encode(), first.message()), random);
        byte[] mailbox = Mailbox.keyFor(bob.nodeKey().peerId());
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content, bob.dhKeyPair().publicKey(), mailbox, NOW, EXPIRES, random);

        ReedSolomonCodec codec = new ReedSolomonCodec(ErasureParameters.DEFAULT);
        EncodedShards shards = codec.encode(sealed.ciphertext());
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < shards.totalShards(); i++) hashes.add(shards.shardHash(i));
        EnvelopeHeader header = sealed.codedHeader(4, 2, hashes);
        EnvelopeId id = EnvelopeId.of(header.envelopeId());
        PeerBytes alicePeer = PeerBytes.of(alice.nodeKey().peerId().toBytes());

        List<FerryStore> holders = new ArrayList<>();
        for (int i = 0; i < shards.totalShards(); i++) {
            FerryStore holder = rocks("holder-" + i);
            assertThat(holder.shards().put(new Shard(id, i, MailboxKey.of(mailbox), alicePeer, EXPIRES, header.encode(),
                    shards.shard(i)))).isTrue();
            holders.add(holder);
        }

        // Two holders are gone; another serves a shard with one flipped bit.
        holders.get(0).close();
        holders.get(3).close();
        open.removeAll(List.of(holders.get(0), holders.get(3)));
        Map<Integer, byte[]> fetched = new HashMap<>();
        EnvelopeHeader received = null;
        for (int i : List.of(1, 2, 4, 5)) {
            Shard shard = holders.get(i).shards().get(id, i).orElseThrow();
            received = EnvelopeHeader.decode(shard.header());
            byte[] data = shard.data();
            if (i == 2) data[data.length / 2] ^= 0x10;
            assertThat(received.shardMatches(i, data)).isEqualTo(i != 2);
            fetched.put(i, data);
        }
        assertThat(received.envelopeId()).isEqualTo(id.bytes());

        // Three good shards are not enough; the decoder refuses the tampered one rather than use it.
        ShardManifest manifest = new ShardManifest(ErasureParameters.DEFAULT, (int) received.ciphertextLength(), received.shardHashes());
        assertThatThrownBy(() -> codec.decode(manifest, fetched)).isInstanceOf(dev.ferry.store.erasure.NotEnoughShardsException.class);

        // Holder 3 comes back with its disk: four good shards rebuild the envelope.
        FerryStore holder3 = rocks("holder-3");
        fetched.put(3, holder3.shards().get(id, 3).orElseThrow().data());
        RebuiltData rebuilt = codec.decode(manifest, fetched);
        assertThat(rebuilt.rejectedShards()).containsExactly(2);

        InnerContent opened = SealedEnvelope.open(bob.dhKeyPair(), received, rebuilt.data(), NOW.plusSeconds(60));
        assertThat(opened.sender()).isEqualTo(alice.nodeKey().publicKey());
        ByteBuffer payload = ByteBuffer.wrap(opened.payload());
        InitialMessage initial = InitialMessage.decode(lengthPrefixed(payload));
        byte[] ratchetMessage = lengthPrefixed(payload);

        X3dh.Agreement agreement = X3dh.respond(bob, bobPrekeys, initial, NOW.plusSeconds(60), PrekeyPolicy.DEFAULT);
        assertThat(agreement.remote().peerId()).isEqualTo(alice.nodeKey().peerId());
        RatchetSession.Decrypted decrypted = RatchetSession.initAsResponder(agreement.sharedSecret(), agreement.associatedData(),
                agreement.ownRatchetKeyPair()).decrypt(ratchetMessage, random);
        assertThat(new String(decrypted.plaintext(), StandardCharsets.UTF_8)).isEqualTo("hello, Bob");

        // Bob keeps the message and the session that read it together.
        FerryStore bobStore = rocks("bob");
        ConversationId conversation = ConversationId.of(alice.nodeKey().peerId().toBytes());
        bobStore.write(batch -> {
            batch.inbox().append(conversation, decrypted.plaintext());
            batch.sessions().put(alicePeer, decrypted.next().toBytes());
        });
        RatchetSession bobSession = RatchetSession.fromBytes(bobStore.sessions().get(alicePeer).orElseThrow());
        assertThat(bobStore.inbox().read(conversation, 0, 10)).hasSize(1);

        // The ACK: a holder deletes only for the secret whose hash the header carries.
        byte[] forged = new byte[32];
        random.nextBytes(forged);
        assertThat(opened.ackSecret().matches(received.ackHash())).isTrue();
        assertThat(dev.ferry.crypto.envelope.AckSecret.of(forged).matches(received.ackHash())).isFalse();
        for (FerryStore holder : List.of(holders.get(1), holders.get(2), holder3, holders.get(4), holders.get(5))) {
            holder.write(batch -> {
                batch.shards().deleteEnvelope(id);
                batch.tombstones().put(id, EXPIRES);
            });
            assertThat(holder.shards().has(id)).isFalse();
            assertThatThrownBy(() -> holder.shards().put(new Shard(id, 0, MailboxKey.of(mailbox), alicePeer, EXPIRES,
                    header.encode(), shards.shard(0))))
                    .isInstanceOfSatisfying(StoreRefusedException.class,
                            e -> assertThat(e.reason()).isEqualTo(RefusalReason.TOMBSTONED));
        }

        // Bob replies on the same session; Alice reads it and the session has turned (a DH step).
        RatchetSession.Encrypted reply = bobSession.encrypt("hi, Alice".getBytes(StandardCharsets.UTF_8));
        RatchetSession.Decrypted answer = aliceSession.decrypt(reply.message(), random);
        assertThat(new String(answer.plaintext(), StandardCharsets.UTF_8)).isEqualTo("hi, Alice");
    }

    /** The test's own framing of an initial message and a ratchet message (the messenger defines the real one). */
    private static byte[] sessionPayload(byte[] initialMessage, byte[] ratchetMessage) {
        return ByteBuffer.allocate(8 + initialMessage.length + ratchetMessage.length)
                .putInt(initialMessage.length).put(initialMessage)
                .putInt(ratchetMessage.length).put(ratchetMessage).array();
    }

    private static byte[] lengthPrefixed(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.getInt()];
        buffer.get(bytes);
        return bytes;
    }
}
