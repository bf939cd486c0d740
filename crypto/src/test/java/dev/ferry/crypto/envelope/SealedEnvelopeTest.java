package dev.ferry.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.proto.EnvelopeProto;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** Sealing, opening and the relay-visible header: round trip, tampering, wrong keys, times, limits. */
class SealedEnvelopeTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00.123Z");
    private static final Instant EXPIRES = NOW.plus(Duration.ofDays(7));
    private static final byte[] PAYLOAD = "a ratchet message nobody else should read".getBytes(StandardCharsets.UTF_8);

    private final IdentityKeyPair sender = IdentityKeyPair.generate(RANDOM);
    private final IdentityKeyPair recipientNode = IdentityKeyPair.generate(RANDOM);
    private final X25519.KeyPair recipient = X25519.generate(RANDOM);
    private final byte[] mailbox = Mailbox.keyFor(recipientNode.peerId());
    private final InnerContent content = InnerContent.create(ContentType.SESSION_MESSAGE, sender.publicKey(), NOW, PAYLOAD, RANDOM);

    private SealedEnvelope.Sealed seal() {
        return SealedEnvelope.seal(content, recipient.publicKey(), mailbox, NOW, EXPIRES, RANDOM);
    }

    private static void assertRefused(ThrowingCallable call, EnvelopeException.Reason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void shouldSealAndOpenForTheRecipient() throws Exception {
        SealedEnvelope.Sealed sealed = seal();
        EnvelopeHeader header = EnvelopeHeader.decode(sealed.directHeader().encode());
        InnerContent opened = SealedEnvelope.open(recipient, header, sealed.ciphertext(), NOW.plusSeconds(60));

        assertThat(opened).isEqualTo(content);
        assertThat(opened.payload()).isEqualTo(PAYLOAD);
        assertThat(opened.sender()).isEqualTo(sender.publicKey());
        assertThat(opened.timestamp()).isEqualTo(NOW);
        assertThat(opened.ackSecret().matches(header.ackHash())).isTrue();
        assertThat(header.envelopeId()).hasSize(EnvelopeHeader.ID_LENGTH);
        assertThat(sealed.ciphertext()).hasSize(content.encode().length + SealedEnvelope.OVERHEAD);
        // Two seals of the same content differ (fresh ephemeral key), so do their ids.
        assertThat(seal().directHeader().envelopeId()).isNotEqualTo(header.envelopeId());
    }

    @Test
    void shouldChangeTheIdWhenAnyOuterFieldChanges() {
        SealedEnvelope.Sealed sealed = seal();
        byte[] ciphertext = sealed.ciphertext();
        List<byte[]> shards = List.of(hash(1), hash(2), hash(3), hash(4), hash(5), hash(6));
        EnvelopeHeader base = sealed.codedHeader(4, 2, shards);
        List<EnvelopeHeader> variants = List.of(
                with(base, h -> new EnvelopeHeader(hash(9), h.created(), h.expires(), h.ackHash(), 4, 2, h.ciphertextLength(), h.ciphertextHash(), shards)),
                with(base, h -> new EnvelopeHeader(h.mailbox(), h.created().plusMillis(1), h.expires(), h.ackHash(), 4, 2, h.ciphertextLength(), h.ciphertextHash(), shards)),
                with(base, h -> new EnvelopeHeader(h.mailbox(), h.created(), h.expires().plusMillis(1), h.ackHash(), 4, 2, h.ciphertextLength(), h.ciphertextHash(), shards)),
                with(base, h -> new EnvelopeHeader(h.mailbox(), h.created(), h.expires(), hash(9), 4, 2, h.ciphertextLength(), h.ciphertextHash(), shards)),
                with(base, h -> new EnvelopeHeader(h.mailbox(), h.created(), h.expires(), h.ackHash(), 5, 1, h.ciphertextLength(), h.ciphertextHash(), shards)),
                with(base, h -> new EnvelopeHeader(h.mailbox(), h.created(), h.expires(), h.ackHash(), 3, 3, h.ciphertextLength(), h.ciphertextHash(), shards)),
                with(base, h -> new EnvelopeHeader(h.mailbox(), h.created(), h.expires(), h.ackHash(), 4, 2, h.ciphertextLength() + 1, h.ciphertextHash(), shards)),
                with(base, h -> new EnvelopeHeader(h.mailbox(), h.created(), h.expires(), h.ackHash(), 4, 2, h.ciphertextLength(), hash(9), shards)),
                with(base, h -> new EnvelopeHeader(h.mailbox(), h.created(), h.expires(), h.ackHash(), 4, 2, h.ciphertextLength(), h.ciphertextHash(),
                        List.of(hash(1), hash(2), hash(3), hash(4), hash(5), hash(9)))),
                with(base, h -> new EnvelopeHeader(h.mailbox(), h.created(), h.expires(), h.ackHash(), 4, 2, h.ciphertextLength(), h.ciphertextHash(),
                        List.of(hash(2), hash(1), hash(3), hash(4), hash(5), hash(6)))));
        Set<String> ids = new HashSet<>();
        ids.add(HexFormat.of().formatHex(base.envelopeId()));
        for (EnvelopeHeader variant : variants) ids.add(HexFormat.of().formatHex(variant.envelopeId()));
        assertThat(ids).hasSize(variants.size() + 1);
        assertThat(EnvelopeHeader.coded(mailbox, NOW, EXPIRES, content.ackSecret().hash(), ciphertext, 4, 2, shards)).isEqualTo(base);
    }

    @Test
    void shouldDetectEveryOuterFieldChangedInTransit() throws Exception {
        EnvelopeHeader header = seal().codedHeader(2, 1, List.of(hash(1), hash(2), hash(3)));
        EnvelopeProto.EnvelopeHeader wire = EnvelopeProto.EnvelopeHeader.parseFrom(header.encode());
        assertThat(EnvelopeHeader.decode(wire.toByteArray())).isEqualTo(header);
        List<UnaryOperator<EnvelopeProto.EnvelopeHeader.Builder>> tamperings = List.of(
                b -> b.setMailbox(ByteString.copyFrom(hash(9))),
                b -> b.setCreatedMillis(b.getCreatedMillis() - 1),
                b -> b.setExpiresMillis(b.getExpiresMillis() + 86_400_000L),
                b -> b.setAckHash(ByteString.copyFrom(hash(9))),
                b -> b.setDataShards(1).setParityShards(2),
                b -> b.setCiphertextLength(b.getCiphertextLength() - 1),
                b -> b.setCiphertextHash(ByteString.copyFrom(hash(9))),
                b -> b.setShardHashes(1, ByteString.copyFrom(hash(9))));
        for (UnaryOperator<EnvelopeProto.EnvelopeHeader.Builder> tampering : tamperings) {
            byte[] tampered = tampering.apply(wire.toBuilder()).build().toByteArray();
            assertRefused(() -> EnvelopeHeader.decode(tampered), EnvelopeException.Reason.ID_MISMATCH);
        }
    }

    @Test
    void shouldNotOpenForAnotherRecipient() {
        SealedEnvelope.Sealed sealed = seal();
        assertRefused(() -> SealedEnvelope.open(X25519.generate(RANDOM), sealed.directHeader(), sealed.ciphertext(), NOW),
                EnvelopeException.Reason.DECRYPTION_FAILED);
    }

    @Test
    void shouldRefuseATamperedCiphertext() {
        SealedEnvelope.Sealed sealed = seal();
        for (int at : new int[] {0, 31, 32, 47, 48, 56, sealed.ciphertext().length - 1}) { // key, salt, sealed bytes
            byte[] tampered = sealed.ciphertext();
            tampered[at] ^= 0x04;
            // Against the genuine header: not the committed ciphertext.
            assertRefused(() -> SealedEnvelope.open(recipient, sealed.directHeader(), tampered, NOW), EnvelopeException.Reason.CIPHERTEXT_MISMATCH);
            // A relay that also rewrites the header (a new id) still cannot get it opened.
            EnvelopeHeader rewritten = EnvelopeHeader.direct(mailbox, NOW, EXPIRES, content.ackSecret().hash(), tampered);
            assertRefused(() -> SealedEnvelope.open(recipient, rewritten, tampered, NOW), EnvelopeException.Reason.DECRYPTION_FAILED);
        }
    }

    @Test
    void shouldNotOpenAfterARelayMovedTheCiphertextOrExtendedItsExpiry() {
        SealedEnvelope.Sealed sealed = seal();
        byte[] ciphertext = sealed.ciphertext();
        byte[] ackHash = content.ackSecret().hash();
        List<EnvelopeHeader> forgedHeaders = List.of(
                EnvelopeHeader.direct(hash(7), NOW, EXPIRES, ackHash, ciphertext),
                EnvelopeHeader.direct(mailbox, NOW, EXPIRES.plus(Duration.ofDays(1)), ackHash, ciphertext),
                EnvelopeHeader.direct(mailbox, NOW.minusSeconds(1), EXPIRES, ackHash, ciphertext),
                EnvelopeHeader.direct(mailbox, NOW, EXPIRES, hash(7), ciphertext));
        for (EnvelopeHeader forged : forgedHeaders) {
            assertRefused(() -> SealedEnvelope.open(recipient, forged, ciphertext, NOW), EnvelopeException.Reason.DECRYPTION_FAILED);
        }
    }

    @Test
    void shouldShowRelaysNeitherTheSenderNorThePlaintext() throws Exception {
        SealedEnvelope.Sealed sealed = seal();
        byte[] header = sealed.directHeader().encode();
        byte[] ciphertext = sealed.ciphertext();
        List<byte[]> secrets = List.of(sender.publicKey().raw(), sender.publicKey().marshal(), sender.peerId().toBytes(), PAYLOAD,
                "ratchet message".getBytes(StandardCharsets.UTF_8), content.ackSecret().bytes());
        for (byte[] secret : secrets) {
            assertThat(indexOf(header, secret)).isEqualTo(-1);
            assertThat(indexOf(ciphertext, secret)).isEqualTo(-1);
        }
        assertThat(indexOf(content.encode(), sender.publicKey().raw())).isNotEqualTo(-1); // the search itself works
        String printed = sealed + " " + sealed.directHeader() + " " + content + " " + content.ackSecret();
        assertThat(printed).doesNotContain(HexFormat.of().formatHex(content.ackSecret().bytes()))
                .doesNotContain("ratchet message");
    }

    @Test
    void shouldSealAnEnvelopeNobodyCanAcknowledgeWhichStillOpens() throws Exception {
        SealedEnvelope.Sealed sealed = SealedEnvelope.sealUnacknowledgeable(content, recipient.publicKey(), mailbox, NOW, EXPIRES, RANDOM);
        EnvelopeHeader header = EnvelopeHeader.decode(sealed.directHeader().encode());

        assertThat(sealed.acknowledgeable()).isFalse();
        assertThat(header.acknowledgeable()).isFalse();
        assertThat(header.ackHash()).isEqualTo(new byte[EnvelopeHeader.HASH_LENGTH]);
        assertThat(content.ackSecret().matches(header.ackHash())).as("not even the inner secret").isFalse();
        assertThat(SealedEnvelope.open(recipient, header, sealed.ciphertext(), NOW)).isEqualTo(content);
        // Its all-zero hash is bound like any other: a relay cannot swap in a real one.
        EnvelopeHeader swapped = EnvelopeHeader.direct(mailbox, NOW, EXPIRES, content.ackSecret().hash(), sealed.ciphertext());
        assertRefused(() -> SealedEnvelope.open(recipient, swapped, sealed.ciphertext(), NOW), EnvelopeException.Reason.DECRYPTION_FAILED);
        assertThat(seal().acknowledgeable()).isTrue();
        assertThat(seal().directHeader().acknowledgeable()).isTrue();
    }

    @Test
    void shouldRefuseAnInnerAckSecretThatDoesNotMatchTheOuterHash() {
        byte[] otherHash = AckSecret.generate(RANDOM).hash();
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content, recipient.publicKey(), mailbox, NOW, EXPIRES, otherHash, RANDOM);
        EnvelopeHeader header = EnvelopeHeader.direct(mailbox, NOW, EXPIRES, otherHash, sealed.ciphertext());
        assertRefused(() -> SealedEnvelope.open(recipient, header, sealed.ciphertext(), NOW), EnvelopeException.Reason.ACK_MISMATCH);
    }

    @Test
    void shouldRefuseExpiredFutureAndInsaneTimes() throws Exception {
        SealedEnvelope.Sealed sealed = seal();
        EnvelopeHeader header = sealed.directHeader();
        assertRefused(() -> SealedEnvelope.open(recipient, header, sealed.ciphertext(), EXPIRES), EnvelopeException.Reason.EXPIRED);
        Instant tooEarly = NOW.minus(EnvelopeLimits.MAX_CLOCK_SKEW).minusMillis(1);
        assertRefused(() -> SealedEnvelope.open(recipient, header, sealed.ciphertext(), tooEarly), EnvelopeException.Reason.NOT_YET_VALID);
        assertThat(SealedEnvelope.open(recipient, header, sealed.ciphertext(), NOW.minus(EnvelopeLimits.MAX_CLOCK_SKEW))).isEqualTo(content);

        assertThatThrownBy(() -> SealedEnvelope.seal(content, recipient.publicKey(), mailbox, NOW, NOW, RANDOM))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SealedEnvelope.seal(content, recipient.publicKey(), mailbox, NOW,
                NOW.plus(EnvelopeLimits.MAX_TTL).plusMillis(1), RANDOM)).isInstanceOf(IllegalArgumentException.class);
        EnvelopeProto.EnvelopeHeader wire = EnvelopeProto.EnvelopeHeader.parseFrom(header.encode());
        byte[] backwards = wire.toBuilder().setExpiresMillis(wire.getCreatedMillis() - 1).build().toByteArray();
        assertRefused(() -> EnvelopeHeader.decode(backwards), EnvelopeException.Reason.MALFORMED);
    }

    @Test
    void shouldRefuseWhatExceedsTheLimits() throws Exception {
        assertThatThrownBy(() -> InnerContent.create(ContentType.FILE_CHUNK, sender.publicKey(), NOW,
                new byte[EnvelopeLimits.MAX_PAYLOAD_LENGTH + 1], RANDOM)).isInstanceOf(IllegalArgumentException.class);
        assertRefused(() -> EnvelopeHeader.decode(new byte[EnvelopeLimits.MAX_HEADER_LENGTH + 1]), EnvelopeException.Reason.TOO_LARGE);
        assertRefused(() -> InnerContent.decode(new byte[EnvelopeLimits.MAX_INNER_LENGTH + 1]), EnvelopeException.Reason.TOO_LARGE);

        SealedEnvelope.Sealed sealed = seal();
        List<byte[]> tooMany = new ArrayList<>();
        for (int i = 0; i <= EnvelopeLimits.MAX_TOTAL_SHARDS; i++) tooMany.add(hash(i));
        assertThatThrownBy(() -> sealed.codedHeader(EnvelopeLimits.MAX_TOTAL_SHARDS - 1, 2, tooMany)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> sealed.codedHeader(4, 2, tooMany.subList(0, 5))).isInstanceOf(IllegalArgumentException.class);

        // The largest allowed envelope still fits every limit.
        InnerContent largest = InnerContent.create(ContentType.FILE_CHUNK, sender.publicKey(), NOW, new byte[EnvelopeLimits.MAX_PAYLOAD_LENGTH], RANDOM);
        SealedEnvelope.Sealed big = SealedEnvelope.seal(largest, recipient.publicKey(), mailbox, NOW, EXPIRES, RANDOM);
        EnvelopeHeader maxHeader = big.codedHeader(EnvelopeLimits.MAX_TOTAL_SHARDS - 2, 2, tooMany.subList(0, EnvelopeLimits.MAX_TOTAL_SHARDS));
        assertThat(maxHeader.encode().length).isLessThanOrEqualTo(EnvelopeLimits.MAX_HEADER_LENGTH);
        assertThat(SealedEnvelope.open(recipient, big.directHeader(), big.ciphertext(), NOW)).isEqualTo(largest);
    }

    @Test
    void shouldCheckCiphertextAndShardsAgainstTheHeader() throws Exception {
        SealedEnvelope.Sealed sealed = seal();
        byte[] ciphertext = sealed.ciphertext();
        EnvelopeHeader direct = sealed.directHeader();
        direct.verify(ciphertext);
        assertThat(direct.shardMatches(0, ciphertext)).isTrue();
        assertThat(direct.shardMatches(1, ciphertext)).isFalse();
        assertRefused(() -> direct.verify(new byte[ciphertext.length]), EnvelopeException.Reason.CIPHERTEXT_MISMATCH);

        byte[] shardA = {1, 2, 3}, shardB = {4, 5, 6};
        EnvelopeHeader coded = sealed.codedHeader(1, 1, List.of(sha256(shardA), sha256(shardB)));
        coded.verify(ciphertext);
        assertThat(coded.shardMatches(0, shardA)).isTrue();
        assertThat(coded.shardMatches(1, shardB)).isTrue();
        assertThat(coded.shardMatches(0, shardB)).isFalse();
        assertThat(EnvelopeHeader.decode(coded.encode()).shardHashes()).containsExactly(sha256(shardA), sha256(shardB));
    }

    @Test
    void shouldDeriveMailboxKeysAndAckHashesWithSha256() throws Exception {
        byte[] peer = recipientNode.peerId().toBytes();
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update("ferry/mailbox/v1".getBytes(StandardCharsets.US_ASCII));
        sha256.update(peer);
        assertThat(Mailbox.keyFor(peer)).isEqualTo(sha256.digest()).hasSize(Mailbox.KEY_LENGTH);
        assertThat(Mailbox.keyFor(recipientNode.peerId())).isEqualTo(Mailbox.keyFor(peer));

        AckSecret secret = AckSecret.generate(RANDOM);
        assertThat(secret.hash()).isEqualTo(sha256(secret.bytes())).isEqualTo(AckSecret.ackHash(secret.bytes()));
        assertThat(secret.matches(secret.hash())).isTrue();
        assertThat(AckSecret.of(secret.bytes()).matches(AckSecret.generate(RANDOM).hash())).isFalse();
        assertThat(secret.toString()).doesNotContain(HexFormat.of().formatHex(secret.bytes()));
        assertThatThrownBy(() -> AckSecret.of(new byte[31])).isInstanceOf(IllegalArgumentException.class);
    }

    private static EnvelopeHeader with(EnvelopeHeader base, UnaryOperator<EnvelopeHeader> change) {
        return change.apply(base);
    }

    private static byte[] hash(int seed) {
        return sha256(new byte[] {(byte) seed});
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
