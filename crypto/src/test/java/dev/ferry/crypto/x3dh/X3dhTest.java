package dev.ferry.crypto.x3dh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.proto.X3dhProto;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class X3dhTest {
    private static final PrekeyPolicy POLICY = PrekeyPolicy.DEFAULT;
    private final SecureRandom random = new SecureRandom();
    private final Instant start = Instant.parse("2026-12-01T10:00:00Z");

    private final MessagingIdentity alice = MessagingIdentity.create(IdentityKeyPair.generate(random), random);
    private final MessagingIdentity bob = MessagingIdentity.create(IdentityKeyPair.generate(random), random);
    private final PrekeyRing bobPrekeys = PrekeyRing.create(bob.nodeKey(), start, random);

    private PrekeyBundle bobBundle(PrekeyRing ring) throws X3dhException {
        // Through the wire form, as a bundle from the DHT would arrive.
        return PrekeyBundle.decode(PrekeyBundle.of(bob, ring.current()).encode());
    }

    @Test
    void bothSidesDeriveTheSameSecretAndAssociatedData() throws Exception {
        X3dh.Initiation initiation = X3dh.initiate(alice, bobBundle(bobPrekeys), bob.nodeKey().peerId(), start, POLICY, random);
        InitialMessage received = InitialMessage.decode(initiation.message().encode());
        X3dh.Agreement agreement = X3dh.respond(bob, bobPrekeys, received, start, POLICY);

        assertThat(agreement.sharedSecret()).hasSize(X3dh.SHARED_SECRET_LENGTH).isEqualTo(initiation.sharedSecret());
        assertThat(agreement.associatedData()).isEqualTo(initiation.associatedData()).hasSize(128);
        assertThat(agreement.remote()).isEqualTo(alice.publicIdentity());
        assertThat(initiation.remote()).isEqualTo(bob.publicIdentity());
        assertThat(agreement.ownRatchetKeyPair()).isEqualTo(bobPrekeys.current().keyPair());
        assertThat(initiation.remoteRatchetKey()).isEqualTo(bobPrekeys.current().keyPair().publicKey());
    }

    @Test
    void eachSessionGetsItsOwnSecretFromAFreshEphemeralKey() throws Exception {
        PrekeyBundle bundle = bobBundle(bobPrekeys);
        byte[] first = X3dh.initiate(alice, bundle, bob.nodeKey().peerId(), start, POLICY, random).sharedSecret();
        byte[] second = X3dh.initiate(alice, bundle, bob.nodeKey().peerId(), start, POLICY, random).sharedSecret();
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void aBundleOfTheReplacedPrekeyStillWorksWithinTheGracePeriod() throws Exception {
        PrekeyBundle oldBundle = bobBundle(bobPrekeys);
        Instant afterRotation = start.plus(POLICY.rotationInterval()).plusSeconds(60);
        PrekeyRing rotated = bobPrekeys.rotateIfDue(bob.nodeKey(), afterRotation, POLICY, random);
        assertThat(rotated.current().id()).isNotEqualTo(bobPrekeys.current().id());
        assertThat(rotated.prekeys()).hasSize(2);

        X3dh.Initiation initiation = X3dh.initiate(alice, oldBundle, bob.nodeKey().peerId(), afterRotation, POLICY, random);
        X3dh.Agreement agreement = X3dh.respond(bob, rotated, initiation.message(), afterRotation, POLICY);
        assertThat(agreement.sharedSecret()).isEqualTo(initiation.sharedSecret());

        // The new bundle works too, with the new prekey as the ratchet key.
        X3dh.Initiation fresh = X3dh.initiate(alice, bobBundle(rotated), bob.nodeKey().peerId(), afterRotation, POLICY, random);
        X3dh.Agreement freshAgreement = X3dh.respond(bob, rotated, fresh.message(), afterRotation, POLICY);
        assertThat(freshAgreement.sharedSecret()).isEqualTo(fresh.sharedSecret());
        assertThat(freshAgreement.ownRatchetKeyPair()).isEqualTo(rotated.current().keyPair());
    }

    @Test
    void aMessageOnAPrekeyPastItsGracePeriodIsRefused() throws Exception {
        Instant rotation = start.plus(POLICY.rotationInterval());
        X3dh.Initiation initiation = X3dh.initiate(alice, bobBundle(bobPrekeys), bob.nodeKey().peerId(), rotation, POLICY, random);
        PrekeyRing rotated = bobPrekeys.rotateIfDue(bob.nodeKey(), rotation, POLICY, random);
        Instant afterGrace = rotation.plus(POLICY.gracePeriod()).plusSeconds(1);

        assertThatThrownBy(() -> X3dh.respond(bob, rotated, initiation.message(), afterGrace, POLICY))
                .isInstanceOfSatisfying(X3dhException.class, e -> assertThat(e.reason()).isEqualTo(X3dhException.Reason.UNKNOWN_PREKEY));
        PrekeyRing pruned = rotated.rotateIfDue(bob.nodeKey(), afterGrace, POLICY, random);
        assertThat(pruned.prekeys()).extracting(SignedPrekey::id)
                .contains(rotated.current().id())
                .doesNotContain(bobPrekeys.current().id());
    }

    @Test
    void anInitiatorRefusesABundleItsOwnerHasDroppedOrThatIsDatedInTheFuture() throws Exception {
        PrekeyBundle bundle = bobBundle(bobPrekeys);
        Instant tooLate = start.plus(POLICY.maxBundleAge()).plusSeconds(1);
        assertThatThrownBy(() -> X3dh.initiate(alice, bundle, bob.nodeKey().peerId(), tooLate, POLICY, random))
                .isInstanceOfSatisfying(X3dhException.class, e -> assertThat(e.reason()).isEqualTo(X3dhException.Reason.STALE_PREKEY));
        Instant tooEarly = start.minus(PrekeyPolicy.MAX_CLOCK_SKEW).minusSeconds(1);
        assertThatThrownBy(() -> X3dh.initiate(alice, bundle, bob.nodeKey().peerId(), tooEarly, POLICY, random))
                .isInstanceOfSatisfying(X3dhException.class, e -> assertThat(e.reason()).isEqualTo(X3dhException.Reason.STALE_PREKEY));
    }

    @Test
    void aBundleWhosePrekeyIsSignedBySomeoneElseIsRefused() {
        // Mallory swaps in her own prekey and signs it with her key, keeping Bob's identity.
        IdentityKeyPair mallory = IdentityKeyPair.generate(random);
        SignedPrekey malloryPrekey = SignedPrekey.generate(mallory, 7, start, random);
        byte[] forged = X3dhProto.PrekeyBundle.newBuilder()
                .setIdentity(bob.publicIdentity().toProto())
                .setPrekeyId(7)
                .setPrekeyCreatedMillis(start.toEpochMilli())
                .setPrekeyPublic(ByteString.copyFrom(malloryPrekey.keyPair().publicKey()))
                .setPrekeySignature(ByteString.copyFrom(malloryPrekey.signature()))
                .build().toByteArray();
        assertRefused(forged, X3dhException.Reason.BAD_SIGNATURE);
    }

    @Test
    void aBundleWithAnUnsignedIdentityKeyIsRefused() {
        X3dhProto.PrekeyBundle.Builder bundle = honestBundleProto().toBuilder();
        bundle.getIdentityBuilder().setX25519Public(ByteString.copyFrom(X25519.generate(random).publicKey()));
        assertRefused(bundle.build().toByteArray(), X3dhException.Reason.BAD_SIGNATURE);
    }

    @Test
    void anIdentityWhoseSignatureIsBrokenIsRefusedEvenAfterTheGenuineOneWasAccepted() throws X3dhException {
        X3dhProto.PrekeyBundle proto = honestBundleProto();
        PrekeyBundle.decode(proto.toByteArray()); // the genuine identity, verified and remembered
        X3dhProto.PrekeyBundle.Builder forged = proto.toBuilder();
        byte[] signature = proto.getIdentity().getX25519Signature().toByteArray();
        signature[0] ^= 1;
        forged.getIdentityBuilder().setX25519Signature(ByteString.copyFrom(signature));
        assertRefused(forged.build().toByteArray(), X3dhException.Reason.BAD_SIGNATURE);
        forged = proto.toBuilder();
        forged.getIdentityBuilder().setX25519Public(ByteString.copyFrom(X25519.generate(random).publicKey()));
        assertRefused(forged.build().toByteArray(), X3dhException.Reason.BAD_SIGNATURE);
    }

    @Test
    void aBundleWithAnyFieldChangedAfterSigningIsRefused() {
        X3dhProto.PrekeyBundle proto = honestBundleProto();
        assertRefused(proto.toBuilder().setPrekeyId(proto.getPrekeyId() + 1).build().toByteArray(), X3dhException.Reason.BAD_SIGNATURE);
        assertRefused(proto.toBuilder().setPrekeyCreatedMillis(proto.getPrekeyCreatedMillis() + 1).build().toByteArray(), X3dhException.Reason.BAD_SIGNATURE);
        byte[] signature = proto.getPrekeySignature().toByteArray();
        signature[5] ^= 1;
        assertRefused(proto.toBuilder().setPrekeySignature(ByteString.copyFrom(signature)).build().toByteArray(), X3dhException.Reason.BAD_SIGNATURE);
        assertRefused(proto.toBuilder().setPrekeyPublic(ByteString.copyFrom(new byte[31])).build().toByteArray(), X3dhException.Reason.MALFORMED);
        assertRefused(new byte[PrekeyBundle.MAX_ENCODED_LENGTH + 1], X3dhException.Reason.MALFORMED);
    }

    @Test
    void aGenuineBundleOfSomeoneElseIsRefusedAsTheWrongIdentity() throws Exception {
        MessagingIdentity mallory = MessagingIdentity.create(IdentityKeyPair.generate(random), random);
        PrekeyBundle malloryBundle = PrekeyBundle.decode(PrekeyBundle.of(mallory, PrekeyRing.create(mallory.nodeKey(), start, random).current()).encode());
        assertThatThrownBy(() -> X3dh.initiate(alice, malloryBundle, bob.nodeKey().peerId(), start, POLICY, random))
                .isInstanceOfSatisfying(X3dhException.class, e -> {
                    assertThat(e.reason()).isEqualTo(X3dhException.Reason.WRONG_IDENTITY);
                    assertThat(e.getMessage()).contains(bob.nodeKey().peerId().toString());
                });
    }

    @Test
    void someoneClaimingAnotherIdentityDoesNotGetTheSecret() throws Exception {
        // Mallory copies Alice's public identity (its signature verifies) but has only her own keys.
        MessagingIdentity mallory = MessagingIdentity.create(IdentityKeyPair.generate(random), random);
        X3dh.Initiation real = X3dh.initiate(mallory, bobBundle(bobPrekeys), bob.nodeKey().peerId(), start, POLICY, random);
        InitialMessage claimingAlice = new InitialMessage(alice.publicIdentity(), real.message().ephemeralPublic(), real.message().prekeyId());
        X3dh.Agreement agreement = X3dh.respond(bob, bobPrekeys, claimingAlice, start, POLICY);
        assertThat(agreement.remote()).isEqualTo(alice.publicIdentity());
        assertThat(agreement.sharedSecret()).isNotEqualTo(real.sharedSecret());
    }

    @Test
    void anInitialMessageWithALowOrderEphemeralKeyIsRefused() throws Exception {
        InitialMessage lowOrder = new InitialMessage(alice.publicIdentity(), new byte[X25519.KEY_LENGTH], bobPrekeys.current().id());
        assertThatThrownBy(() -> X3dh.respond(bob, bobPrekeys, lowOrder, start, POLICY))
                .isInstanceOfSatisfying(X3dhException.class, e -> assertThat(e.reason()).isEqualTo(X3dhException.Reason.INVALID_KEY));
    }

    @Test
    void garbledBundlesAndInitialMessagesOnlyEverGiveX3dhExceptions() throws Exception {
        byte[] bundle = PrekeyBundle.of(bob, bobPrekeys.current()).encode();
        byte[] initial = X3dh.initiate(alice, bobBundle(bobPrekeys), bob.nodeKey().peerId(), start, POLICY, random).message().encode();
        SeededProperty.forAll("garbled x3dh input", 2000, r -> {
            for (byte[] honest : new byte[][] {bundle, initial}) {
                byte[] garbled = r.nextBoolean() ? honest.clone() : SeededProperty.bytes(r, r.nextInt(400));
                for (int flips = r.nextInt(4); flips >= 0 && garbled.length > 0; flips--) {
                    garbled[r.nextInt(garbled.length)] ^= (byte) (1 + r.nextInt(255));
                }
                try {
                    if (honest == bundle) PrekeyBundle.decode(garbled); else InitialMessage.decode(garbled);
                } catch (X3dhException expected) {
                    assertThat(expected.getMessage()).isNotBlank();
                }
            }
        });
    }

    @Test
    void secretsNeverAppearInToString() throws Exception {
        X3dh.Initiation initiation = X3dh.initiate(alice, bobBundle(bobPrekeys), bob.nodeKey().peerId(), start, POLICY, random);
        X3dh.Agreement agreement = X3dh.respond(bob, bobPrekeys, initiation.message(), start, POLICY);
        String hexSecret = HexFormat.of().formatHex(initiation.sharedSecret());
        String hexPrekey = HexFormat.of().formatHex(bobPrekeys.current().keyPair().privateKey());
        String hexIdentity = HexFormat.of().formatHex(alice.dhKeyPair().privateKey());
        for (Object o : new Object[] {initiation, agreement, alice, bobPrekeys, bobPrekeys.current(), alice.publicIdentity(), initiation.message()}) {
            assertThat(o.toString().toLowerCase()).doesNotContain(hexSecret).doesNotContain(hexPrekey).doesNotContain(hexIdentity);
        }
    }

    private static void assertRefused(byte[] bundle, X3dhException.Reason reason) {
        assertThatThrownBy(() -> PrekeyBundle.decode(bundle))
                .isInstanceOfSatisfying(X3dhException.class, e -> assertThat(e.reason()).isEqualTo(reason));
    }

    private X3dhProto.PrekeyBundle honestBundleProto() {
        try {
            return X3dhProto.PrekeyBundle.parseFrom(PrekeyBundle.of(bob, bobPrekeys.current()).encode());
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
