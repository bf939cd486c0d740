package dev.ferry.messenger.session;

import dev.ferry.messenger.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.messenger.proto.SessionProto;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SessionLayerTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
    // A fresh seed per test: the JDK refuses to encrypt twice in a row with one key and nonce, which
    // a repeated seed would make every test's first message do.
    private final java.security.SecureRandom random = new java.security.SecureRandom();
    private final SessionParty alice = SessionParty.inMemory("alice", clock, random);
    private final SessionParty bob = SessionParty.inMemory("bob", clock, random);

    @Test
    void firstMessagesCarryTheInitialMessageUntilTheFirstReplyArrives() {
        SealedMessage first = alice.sealAndCommit(bob, "one", 0);
        SealedMessage second = alice.sealAndCommit(bob, "two", 0);
        assertThat(first.carriesInitialMessage()).isTrue();
        assertThat(second.carriesInitialMessage()).isTrue();
        assertThat(List.of(first.sequence(), second.sequence())).containsExactly(0L, 1L);

        bob.accept(Envelope.of(second.sealed()));
        bob.accept(Envelope.of(first.sealed()));
        assertThat(bob.inboxTexts()).containsExactly("one", "two");

        Envelope reply = bob.send(alice, "hello alice");
        alice.accept(reply);
        assertThat(alice.sealAndCommit(bob, "three", Long.MAX_VALUE).carriesInitialMessage()).isFalse();
        assertThat(alice.inboxTexts()).containsExactly("hello alice");
    }

    @Test
    void aRunOfEnvelopesToOnePeerSharesOneEphemeralSealingKeyAndEachOpens() {
        List<SealedMessage> run = List.of(alice.sealAndCommit(bob, "one", 0), alice.sealAndCommit(bob, "two", 0),
                alice.sealAndCommit(bob, "three", 0));
        java.util.Set<String> ephemerals = new java.util.HashSet<>();
        java.util.Set<String> salts = new java.util.HashSet<>();
        for (SealedMessage message : run) {
            byte[] ciphertext = message.sealed().ciphertext();
            ephemerals.add(java.util.HexFormat.of().formatHex(ciphertext, 0, 32));
            salts.add(java.util.HexFormat.of().formatHex(ciphertext, 32, 32 + dev.ferry.crypto.envelope.SealedEnvelope.SALT_LENGTH));
            bob.accept(Envelope.of(message.sealed()));
        }
        assertThat(ephemerals).hasSize(1);
        assertThat(salts).hasSize(3);
        assertThat(bob.inboxTexts()).containsExactly("one", "two", "three");
    }

    @Test
    void sealingWithoutASessionOrABundleSaysSo() {
        assertThatThrownBy(() -> alice.layer.seal(bob.peerId(), Optional.empty(), ContentType.TEXT, new byte[1],
                clock.instant().plusSeconds(60), Long.MAX_VALUE))
                .isInstanceOfSatisfying(SessionException.class, e -> assertThat(e.reason()).isEqualTo(SessionException.Reason.NO_SESSION));
        assertThat(alice.layer.hasSession(bob.peerId())).isFalse();
    }

    @Test
    void aBundleOfAnotherPeerIsRefused() {
        SessionParty carol = SessionParty.inMemory("carol", clock, random);
        assertThatThrownBy(() -> alice.layer.seal(bob.peerId(), Optional.of(carol.bundle()), ContentType.TEXT, new byte[1],
                clock.instant().plusSeconds(60), Long.MAX_VALUE))
                .isInstanceOfSatisfying(SessionException.class, e -> assertThat(e.reason()).isEqualTo(SessionException.Reason.BAD_BUNDLE));
    }

    @Test
    void nothingChangesUntilTheCallerWritesTheChange() {
        SealedMessage unwritten = alice.seal(bob, "dropped", Long.MAX_VALUE);
        assertThat(alice.layer.hasSession(bob.peerId())).isFalse();
        SealedMessage written = alice.sealAndCommit(bob, "kept", Long.MAX_VALUE);
        assertThat(written.sequence()).isEqualTo(unwritten.sequence());

        OpenResult opened = bob.layer.open(Envelope.of(written.sealed()).header(), written.sealed().ciphertext());
        assertThat(opened).isInstanceOf(OpenResult.Accepted.class);
        assertThat(bob.layer.hasSession(alice.peerId())).isFalse();
        bob.accept(Envelope.of(written.sealed()));
        assertThat(bob.inboxTexts()).containsExactly("kept");
    }

    @Test
    void aChangeComputedFromAnOlderRecordIsRefusedInsideTheBatch() {
        alice.sealAndCommit(bob, "start", Long.MAX_VALUE);
        SealedMessage first = alice.seal(bob, "first", Long.MAX_VALUE);
        // The JDK refuses one key and nonce twice in a row only: anything encrypted between hides the reuse.
        alice.seal(SessionParty.inMemory("carol", clock, random), "between", Long.MAX_VALUE);
        SealedMessage second = alice.seal(bob, "second", Long.MAX_VALUE); // from the same state: same message key
        alice.store.write(first.commit());
        byte[] before = alice.store.sessions().get(dev.ferry.store.PeerBytes.of(bob.peerId().toBytes())).orElseThrow();
        assertThatThrownBy(() -> alice.store.write(second.commit())).isInstanceOf(StaleSessionRecordException.class);
        assertThat(alice.store.sessions().get(dev.ferry.store.PeerBytes.of(bob.peerId().toBytes())).orElseThrow()).isEqualTo(before);
    }

    @Test
    void aSealWhoseChangeIsNeverWrittenLeavesTheNextToStartFromTheStoredRecord() {
        bob.accept(alice.send(bob, "start"));
        SealedMessage dropped = alice.seal(bob, "dropped", Long.MAX_VALUE);
        alice.seal(SessionParty.inMemory("carol", clock, random), "between", Long.MAX_VALUE); // see the test above
        SealedMessage kept = alice.sealAndCommit(bob, "kept", 0);
        SealedMessage next = alice.sealAndCommit(bob, "next", 0);

        assertThat(kept.sequence()).isEqualTo(dropped.sequence());
        bob.accept(Envelope.of(next.sealed()));
        bob.accept(Envelope.of(kept.sealed()));
        assertThat(bob.inboxTexts()).containsExactly("start", "kept", "next");
        assertThat(bob.refuse(Envelope.of(kept.sealed())).reason()).isEqualTo(Refusal.DUPLICATE);
    }

    @Test
    void messagesOutOfOrderAreHeldAndDeliveredWhenTheGapCloses() {
        List<Envelope> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) sent.add(alice.send(bob, "m" + i));
        assertThat(bob.accept(sent.get(3)).deliverable()).isEmpty();
        assertThat(bob.accept(sent.get(1)).deliverable()).isEmpty();
        assertThat(bob.accept(sent.get(0)).deliverable()).extracting(ReceivedMessage::sequence).containsExactly(0L, 1L);
        assertThat(bob.accept(sent.get(2)).deliverable()).extracting(ReceivedMessage::sequence).containsExactly(2L, 3L);
        assertThat(bob.accept(sent.get(4)).deliverable()).extracting(ReceivedMessage::sequence).containsExactly(4L);
        assertThat(bob.inboxTexts()).containsExactly("m0", "m1", "m2", "m3", "m4");
    }

    @Test
    void aDuplicateEnvelopeIsRefusedWithItsAckSecret() {
        Envelope envelope = alice.send(bob, "once");
        OpenResult.Accepted accepted = bob.accept(envelope);
        OpenResult.Refused again = bob.refuse(envelope);
        assertThat(again.reason()).isEqualTo(Refusal.DUPLICATE);
        assertThat(again.ackSecret()).contains(accepted.ackSecret());
        assertThat(bob.inboxTexts()).containsExactly("once");
    }

    @Test
    void aGapBelowTheSendersFloorIsSkipped() {
        Envelope lost = Envelope.of(alice.sealAndCommit(bob, "lost", 0).sealed());
        Envelope held = Envelope.of(alice.sealAndCommit(bob, "held", 0).sealed());
        assertThat(bob.accept(held).deliverable()).isEmpty();
        // "lost" expired at Alice: her floor moves past it, and her next message says so.
        Envelope next = Envelope.of(alice.sealAndCommit(bob, "next", 1).sealed());
        assertThat(bob.accept(next).deliverable()).extracting(ReceivedMessage::sequence).containsExactly(1L, 2L);
        assertThat(bob.refuse(lost).reason()).isEqualTo(Refusal.DUPLICATE);
        assertThat(bob.inboxTexts()).containsExactly("held", "next");
    }

    @Test
    void aMessageTooFarAheadIsRefusedUntilTheGapCloses() {
        Envelope first = Envelope.of(alice.sealAndCommit(bob, "first", 0).sealed());
        List<Envelope> later = new ArrayList<>();
        for (int i = 0; i < SessionLimits.MAX_SEQUENCE_AHEAD; i++) later.add(Envelope.of(alice.sealAndCommit(bob, "x", 0).sealed()));
        assertThat(bob.refuse(later.getLast()).reason()).isEqualTo(Refusal.TOO_FAR_AHEAD);
        bob.accept(first);
        assertThat(bob.accept(later.getLast()).deliverable()).isEmpty();
    }

    @Test
    void aTamperedCiphertextIsRefused() {
        Envelope envelope = alice.send(bob, "x");
        byte[] tampered = envelope.ciphertext().clone();
        tampered[tampered.length - 1] ^= 1;
        assertThat(bob.refuse(new Envelope(envelope.header(), tampered)).reason()).isEqualTo(Refusal.MALFORMED);
        assertThat(bob.refuse(Envelope.of(reseal(envelope, bob, alice, tamperRatchet()))).reason()).isEqualTo(Refusal.UNDECRYPTABLE);
    }

    @Test
    void anEnvelopeSealedToSomeoneElseIsNotForUs() {
        SessionParty carol = SessionParty.inMemory("carol", clock, random);
        Envelope toCarol = alice.send(carol, "for carol");
        assertThat(bob.refuse(toCarol).reason()).isEqualTo(Refusal.NOT_FOR_US);
    }

    @Test
    void anExpiredEnvelopeIsRefused() {
        Envelope envelope = alice.send(bob, "late");
        clock.advance(SessionParty.TTL);
        assertThat(bob.refuse(envelope).reason()).isEqualTo(Refusal.EXPIRED);
    }

    @Test
    void anInnerSenderThatIsNotTheSessionsPeerIsRefused() {
        SessionParty mallory = SessionParty.inMemory("mallory", clock, random);
        bob.accept(alice.send(bob, "hi"));
        // Mallory's own initial message, with the inner sender claiming Alice.
        Envelope forged = Envelope.of(reseal(mallory.send(bob, "I am alice"), bob, alice, p -> p));
        assertThat(bob.refuse(forged).reason()).isEqualTo(Refusal.WRONG_SENDER);
        // Mallory's message without the initial message, claiming Alice: no session of Alice's reads it.
        Envelope withoutInitial = Envelope.of(reseal(mallory.send(bob, "I am alice"), bob, alice,
                p -> p.toBuilder().clearInitialMessage().build()));
        assertThat(bob.refuse(withoutInitial).reason()).isEqualTo(Refusal.UNDECRYPTABLE);
        assertThat(bob.inboxTexts()).containsExactly("hi");
    }

    @Test
    void simultaneousInitiationConvergesOnOneSessionAndKeepsWorking() {
        Envelope fromAlice = alice.send(bob, "a0");
        Envelope fromBob = bob.send(alice, "b0");
        // Both cross in flight; each side sends again before seeing the other's reply.
        alice.accept(fromBob);
        bob.accept(fromAlice);
        Envelope a1 = alice.send(bob, "a1");
        Envelope b1 = bob.send(alice, "b1");
        bob.accept(a1);
        alice.accept(b1);
        for (int i = 2; i < 20; i++) {
            bob.accept(alice.send(bob, "a" + i));
            alice.accept(bob.send(alice, "b" + i));
        }
        assertThat(alice.record(bob).current().baseKey).isEqualTo(bob.record(alice).current().baseKey);
        assertThat(bob.inboxTexts()).hasSize(20).first().isEqualTo("a0");
        assertThat(alice.inboxTexts()).hasSize(20).last().isEqualTo("b19");
        assertThat(alice.sealAndCommit(bob, "done", Long.MAX_VALUE).carriesInitialMessage()).isFalse();
        assertThat(bob.sealAndCommit(alice, "done", Long.MAX_VALUE).carriesInitialMessage()).isFalse();
    }

    @Test
    void simultaneousInitiationConvergesWhenOnlyOneInitiationArrives() {
        Envelope fromAlice = alice.send(bob, "a0");
        bob.send(alice, "b0 (lost)");
        bob.accept(fromAlice);
        alice.accept(Envelope.of(bob.sealAndCommit(alice, "b1", 0).sealed())); // b0 still in flight
        bob.accept(alice.send(bob, "a1"));
        assertThat(alice.record(bob).current().baseKey).isEqualTo(bob.record(alice).current().baseKey);
        assertThat(bob.inboxTexts()).containsExactly("a0", "a1");
        // b0 was lost: Alice holds b1 until Bob's floor passes b0 (it expired).
        assertThat(alice.inboxTexts()).isEmpty();
        alice.accept(Envelope.of(bob.sealAndCommit(alice, "b2", 1).sealed()));
        assertThat(alice.inboxTexts()).containsExactly("b1", "b2");
    }

    @Test
    void aPeerThatLostItsStateStartsAgainAndItsOldMessagesAreRefused() {
        Envelope oldFromBob = null;
        for (int i = 0; i < 3; i++) {
            bob.accept(alice.send(bob, "a" + i));
            oldFromBob = bob.send(alice, "b" + i);
            alice.accept(oldFromBob);
        }
        Envelope toOldBob = alice.send(bob, "to the old bob");
        bob.loseState();

        assertThat(bob.refuse(toOldBob).reason()).as("sealed to Bob's lost identity key").isEqualTo(Refusal.NOT_FOR_US);
        OpenResult.Accepted restarted = alice.accept(bob.send(alice, "bob again"));
        assertThat(restarted.startedSession()).isTrue();
        assertThat(restarted.peerRestarted()).isTrue();
        for (int i = 0; i < 3; i++) {
            bob.accept(alice.send(bob, "again a" + i));
            alice.accept(bob.send(alice, "again b" + i));
        }
        assertThat(bob.inboxTexts()).containsExactly("again a0", "again a1", "again a2");
        assertThat(alice.inboxTexts()).containsExactly("b0", "b1", "b2", "bob again", "again b0", "again b1", "again b2");
        // The old Bob's message, sealed again so that no tombstone knows it: its sequence is retired.
        assertThat(alice.refuse(Envelope.of(reseal(oldFromBob, alice, bob, p -> p))).reason())
                .isIn(Refusal.STALE, Refusal.UNDECRYPTABLE);
    }

    @Test
    void aReplayedInitialMessageDoesNotReplaceAWorkingSession() {
        Envelope first = alice.send(bob, "first");
        bob.accept(first);
        alice.accept(bob.send(alice, "reply"));
        bob.accept(alice.send(bob, "second"));
        // The same envelope again: the tombstone refuses it.
        assertThat(bob.refuse(first).reason()).isEqualTo(Refusal.DUPLICATE);
        // Its payload sealed anew (no tombstone knows it): the session of its initial message refuses the used key.
        // (Alice has ratcheted since, so its chain's keys are gone: it reads as a forgery, refused all the same.)
        Envelope replayed = Envelope.of(reseal(first, bob, alice, p -> p));
        assertThat(bob.refuse(replayed).reason()).isIn(Refusal.DUPLICATE, Refusal.UNDECRYPTABLE);

        // After Alice starts over, her first session is gone from Bob's record; its initial message is still refused.
        alice.loseState();
        bob.accept(alice.send(bob, "new alice"));
        assertThat(bob.record(alice).sessions).hasSize(1);
        assertThat(bob.refuse(Envelope.of(reseal(first, bob, alice, p -> p))).reason()).isEqualTo(Refusal.REPLAYED_INITIAL);
        bob.accept(alice.send(bob, "still working"));
        alice.accept(bob.send(alice, "yes"));
        assertThat(bob.inboxTexts()).containsExactly("first", "second", "new alice", "still working");
        assertThat(alice.inboxTexts()).containsExactly("yes");
    }

    @Test
    void theRecordRoundTripsExactly() {
        Envelope fromAlice = alice.send(bob, "a0");
        Envelope fromBob = bob.send(alice, "b0");
        alice.accept(fromBob);
        bob.accept(fromAlice);
        alice.send(bob, "a1");
        Envelope a2 = alice.send(bob, "a2");
        bob.accept(a2); // held: a1 is missing
        SessionRecord record = bob.record(alice);
        assertThat(record.sessions).hasSize(2);
        assertThat(record.heldView()).containsOnlyKeys(2L);
        assertThat(record.acceptedBaseKeys).hasSize(1);
        byte[] encoded = record.encode();
        assertThat(SessionRecord.decode(encoded).encode()).isEqualTo(encoded);
        assertThatThrownBy(() -> SessionRecord.decode(Arrays.copyOf(encoded, encoded.length / 2)))
                .isInstanceOf(CorruptSessionRecordException.class);
    }

    @Test
    void noSecretOrBodyAppearsInToString() {
        SealedMessage sealed = alice.sealAndCommit(bob, "the secret body", Long.MAX_VALUE);
        OpenResult.Accepted accepted = bob.accept(Envelope.of(sealed.sealed()));
        String shown = sealed + " " + accepted + " " + accepted.deliverable() + " " + bob.record(alice) + " " + bob.layer;
        assertThat(shown).doesNotContain("the secret body").doesNotContain(java.util.HexFormat.of().formatHex(accepted.ackSecret().bytes()));
    }

    private static UnaryOperator<SessionProto.SessionPayload> tamperRatchet() {
        return p -> {
            byte[] ratchet = p.getRatchetMessage().toByteArray();
            ratchet[ratchet.length - 1] ^= 1;
            return p.toBuilder().setRatchetMessage(ByteString.copyFrom(ratchet)).build();
        };
    }

    private SealedEnvelope.Sealed reseal(Envelope envelope, SessionParty opener, SessionParty claimed,
            UnaryOperator<SessionProto.SessionPayload> change) {
        return Forgeries.reseal(envelope, opener, claimed, change);
    }
}
