package dev.ferry.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.ByteMutations;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.crypto.X25519;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated bytes given to the header and inner-content decoders and to opening: the
 * only failure is the declared {@link EnvelopeException}; valid headers round-trip exactly.
 */
class EnvelopeDecodingPropertiesTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] SPECIAL = {0x08, 0x0a, 0x10, 0x12, 0x18, 0x1a, 0x20, 0x22, 0x2a, 0x30, 0x38, 0x40, 0x4a, 0x52,
            (byte) 0x80, (byte) 0xff, 0};
    private static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");

    private interface Decoder {
        void decode(byte[] bytes) throws EnvelopeException;
    }

    private static void onlyDeclaredFailures(String name, byte[] valid, Decoder decoder) {
        SeededProperty.forAll(name, 500, random -> {
            byte[] input = random.nextInt(4) == 0
                    ? SeededProperty.bytes(random, random.nextInt(300))
                    : ByteMutations.mutate(random, valid, SPECIAL, 40);
            try {
                decoder.decode(input);
            } catch (EnvelopeException expected) {
                assertThat(expected.reason()).isNotNull();
            }
        });
    }

    @Test
    void shouldDecodeGarbageToTheDeclaredExceptionOnly() {
        IdentityKeyPair sender = IdentityKeyPair.generate(RANDOM);
        X25519.KeyPair recipient = X25519.generate(RANDOM);
        InnerContent content = InnerContent.create(ContentType.TEXT, sender.publicKey(), NOW, new byte[] {1, 2, 3}, RANDOM);
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content, recipient.publicKey(), new byte[32], NOW, NOW.plusSeconds(3600), RANDOM);
        EnvelopeHeader header = sealed.codedHeader(2, 1, List.of(new byte[32], new byte[32], new byte[32]));

        onlyDeclaredFailures("envelope header", header.encode(), EnvelopeHeader::decode);
        onlyDeclaredFailures("inner content", content.encode(), InnerContent::decode);
        onlyDeclaredFailures("sealed ciphertext", sealed.ciphertext(), ciphertext -> {
            if (ciphertext.length < SealedEnvelope.OVERHEAD) return; // no header can commit to it: refused before opening
            EnvelopeHeader direct = EnvelopeHeader.direct(new byte[32], NOW, NOW.plusSeconds(3600), content.ackSecret().hash(), ciphertext);
            assertThat(SealedEnvelope.open(recipient, direct, ciphertext, NOW)).isEqualTo(content);
        });
    }

    @Test
    void shouldRoundTripRandomHeadersExactly() {
        SeededProperty.forAll("envelope header round trip", 300, random -> {
            int data = 1 + random.nextInt(EnvelopeLimits.MAX_TOTAL_SHARDS);
            int parity = random.nextInt(EnvelopeLimits.MAX_TOTAL_SHARDS - data + 1);
            List<byte[]> shards = java.util.stream.IntStream.range(0, data + parity).mapToObj(i -> SeededProperty.bytes(random, 32)).toList();
            Instant created = Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L));
            Instant expires = created.plusMillis(1 + random.nextLong(EnvelopeLimits.MAX_TTL.toMillis()));
            EnvelopeHeader header = new EnvelopeHeader(SeededProperty.bytes(random, 32), created, expires, SeededProperty.bytes(random, 32),
                    data, parity, SealedEnvelope.OVERHEAD + random.nextInt(EnvelopeLimits.MAX_INNER_LENGTH), SeededProperty.bytes(random, 32), shards);
            try {
                EnvelopeHeader decoded = EnvelopeHeader.decode(header.encode());
                assertThat(decoded).isEqualTo(header);
                assertThat(decoded.encode()).isEqualTo(header.encode());
                assertThat(decoded.shardHashes()).containsExactlyElementsOf(shards);
                assertThat(Duration.between(decoded.created(), decoded.expires())).isEqualTo(Duration.between(created, expires));
            } catch (EnvelopeException e) {
                throw new AssertionError(e);
            }
        });
    }
}
