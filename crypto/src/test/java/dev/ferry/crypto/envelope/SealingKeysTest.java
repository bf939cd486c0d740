package dev.ferry.crypto.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.X25519;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Ephemeral sealing keys shared by a run of envelopes, and the recipient's remembered agreements. */
class SealingKeysTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");
    private static final Instant EXPIRES = NOW.plus(Duration.ofDays(7));

    private final IdentityKeyPair sender = IdentityKeyPair.generate(RANDOM);
    private final X25519.KeyPair recipient = X25519.generate(RANDOM);
    private final byte[] mailbox = Mailbox.keyFor(IdentityKeyPair.generate(RANDOM).peerId());

    private InnerContent content(String text) {
        return InnerContent.create(ContentType.SESSION_MESSAGE, sender.publicKey(), NOW, text.getBytes(StandardCharsets.UTF_8), RANDOM);
    }

    private static String ephemeralOf(SealedEnvelope.Sealed sealed) {
        return HexFormat.of().formatHex(Arrays.copyOf(sealed.ciphertext(), X25519.KEY_LENGTH));
    }

    private static String saltOf(SealedEnvelope.Sealed sealed) {
        return HexFormat.of().formatHex(Arrays.copyOfRange(sealed.ciphertext(), X25519.KEY_LENGTH, X25519.KEY_LENGTH + SealedEnvelope.SALT_LENGTH));
    }

    @Test
    void aRunOfEnvelopesSharesOneEphemeralKeyButNotAKeyOrNonceAndEachOpens() throws Exception {
        SealingKeys keys = new SealingKeys(RANDOM);
        OpeningKeys opening = new OpeningKeys(recipient);
        InnerContent same = content("the same words every time");
        Set<String> ephemerals = new HashSet<>();
        Set<String> salts = new HashSet<>();
        Set<String> sealedBytes = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            SealedEnvelope.Sealed sealed = SealedEnvelope.seal(same, recipient.publicKey(), mailbox, NOW, EXPIRES, keys);
            ephemerals.add(ephemeralOf(sealed));
            salts.add(saltOf(sealed));
            // Past the key and salt: the AES-GCM output, which would repeat if key and nonce did.
            sealedBytes.add(HexFormat.of().formatHex(Arrays.copyOfRange(sealed.ciphertext(), X25519.KEY_LENGTH + SealedEnvelope.SALT_LENGTH,
                    sealed.ciphertext().length)));
            EnvelopeHeader header = sealed.directHeader();
            assertThat(SealedEnvelope.open(opening, header, sealed.ciphertext(), NOW)).isEqualTo(same);
            assertThat(SealedEnvelope.open(recipient, header, sealed.ciphertext(), NOW)).isEqualTo(same);
        }
        assertThat(ephemerals).hasSize(1);
        assertThat(salts).hasSize(50);
        assertThat(sealedBytes).hasSize(50);
        assertThat(opening.size()).isEqualTo(1);
        assertThat(keys.size()).isEqualTo(1);
    }

    @Test
    void eachRecipientGetsItsOwnEphemeralKey() throws Exception {
        SealingKeys keys = new SealingKeys(RANDOM);
        X25519.KeyPair other = X25519.generate(RANDOM);
        SealedEnvelope.Sealed toRecipient = SealedEnvelope.seal(content("a"), recipient.publicKey(), mailbox, NOW, EXPIRES, keys);
        SealedEnvelope.Sealed toOther = SealedEnvelope.seal(content("b"), other.publicKey(), mailbox, NOW, EXPIRES, keys);
        assertThat(ephemeralOf(toRecipient)).isNotEqualTo(ephemeralOf(toOther));
        assertThat(SealedEnvelope.open(other, toOther.directHeader(), toOther.ciphertext(), NOW).payload()).isEqualTo("b".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> SealedEnvelope.open(new OpeningKeys(other), toRecipient.directHeader(), toRecipient.ciphertext(), NOW))
                .isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.reason()).isEqualTo(EnvelopeException.Reason.DECRYPTION_FAILED));
    }

    @Test
    void theEphemeralKeyIsReplacedAfterItsUsesOrItsAge() {
        AtomicLong nanos = new AtomicLong();
        SealingKeys keys = new SealingKeys(RANDOM, nanos::get, 3);
        Set<String> ephemerals = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            ephemerals.add(ephemeralOf(SealedEnvelope.seal(content("x"), recipient.publicKey(), mailbox, NOW, EXPIRES, keys)));
        }
        assertThat(ephemerals).hasSize(1);
        ephemerals.add(ephemeralOf(SealedEnvelope.seal(content("fourth"), recipient.publicKey(), mailbox, NOW, EXPIRES, keys)));
        assertThat(ephemerals).as("a new key after three uses").hasSize(2);
        nanos.addAndGet(SealingKeys.MAX_AGE.toNanos() - 1);
        ephemerals.add(ephemeralOf(SealedEnvelope.seal(content("fifth"), recipient.publicKey(), mailbox, NOW, EXPIRES, keys)));
        assertThat(ephemerals).as("still young enough").hasSize(2);
        nanos.addAndGet(1);
        ephemerals.add(ephemeralOf(SealedEnvelope.seal(content("sixth"), recipient.publicKey(), mailbox, NOW, EXPIRES, keys)));
        assertThat(ephemerals).as("a new key once a minute passed").hasSize(3);
    }

    @Test
    void keysAndAgreementsAreBoundedAndKeptOutOfToString() throws Exception {
        SealingKeys keys = new SealingKeys(RANDOM);
        for (int i = 0; i < SealingKeys.MAX_RECIPIENTS + 5; i++) {
            SealedEnvelope.seal(content("x"), X25519.generate(RANDOM).publicKey(), mailbox, NOW, EXPIRES, keys);
        }
        assertThat(keys.size()).isEqualTo(SealingKeys.MAX_RECIPIENTS);

        OpeningKeys opening = new OpeningKeys(recipient);
        for (int i = 0; i < OpeningKeys.MAX_ENTRIES + 5; i++) {
            SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content("y"), recipient.publicKey(), mailbox, NOW, EXPIRES, RANDOM);
            SealedEnvelope.open(opening, sealed.directHeader(), sealed.ciphertext(), NOW);
        }
        assertThat(opening.size()).isEqualTo(OpeningKeys.MAX_ENTRIES);
        assertThat(keys.toString() + opening).doesNotContain(HexFormat.of().formatHex(recipient.privateKey()));
    }

    @Test
    void aLowOrderEphemeralKeyIsRefusedAndNotRemembered() {
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content("z"), recipient.publicKey(), mailbox, NOW, EXPIRES, RANDOM);
        byte[] forged = sealed.ciphertext();
        Arrays.fill(forged, 0, X25519.KEY_LENGTH, (byte) 0); // u = 0: a low-order point
        EnvelopeHeader header = EnvelopeHeader.direct(mailbox, NOW, EXPIRES, sealed.directHeader().ackHash(), forged);
        OpeningKeys opening = new OpeningKeys(recipient);
        assertThatThrownBy(() -> SealedEnvelope.open(opening, header, forged, NOW))
                .isInstanceOfSatisfying(EnvelopeException.class, e -> assertThat(e.reason()).isEqualTo(EnvelopeException.Reason.DECRYPTION_FAILED));
        assertThat(opening.size()).isZero();
    }
}
