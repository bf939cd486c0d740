package dev.ferry.crypto.senderkey;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.proto.SenderKeyProto;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sender keys between members of one group: reading, ordering, refusals, epochs, persistence. */
class GroupSenderKeysTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final byte[] GROUP = "group-id-0123456789abcdef0123456".getBytes(StandardCharsets.US_ASCII);

    /** A member: its node identity and its current state for the group. */
    private static final class Member {
        final IdentityKeyPair identity = IdentityKeyPair.generate(RANDOM);
        GroupSenderKeys keys;

        Member(long epoch) {
            keys = GroupSenderKeys.create(GROUP, identity.publicKey(), epoch, RANDOM);
        }

        IdentityPublicKey id() {
            return identity.publicKey();
        }

        byte[] send(String text) {
            GroupSenderKeys.Encrypted encrypted = keys.encrypt(text.getBytes(StandardCharsets.UTF_8));
            keys = encrypted.next();
            return encrypted.message();
        }

        String read(byte[] message) throws SenderKeyException {
            GroupSenderKeys.Decrypted decrypted = keys.decrypt(message);
            keys = decrypted.next();
            return new String(decrypted.plaintext(), StandardCharsets.UTF_8);
        }

        /** Sends this member's distribution (bytes over the pairwise session) to each of {@code others}. */
        void distributeTo(Member... others) throws SenderKeyException {
            byte[] wire = keys.distribution().encode();
            for (Member other : others) other.keys = other.keys.accept(SenderKeyDistribution.decode(wire), id());
        }
    }

    private static void introduce(Member... members) throws SenderKeyException {
        for (Member from : members) {
            for (Member to : members) {
                if (from != to) from.distributeTo(to);
            }
        }
    }

    private static SenderKeyException.Reason refusal(Member reader, byte[] message) {
        GroupSenderKeys before = reader.keys;
        byte[] encodedBefore = before.encode();
        try {
            reader.keys.decrypt(message);
        } catch (SenderKeyException e) {
            assertThat(reader.keys).isSameAs(before);
            assertThat(reader.keys.encode()).isEqualTo(encodedBefore);
            return e.reason();
        }
        throw new AssertionError("message was not refused");
    }

    @Test
    void shouldReadAMessageSentBeforeTheDistributionThatArrivedFirstWhenTheEarlierOneArrivesAfterIt() throws Exception {
        Member alice = new Member(0), bob = new Member(0);
        byte[] initial = alice.keys.distribution().encode();
        byte[] first = alice.send("first");
        byte[] resent = alice.keys.distribution().encode(); // a reply to a key request, at iteration 1
        byte[] second = alice.send("second");

        bob.keys = bob.keys.accept(SenderKeyDistribution.decode(resent), alice.id());
        assertThat(refusal(bob, first)).isEqualTo(SenderKeyException.Reason.DUPLICATE_OR_TOO_OLD);
        assertThat(bob.read(second)).isEqualTo("second");
        bob.keys = bob.keys.accept(SenderKeyDistribution.decode(initial), alice.id());

        assertThat(bob.read(first)).isEqualTo("first");
        // nothing read is reopened, now or after a restart from the persisted state
        assertThat(refusal(bob, first)).isEqualTo(SenderKeyException.Reason.DUPLICATE_OR_TOO_OLD);
        assertThat(refusal(bob, second)).isEqualTo(SenderKeyException.Reason.DUPLICATE_OR_TOO_OLD);
        GroupSenderKeys restored = GroupSenderKeys.decode(bob.keys.encode());
        assertThat(restored).isEqualTo(bob.keys);
        bob.keys = restored.accept(SenderKeyDistribution.decode(initial), alice.id());
        assertThat(refusal(bob, first)).isEqualTo(SenderKeyException.Reason.DUPLICATE_OR_TOO_OLD);
        assertThat(bob.read(alice.send("third"))).isEqualTo("third");
    }

    @Test
    void shouldNotReachBackWithAChainKeyThatIsNotAnEarlierPointOfTheChainHeld() throws Exception {
        Member alice = new Member(0), bob = new Member(0);
        alice.send("zero");
        bob.keys = bob.keys.accept(alice.keys.distribution(), alice.id());
        byte[] held = bob.keys.encode();
        SenderKeyDistribution real = alice.keys.distribution();
        SenderKeyDistribution forged = new SenderKeyDistribution(GROUP, 0, alice.id(),
                new SenderChainKey(0, new byte[SenderChainKey.KEY_LENGTH]), real.signingKey());

        bob.keys = bob.keys.accept(forged, alice.id());

        assertThat(bob.keys.encode()).isEqualTo(held);
    }

    @Test
    void shouldLetEveryMemberReadEveryOtherMembersMessages() throws Exception {
        Member alice = new Member(0), bob = new Member(0), carol = new Member(0);
        introduce(alice, bob, carol);

        byte[] fromAlice = alice.send("hello group");
        byte[] fromBob = bob.send("hi alice");
        assertThat(bob.read(fromAlice)).isEqualTo("hello group");
        assertThat(carol.read(fromAlice)).isEqualTo("hello group");
        assertThat(alice.read(fromBob)).isEqualTo("hi alice");
        assertThat(carol.read(fromBob)).isEqualTo("hi alice");

        GroupSenderKeys.Decrypted again = carol.keys.decrypt(alice.send("second"));
        assertThat(again.sender()).isEqualTo(alice.id());
        assertThat(again.epoch()).isZero();
        assertThat(new String(again.plaintext(), StandardCharsets.UTF_8)).isEqualTo("second");
    }

    @Test
    void shouldReadOutOfOrderMessagesOnceAndRefuseReplays() throws Exception {
        Member alice = new Member(0), bob = new Member(0);
        introduce(alice, bob);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) sent.add(alice.send("m" + i));

        assertThat(bob.read(sent.get(3))).isEqualTo("m3");
        assertThat(bob.read(sent.get(0))).isEqualTo("m0");
        assertThat(bob.read(sent.get(4))).isEqualTo("m4");
        assertThat(bob.read(sent.get(2))).isEqualTo("m2");
        assertThat(bob.read(sent.get(1))).isEqualTo("m1");

        for (byte[] replay : sent) assertThat(refusal(bob, replay)).isEqualTo(SenderKeyException.Reason.DUPLICATE_OR_TOO_OLD);
    }

    @Test
    void shouldRefuseAMessageMoreThanMaxForwardAheadButReadOneExactlyThatFar() throws Exception {
        Member alice = new Member(0), bob = new Member(0);
        introduce(alice, bob);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i <= SenderKeyLimits.MAX_FORWARD + 1; i++) sent.add(alice.send("m" + i));

        assertThat(refusal(bob, sent.get(SenderKeyLimits.MAX_FORWARD + 1))).isEqualTo(SenderKeyException.Reason.TOO_FAR_AHEAD);
        assertThat(bob.read(sent.get(SenderKeyLimits.MAX_FORWARD))).isEqualTo("m" + SenderKeyLimits.MAX_FORWARD);
        assertThat(bob.read(sent.get(SenderKeyLimits.MAX_FORWARD + 1))).isEqualTo("m" + (SenderKeyLimits.MAX_FORWARD + 1));
        assertThat(bob.read(sent.get(7))).isEqualTo("m7");
    }

    @Test
    void shouldDropTheOldestSkippedKeysBeyondTheCap() throws Exception {
        Member alice = new Member(0), bob = new Member(0);
        introduce(alice, bob);
        int cap = SenderKeyLimits.MAX_SKIPPED_KEYS_PER_CHAIN;
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i <= cap + 2; i++) sent.add(alice.send("m" + i));

        bob.read(sent.get(cap));      // skips 0 .. cap-1: exactly the cap
        bob.read(sent.get(cap + 2));  // skips cap+1 as well: the oldest (0) goes
        assertThat(refusal(bob, sent.get(0))).isEqualTo(SenderKeyException.Reason.DUPLICATE_OR_TOO_OLD);
        assertThat(bob.read(sent.get(1))).isEqualTo("m1");
        assertThat(bob.read(sent.get(cap + 1))).isEqualTo("m" + (cap + 1));
    }

    @Test
    void shouldKeepTheGroupsSkippedKeysWithinTheGroupCapDroppingFromOtherChainsFirst() throws Exception {
        Member bob = new Member(0);
        int chainsAtTheirCap = SenderKeyLimits.MAX_SKIPPED_KEYS_PER_GROUP / SenderKeyLimits.MAX_SKIPPED_KEYS_PER_CHAIN + 1;
        List<byte[]> firstMessages = new ArrayList<>();
        byte[] lastSendersFirst = null;
        for (int i = 0; i < chainsAtTheirCap; i++) {
            IdentityKeyPair sender = IdentityKeyPair.generate(RANDOM);
            OwnSenderChain chain = OwnSenderChain.create(0, RANDOM);
            bob.keys = bob.keys.accept(chain.distribution(GROUP, sender.publicKey()), sender.publicKey());
            OwnSenderChain.Encrypted first = chain.encrypt(GROUP, sender.publicKey(), new byte[] {1});
            SenderChainKey far = first.next().chainKey();
            while (far.iteration() < SenderKeyLimits.MAX_SKIPPED_KEYS_PER_CHAIN) far = far.next(); // HMACs only, no signatures
            byte[] farMessage = new OwnSenderChain(0, far, chain.signingKey()).encrypt(GROUP, sender.publicKey(), new byte[] {2}).message().encode();
            bob.read(farMessage); // leaves every earlier key of this chain skipped
            firstMessages.add(first.message().encode());
            lastSendersFirst = first.message().encode();
        }

        int readable = 0;
        GroupSenderKeys probe = bob.keys;
        for (byte[] message : firstMessages) {
            try {
                probe.decrypt(message);
                readable++;
            } catch (SenderKeyException e) {
                assertThat(e.reason()).isEqualTo(SenderKeyException.Reason.DUPLICATE_OR_TOO_OLD);
            }
        }
        assertThat(readable).isEqualTo(chainsAtTheirCap - 1);
        assertThat(bob.keys.decrypt(lastSendersFirst).plaintext()).containsExactly(1);
        assertThat(GroupSenderKeys.decode(bob.keys.encode())).isEqualTo(bob.keys);
    }

    @Test
    void shouldRefuseAForgedSignatureOrAnotherSigningKeyWithoutChangingState() throws Exception {
        Member alice = new Member(0), bob = new Member(0);
        introduce(alice, bob);
        byte[] genuine = alice.send("genuine");

        SenderKeyProto.SenderKeyMessage parsed = SenderKeyProto.SenderKeyMessage.parseFrom(genuine);
        byte[] signature = parsed.getSignature().toByteArray();
        signature[5] ^= 0x20;
        byte[] forged = parsed.toBuilder().setSignature(ByteString.copyFrom(signature)).build().toByteArray();
        assertThat(refusal(bob, forged)).isEqualTo(SenderKeyException.Reason.BAD_SIGNATURE);

        // Mallory, who is not alice, writes as alice with its own chain and signing key.
        GroupSenderKeys mallory = GroupSenderKeys.create(GROUP, alice.id(), 0, RANDOM);
        byte[] impostor = mallory.encrypt("I am alice".getBytes(StandardCharsets.UTF_8)).message();
        assertThat(refusal(bob, impostor)).isEqualTo(SenderKeyException.Reason.BAD_SIGNATURE);

        // A flipped ciphertext byte breaks the signature over the body.
        byte[] body = parsed.getBody().toByteArray();
        body[body.length - 1] ^= 1;
        byte[] tampered = parsed.toBuilder().setBody(ByteString.copyFrom(body)).build().toByteArray();
        assertThat(refusal(bob, tampered)).isEqualTo(SenderKeyException.Reason.BAD_SIGNATURE);

        assertThat(bob.read(genuine)).isEqualTo("genuine");
    }

    @Test
    void shouldRefuseATamperedCiphertextThatIsSignedWithoutConsumingTheKey() throws Exception {
        Member alice = new Member(0), bob = new Member(0);
        introduce(alice, bob);
        SenderKeyProto.OwnSenderChainState own = SenderKeyProto.GroupSenderKeysState.parseFrom(alice.keys.encode()).getOwnChain();
        IdentityKeyPair signingKey = IdentityKeyPair.unmarshalPrivateKey(own.getSigningPrivateKey().toByteArray());
        byte[] genuine = alice.send("genuine");

        SenderKeyMessage message = SenderKeyMessage.decode(genuine);
        byte[] ciphertext = message.ciphertext();
        ciphertext[0] ^= 1;
        byte[] resigned = SenderKeyMessage.sign(GROUP, 0, alice.id(), message.iteration(), ciphertext, signingKey).encode();
        assertThat(refusal(bob, resigned)).isEqualTo(SenderKeyException.Reason.DECRYPTION_FAILED);
        // Moved to another iteration under a valid signature: the associated data no longer matches.
        byte[] moved = SenderKeyMessage.sign(GROUP, 0, alice.id(), message.iteration() + 1, message.ciphertext(), signingKey).encode();
        assertThat(refusal(bob, moved)).isEqualTo(SenderKeyException.Reason.DECRYPTION_FAILED);

        assertThat(bob.read(genuine)).isEqualTo("genuine");
    }

    @Test
    void shouldNotLetARemovedMemberReadTheNextEpoch() throws Exception {
        Member alice = new Member(0), bob = new Member(0), carol = new Member(0);
        introduce(alice, bob, carol);
        byte[] lateOldEpoch = alice.send("before carol left");

        // Carol is removed: alice and bob start epoch 1 and distribute to each other only.
        alice.keys = alice.keys.startEpoch(1, RANDOM);
        bob.keys = bob.keys.startEpoch(1, RANDOM);
        introduce(alice, bob);
        byte[] secret = alice.send("carol is gone");

        assertThat(bob.read(secret)).isEqualTo("carol is gone");
        assertThat(refusal(carol, secret)).isEqualTo(SenderKeyException.Reason.NO_SENDER_KEY);
        assertThat(carol.keys.hasChain(1, alice.id())).isFalse();
        assertThat(carol.keys.senders(1)).isEmpty();
        // Carol still holds every key of epoch 0, and none of them opens epoch 1.
        assertThat(carol.keys.hasChain(0, alice.id())).isTrue();
        assertThat(carol.read(lateOldEpoch)).isEqualTo("before carol left");

        // A late message of the old epoch still reaches bob.
        assertThat(bob.read(lateOldEpoch)).isEqualTo("before carol left");
    }

    @Test
    void shouldKeepABoundedNumberOfEpochs() throws Exception {
        Member alice = new Member(0), bob = new Member(0);
        introduce(alice, bob);
        byte[] epochZero = alice.send("epoch 0");
        SenderKeyDistribution oldDistribution = alice.keys.distribution();

        for (long epoch = 1; epoch < SenderKeyLimits.MAX_EPOCHS_KEPT; epoch++) {
            alice.keys = alice.keys.startEpoch(epoch, RANDOM);
            bob.keys = bob.keys.startEpoch(epoch, RANDOM);
            introduce(alice, bob);
        }
        assertThat(bob.keys.hasChain(0, alice.id())).isTrue();
        bob.keys = bob.keys.startEpoch(SenderKeyLimits.MAX_EPOCHS_KEPT, RANDOM);
        assertThat(bob.keys.hasChain(0, alice.id())).isFalse();
        assertThat(refusal(bob, epochZero)).isEqualTo(SenderKeyException.Reason.NO_SENDER_KEY);
        assertThatThrownBy(() -> bob.keys.accept(oldDistribution, alice.id()))
                .isInstanceOfSatisfying(SenderKeyException.class, e -> assertThat(e.reason()).isEqualTo(SenderKeyException.Reason.EPOCH_OUT_OF_RANGE));

        long tooFarAhead = bob.keys.currentEpoch() + SenderKeyLimits.MAX_EPOCHS_AHEAD + 1;
        SenderKeyDistribution future = GroupSenderKeys.create(GROUP, alice.id(), tooFarAhead, RANDOM).distribution();
        assertThatThrownBy(() -> bob.keys.accept(future, alice.id()))
                .isInstanceOfSatisfying(SenderKeyException.class, e -> assertThat(e.reason()).isEqualTo(SenderKeyException.Reason.EPOCH_OUT_OF_RANGE));
        SenderKeyDistribution ahead = GroupSenderKeys.create(GROUP, alice.id(), tooFarAhead - 1, RANDOM).distribution();
        assertThat(bob.keys.accept(ahead, alice.id()).hasChain(tooFarAhead - 1, alice.id())).isTrue();
        assertThatThrownBy(() -> bob.keys.startEpoch(bob.keys.currentEpoch(), RANDOM)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void shouldAcceptADistributionOnlyFromItsSendersSessionAndForThisGroup() throws Exception {
        Member alice = new Member(0), bob = new Member(0), mallory = new Member(0);
        SenderKeyDistribution fromAlice = alice.keys.distribution();
        assertThatThrownBy(() -> bob.keys.accept(fromAlice, mallory.id()))
                .isInstanceOfSatisfying(SenderKeyException.class, e -> assertThat(e.reason()).isEqualTo(SenderKeyException.Reason.SENDER_MISMATCH));
        SenderKeyDistribution otherGroup = GroupSenderKeys.create(new byte[] {1, 2, 3}, alice.id(), 0, RANDOM).distribution();
        assertThatThrownBy(() -> bob.keys.accept(otherGroup, alice.id()))
                .isInstanceOfSatisfying(SenderKeyException.class, e -> assertThat(e.reason()).isEqualTo(SenderKeyException.Reason.WRONG_GROUP));
        assertThatThrownBy(() -> bob.keys.accept(bob.keys.distribution(), bob.id()))
                .isInstanceOfSatisfying(SenderKeyException.class, e -> assertThat(e.reason()).isEqualTo(SenderKeyException.Reason.SENDER_MISMATCH));

        GroupSenderKeys aliceElsewhere = GroupSenderKeys.create(new byte[] {1, 2, 3}, alice.id(), 0, RANDOM);
        byte[] otherGroupMessage = aliceElsewhere.encrypt(new byte[] {9}).message();
        assertThat(refusal(bob, otherGroupMessage)).isEqualTo(SenderKeyException.Reason.WRONG_GROUP);
    }

    @Test
    void shouldIgnoreAResentDistributionSoThatReplaysStayRefused() throws Exception {
        Member alice = new Member(0), bob = new Member(0);
        byte[] firstDistribution = alice.keys.distribution().encode();
        introduce(alice, bob);
        byte[] first = alice.send("first");
        bob.read(first);

        GroupSenderKeys resent = bob.keys.accept(SenderKeyDistribution.decode(firstDistribution), alice.id());
        assertThat(resent).isSameAs(bob.keys);
        assertThat(refusal(bob, first)).isEqualTo(SenderKeyException.Reason.DUPLICATE_OR_TOO_OLD);
    }

    @Test
    void shouldRoundTripTheStateThroughProtobufExactly() throws Exception {
        Member alice = new Member(0), bob = new Member(0), carol = new Member(0);
        introduce(alice, bob, carol);
        List<byte[]> fromAlice = new ArrayList<>();
        for (int i = 0; i < 10; i++) fromAlice.add(alice.send("a" + i));
        bob.read(fromAlice.get(7));
        bob.read(fromAlice.get(2));
        bob.read(carol.send("c0"));
        bob.keys = bob.keys.startEpoch(1, RANDOM);
        alice.keys = alice.keys.startEpoch(1, RANDOM);
        alice.distributeTo(bob);
        byte[] newEpoch = alice.send("new epoch");

        byte[] encoded = bob.keys.encode();
        GroupSenderKeys decoded = GroupSenderKeys.decode(encoded);
        assertThat(decoded).isEqualTo(bob.keys);
        assertThat(decoded.encode()).isEqualTo(encoded);
        assertThat(decoded.currentEpoch()).isEqualTo(1);

        // The restored state behaves as the original: skipped keys, chains and its own chain.
        assertThat(new String(decoded.decrypt(fromAlice.get(5)).plaintext(), StandardCharsets.UTF_8)).isEqualTo("a5");
        assertThat(new String(decoded.decrypt(newEpoch).plaintext(), StandardCharsets.UTF_8)).isEqualTo("new epoch");
        assertThatThrownBy(() -> decoded.decrypt(fromAlice.get(2))).isInstanceOf(SenderKeyException.class);
        GroupSenderKeys.Encrypted fromRestored = decoded.encrypt("from restored".getBytes(StandardCharsets.UTF_8));
        GroupSenderKeys.Encrypted fromOriginal = bob.keys.encrypt("from restored".getBytes(StandardCharsets.UTF_8));
        assertThat(fromRestored.message()).isEqualTo(fromOriginal.message());
    }

    @Test
    void shouldKeepSecretsOutOfToString() throws Exception {
        Member alice = new Member(0), bob = new Member(0);
        introduce(alice, bob);
        byte[] message = alice.send("plaintext words");
        SenderKeyProto.SenderKeyDistribution wire = SenderKeyProto.SenderKeyDistribution.parseFrom(alice.keys.distribution().encode());
        String chainKeyHex = HexFormat.of().formatHex(wire.getChainKey().toByteArray());
        SenderKeyProto.GroupSenderKeysState state = SenderKeyProto.GroupSenderKeysState.parseFrom(alice.keys.encode());
        String ownChainHex = HexFormat.of().formatHex(state.getOwnChain().getChainKey().toByteArray());

        GroupSenderKeys.Decrypted decrypted = bob.keys.decrypt(message);
        for (String text : List.of(alice.keys.toString(), alice.keys.distribution().toString(), bob.keys.toString(),
                decrypted.toString(), SenderKeyMessage.decode(message).toString())) {
            assertThat(text).doesNotContain(chainKeyHex).doesNotContain(ownChainHex).doesNotContain("plaintext words");
        }
    }

    @Test
    void shouldRefuseOversizedPlaintextsAndMessages() {
        Member alice = new Member(0);
        assertThatThrownBy(() -> alice.keys.encrypt(new byte[SenderKeyLimits.MAX_PLAINTEXT_LENGTH + 1]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SenderKeyMessage.decode(new byte[SenderKeyLimits.MAX_MESSAGE_LENGTH + 1]))
                .isInstanceOfSatisfying(SenderKeyException.class, e -> assertThat(e.reason()).isEqualTo(SenderKeyException.Reason.TOO_LARGE));
        assertThatThrownBy(() -> SenderKeyDistribution.decode(new byte[SenderKeyLimits.MAX_DISTRIBUTION_LENGTH + 1]))
                .isInstanceOfSatisfying(SenderKeyException.class, e -> assertThat(e.reason()).isEqualTo(SenderKeyException.Reason.TOO_LARGE));
        assertThat(alice.keys.encrypt(new byte[SenderKeyLimits.MAX_PLAINTEXT_LENGTH]).message().length)
                .isLessThanOrEqualTo(SenderKeyLimits.MAX_MESSAGE_LENGTH);
    }
}
