package dev.ferry.crypto.ratchet;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.X25519;
import dev.ferry.crypto.ratchet.RatchetException.Reason;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The Double Ratchet's behaviour as the specification describes it, case by case. */
class RatchetSessionTest {
    private final SecureRandom keys = new DeterministicSecureRandom(7);
    private RatchetSession alice;
    private RatchetSession bob;
    private SessionPair pair;

    @BeforeEach
    void createSessions(TestInfo test) {
        // One seed per test: the same keys in two tests would encrypt under one key and nonce twice.
        pair = SessionPair.create(test.getDisplayName().hashCode());
        alice = pair.alice();
        bob = pair.bob();
    }

    // Helpers that advance the test's copy of a party's state, as a messenger would.

    private byte[] aliceSends(String text) {
        RatchetSession.Encrypted e = alice.encrypt(text.getBytes(UTF_8));
        alice = e.next();
        return e.message();
    }

    private byte[] bobSends(String text) {
        RatchetSession.Encrypted e = bob.encrypt(text.getBytes(UTF_8));
        bob = e.next();
        return e.message();
    }

    private String bobReceives(byte[] message) throws RatchetException {
        RatchetSession.Decrypted d = bob.decrypt(message, keys);
        bob = d.next();
        return new String(d.plaintext(), UTF_8);
    }

    private String aliceReceives(byte[] message) throws RatchetException {
        RatchetSession.Decrypted d = alice.decrypt(message, keys);
        alice = d.next();
        return new String(d.plaintext(), UTF_8);
    }

    /** Asserts that {@code receiver} refuses {@code message} for {@code reason} and that its state is unchanged. */
    private void assertRefused(RatchetSession receiver, byte[] message, Reason reason) {
        byte[] before = receiver.toBytes();
        assertThatThrownBy(() -> receiver.decrypt(message, keys))
                .isInstanceOfSatisfying(RatchetException.class, e -> assertThat(e.reason()).isEqualTo(reason));
        assertThat(receiver.toBytes()).isEqualTo(before);
    }

    @Test
    void shouldDecryptMessagesInOrderInBothDirections() throws Exception {
        assertThat(bobReceives(aliceSends("hello bob"))).isEqualTo("hello bob");
        assertThat(bobReceives(aliceSends("second"))).isEqualTo("second");
        assertThat(aliceReceives(bobSends("hi alice"))).isEqualTo("hi alice");
        assertThat(aliceReceives(bobSends("again"))).isEqualTo("again");
        assertThat(bobReceives(aliceSends("third"))).isEqualTo("third");
        assertThat(alice.skippedMessageKeyCount()).isZero();
        assertThat(bob.skippedMessageKeyCount()).isZero();
    }

    @Test
    void shouldChangeTheRatchetKeyOnEveryTurnOfTheConversation() throws Exception {
        byte[] a1 = aliceSends("a1");
        bobReceives(a1);
        byte[] b1 = bobSends("b1");
        aliceReceives(b1);
        byte[] a2 = aliceSends("a2");
        RatchetMessage first = RatchetMessage.decode(a1);
        RatchetMessage reply = RatchetMessage.decode(b1);
        RatchetMessage next = RatchetMessage.decode(a2);
        assertThat(next.ratchetPublicKey()).isNotEqualTo(first.ratchetPublicKey());
        assertThat(reply.ratchetPublicKey()).isNotEqualTo(first.ratchetPublicKey());
        assertThat(next.previousChainLength()).isEqualTo(1);
        assertThat(next.messageNumber()).isZero();
    }

    @Test
    void shouldNotLetTheResponderSendBeforeItHasReceived() {
        assertThat(bob.canSend()).isFalse();
        assertThatThrownBy(() -> bob.encrypt(new byte[1])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRefuseToEncryptTwiceFromTheSameState() {
        alice.encrypt(new byte[1]);
        assertThatThrownBy(() -> alice.encrypt(new byte[1])).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void shouldRefuseAPlaintextAboveTheLimit() {
        assertThatThrownBy(() -> alice.encrypt(new byte[RatchetLimits.MAX_PLAINTEXT_SIZE + 1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(alice.encrypt(new byte[RatchetLimits.MAX_PLAINTEXT_SIZE]).message()).hasSize(RatchetLimits.MAX_MESSAGE_SIZE);
    }

    @Test
    void shouldDecryptMessagesOutOfOrderWithinAChainOnce() throws Exception {
        byte[] a0 = aliceSends("a0");
        byte[] a1 = aliceSends("a1");
        byte[] a2 = aliceSends("a2");
        byte[] a3 = aliceSends("a3");
        assertThat(bobReceives(a2)).isEqualTo("a2");
        assertThat(bob.skippedMessageKeyCount()).isEqualTo(2);
        assertThat(bobReceives(a0)).isEqualTo("a0");
        assertThat(bobReceives(a3)).isEqualTo("a3");
        assertThat(bobReceives(a1)).isEqualTo("a1");
        assertThat(bob.skippedMessageKeyCount()).isZero();
        assertRefused(bob, a1, Reason.DUPLICATE);
        assertRefused(bob, a2, Reason.DUPLICATE);
    }

    @Test
    void shouldDecryptOldChainMessagesAfterADhRatchetStep() throws Exception {
        byte[] a0 = aliceSends("a0");
        byte[] a1 = aliceSends("a1");
        bobReceives(a0);
        aliceReceives(bobSends("b0"));
        byte[] a2 = aliceSends("a2"); // new chain, PN = 2
        aliceReceives(bobSends("b1"));
        assertThat(bobReceives(a2)).isEqualTo("a2");
        assertThat(bob.skippedMessageKeyCount()).isEqualTo(1);
        assertThat(bobReceives(a1)).isEqualTo("a1");
        assertThat(bob.skippedMessageKeyCount()).isZero();
    }

    @Test
    void shouldStoreKeysSkippedThroughPreviousChainLength() throws Exception {
        byte[] a0 = aliceSends("a0");
        byte[] a1 = aliceSends("a1");
        byte[] a2 = aliceSends("a2");
        bobReceives(a0);
        aliceReceives(bobSends("b0"));
        byte[] a3 = aliceSends("a3");
        byte[] a4 = aliceSends("a4");
        assertThat(RatchetMessage.decode(a4).previousChainLength()).isEqualTo(3);
        assertThat(bobReceives(a4)).isEqualTo("a4"); // skips a1, a2 (through PN) and a3
        assertThat(bob.skippedMessageKeyCount()).isEqualTo(3);
        assertThat(bobReceives(a2)).isEqualTo("a2");
        assertThat(bobReceives(a3)).isEqualTo("a3");
        assertThat(bobReceives(a1)).isEqualTo("a1");
        assertThat(bob.skippedMessageKeyCount()).isZero();
    }

    @Test
    void shouldHandleBothSidesSendingAtOnce() throws Exception {
        bobReceives(aliceSends("hello"));
        byte[] a1 = aliceSends("a1");
        byte[] a2 = aliceSends("a2");
        byte[] b1 = bobSends("b1");
        byte[] b2 = bobSends("b2");
        assertThat(aliceReceives(b1)).isEqualTo("b1");
        assertThat(bobReceives(a1)).isEqualTo("a1");
        byte[] a3 = aliceSends("a3");
        byte[] b3 = bobSends("b3");
        assertThat(bobReceives(a3)).isEqualTo("a3");
        assertThat(aliceReceives(b3)).isEqualTo("b3");
        assertThat(bobReceives(a2)).isEqualTo("a2");
        assertThat(aliceReceives(b2)).isEqualTo("b2");
        assertThat(aliceReceives(bobSends("b4"))).isEqualTo("b4");
        assertThat(bobReceives(aliceSends("a4"))).isEqualTo("a4");
        assertThat(alice.skippedMessageKeyCount()).isZero();
        assertThat(bob.skippedMessageKeyCount()).isZero();
    }

    @Test
    void shouldRefuseAGapAboveMaxSkipWithoutChangingState() throws Exception {
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i <= RatchetLimits.MAX_SKIP + 1; i++) sent.add(aliceSends("a" + i));
        assertRefused(bob, sent.get(RatchetLimits.MAX_SKIP + 1), Reason.TOO_MANY_SKIPPED);
        assertThat(bobReceives(sent.get(RatchetLimits.MAX_SKIP))).isEqualTo("a" + RatchetLimits.MAX_SKIP);
        assertThat(bob.skippedMessageKeyCount()).isEqualTo(RatchetLimits.MAX_SKIP);
        assertThat(bobReceives(sent.get(RatchetLimits.MAX_SKIP + 1))).isEqualTo("a" + (RatchetLimits.MAX_SKIP + 1));
        assertThat(bobReceives(sent.get(0))).isEqualTo("a0");
    }

    @Test
    void shouldRefuseAPreviousChainLengthAboveMaxSkip() throws Exception {
        List<byte[]> firstChain = new ArrayList<>();
        for (int i = 0; i <= RatchetLimits.MAX_SKIP + 1; i++) firstChain.add(aliceSends("a" + i));
        bobReceives(firstChain.get(0));
        aliceReceives(bobSends("b0"));
        byte[] next = aliceSends("next"); // PN = MAX_SKIP + 2: Bob would skip MAX_SKIP + 1 keys of the old chain
        assertRefused(bob, next, Reason.TOO_MANY_SKIPPED);
    }

    @Test
    void shouldDropTheOldestSkippedKeysAtTheTotalCap() throws Exception {
        // Three chains of Alice, each skipped almost entirely: 3 * MAX_SKIP keys offered, the cap keeps the newest.
        List<byte[]> all = new ArrayList<>();
        for (int chain = 0; chain < 3; chain++) {
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i <= RatchetLimits.MAX_SKIP; i++) sent.add(aliceSends("c" + chain + "m" + i));
            bobReceives(sent.get(RatchetLimits.MAX_SKIP));
            all.addAll(sent);
            aliceReceives(bobSends("turn " + chain));
        }
        assertThat(bob.skippedMessageKeyCount()).isEqualTo(RatchetLimits.MAX_SKIPPED_KEYS);
        // The first chain's keys went first: its messages are gone, the later chains' still decrypt.
        assertRefused(bob, all.get(0), Reason.AUTHENTICATION_FAILED); // an old chain whose keys are gone looks like a forgery
        int secondChainStart = RatchetLimits.MAX_SKIP + 1;
        assertThat(bobReceives(all.get(secondChainStart))).isEqualTo("c1m0");
        assertThat(bobReceives(all.get(2 * secondChainStart + 5))).isEqualTo("c2m5");
        assertThat(bob.skippedMessageKeyCount()).isEqualTo(RatchetLimits.MAX_SKIPPED_KEYS - 2);
    }

    @Test
    void shouldRefuseAReplay() throws Exception {
        byte[] a0 = aliceSends("a0");
        bobReceives(a0);
        assertRefused(bob, a0, Reason.DUPLICATE);
        byte[] a1 = aliceSends("a1");
        byte[] a2 = aliceSends("a2");
        bobReceives(a2);
        bobReceives(a1); // from the skipped keys, which then forget it
        assertRefused(bob, a1, Reason.DUPLICATE);
        assertRefused(bob, a2, Reason.DUPLICATE);
    }

    @Test
    void shouldRefuseAReplayFromAnOlderChain() throws Exception {
        byte[] a0 = aliceSends("a0");
        bobReceives(a0);
        aliceReceives(bobSends("b0"));
        bobReceives(aliceSends("a1"));
        // a0's chain is no longer Bob's receiving chain and its key is gone: indistinguishable from a forgery.
        assertRefused(bob, a0, Reason.AUTHENTICATION_FAILED);
        assertThat(aliceReceives(bobSends("still fine"))).isEqualTo("still fine");
    }

    @Test
    void shouldRefuseATamperedCiphertextHeaderOrAssociatedDataWithoutChangingState() throws Exception {
        byte[] a0 = aliceSends("a0");
        byte[] a1 = aliceSends("a1");
        bobReceives(a0);
        byte[] ciphertextFlipped = a1.clone();
        ciphertextFlipped[ciphertextFlipped.length - 1] ^= 1;
        assertRefused(bob, ciphertextFlipped, Reason.AUTHENTICATION_FAILED);
        byte[] ratchetKeyFlipped = a1.clone();
        ratchetKeyFlipped[RatchetMessage.RATCHET_KEY_OFFSET + 3] ^= 0x10;
        assertRefused(bob, ratchetKeyFlipped, Reason.AUTHENTICATION_FAILED);
        byte[] pnChanged = a1.clone();
        pnChanged[RatchetMessage.PN_OFFSET + 3] ^= 1;
        assertRefused(bob, pnChanged, Reason.AUTHENTICATION_FAILED);
        byte[] nChanged = a1.clone();
        nChanged[RatchetMessage.N_OFFSET + 3] ^= 3; // N = 2: would skip N = 1 if it were kept
        assertRefused(bob, nChanged, Reason.AUTHENTICATION_FAILED);
        RatchetSession bobWithOtherAd = RatchetSession.fromBytes(bob.toBytes());
        RatchetSession otherAd = RatchetSession.initAsResponder(pair.sharedSecret(), new byte[] {1, 2, 3},
                X25519.generate(keys));
        assertRefused(otherAd, a0, Reason.AUTHENTICATION_FAILED);
        assertThat(bobWithOtherAd).isEqualTo(bob);
        assertThat(bobReceives(a1)).isEqualTo("a1");
        assertThat(bob.skippedMessageKeyCount()).isZero();
    }

    @Test
    void shouldNotAdvanceTheDhRatchetOnATamperedMessageWithANewRatchetKey() throws Exception {
        bobReceives(aliceSends("a0"));
        byte[] b0 = bobSends("b0"); // carries Bob's new ratchet key: Alice would do a DH step
        byte[] tampered = b0.clone();
        tampered[RatchetMessage.HEADER_LENGTH] ^= 1;
        assertRefused(alice, tampered, Reason.AUTHENTICATION_FAILED);
        byte[] forgedKey = b0.clone();
        byte[] randomKey = X25519.generate(keys).publicKey();
        System.arraycopy(randomKey, 0, forgedKey, RatchetMessage.RATCHET_KEY_OFFSET, randomKey.length);
        assertRefused(alice, forgedKey, Reason.AUTHENTICATION_FAILED);
        assertThat(aliceReceives(b0)).isEqualTo("b0");
        assertThat(bobReceives(aliceSends("a1"))).isEqualTo("a1");
    }

    @Test
    void shouldRefuseALowOrderRatchetKeyAsMalformed() {
        byte[] a0 = aliceSends("a0");
        byte[] zeroKey = a0.clone();
        java.util.Arrays.fill(zeroKey, RatchetMessage.RATCHET_KEY_OFFSET, RatchetMessage.PN_OFFSET, (byte) 0);
        assertRefused(bob, zeroKey, Reason.MALFORMED);
    }

    @Test
    void shouldRefuseMessagesOfAnotherSession() {
        SessionPair other = SessionPair.create(43);
        byte[] foreign = other.alice().encrypt("not for you".getBytes(UTF_8)).message();
        assertRefused(bob, foreign, Reason.AUTHENTICATION_FAILED);
    }

    @Test
    void shouldContinueAfterARestartFromSerialisedState() throws Exception {
        byte[] a0 = aliceSends("a0");
        byte[] a1 = aliceSends("a1");
        bobReceives(a1);
        bob = RatchetSession.fromBytes(bob.toBytes());
        alice = RatchetSession.fromBytes(alice.toBytes());
        assertThat(bobReceives(a0)).isEqualTo("a0");
        assertThat(aliceReceives(bobSends("b0"))).isEqualTo("b0");
    }

    @Test
    void shouldKeepSecretsOutOfToString() throws Exception {
        String secretHex = HexFormat.of().formatHex(pair.sharedSecret());
        RatchetSession.Encrypted e = alice.encrypt("secret text".getBytes(UTF_8));
        RatchetSession.Decrypted d = bob.decrypt(e.message(), keys);
        for (Object shown : List.of(alice, bob, e, d, d.next(), RatchetMessage.decode(e.message()))) {
            assertThat(shown.toString()).doesNotContain(secretHex).doesNotContain("secret text");
        }
        assertThat(bob.toString()).doesNotContain(HexFormat.of().formatHex(bob.toBytes()).substring(0, 40));
    }
}
