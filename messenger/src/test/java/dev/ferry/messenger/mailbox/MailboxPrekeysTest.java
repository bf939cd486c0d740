package dev.ferry.messenger.mailbox;

import static dev.ferry.messenger.mailbox.MailboxTestNetwork.RANDOM;
import static dev.ferry.messenger.mailbox.MailboxTestNetwork.START;
import static dev.ferry.messenger.mailbox.MailboxTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.SignedPrekey;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.memory.InMemoryFerryStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** PREKEYS PUT and GET: a holder keeps each peer's own, newest bundle under its mailbox, within a count. */
class MailboxPrekeysTest {
    private final MailboxTestNetwork network = new MailboxTestNetwork();

    @AfterEach
    void close() {
        network.close();
    }

    private static PrekeyBundle bundle(MessagingIdentity identity, int id, Instant created) {
        return PrekeyBundle.of(identity, SignedPrekey.generate(identity.nodeKey(), id, created, RANDOM));
    }

    private MailboxTestNetwork.Peer peerOf(MessagingIdentity identity) {
        return network.peer(identity.nodeKey(), MailboxConfig.DEFAULTS);
    }

    @Test
    void shouldHoldAPeersOwnBundleAndReplaceItOnlyWithANewerOne() {
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS));
        MessagingIdentity alice = MessagingIdentity.create(IdentityKeyPair.generate(RANDOM), RANDOM);
        MailboxTestNetwork.Peer alicePeer = peerOf(alice);
        MailboxTestNetwork.Peer sender = network.peer();
        PrekeyBundle first = bundle(alice, 1, START.minus(Duration.ofDays(1)));
        PrekeyBundle newer = bundle(alice, 2, START);
        PrekeyBundle older = bundle(alice, 3, START.minus(Duration.ofDays(2)));

        assertThat(join(sender.client().getPrekeys(holder.peerId(), alice.nodeKey().peerId()))).isEmpty();
        assertThat(join(alicePeer.client().putPrekeys(holder.peerId(), first))).isEqualTo(MailboxReply.OK);
        assertThat(join(alicePeer.client().putPrekeys(holder.peerId(), first)).status()).isEqualTo(MailboxStatus.OK);
        assertThat(join(sender.client().getPrekeys(holder.peerId(), alice.nodeKey().peerId()))).contains(first);

        assertThat(join(alicePeer.client().putPrekeys(holder.peerId(), newer))).isEqualTo(MailboxReply.OK);
        assertThat(join(alicePeer.client().putPrekeys(holder.peerId(), older)).status()).isEqualTo(MailboxStatus.OUTDATED_BUNDLE);
        assertThat(join(sender.client().getPrekeys(holder.peerId(), alice.nodeKey().peerId()))).contains(newer);
        assertThat(holder.store().heldPrekeyBundles().expiry(MailboxKey.of(Mailbox.keyFor(alice.nodeKey().peerId()))))
                .contains(START.plus(MailboxConfig.DEFAULT_HELD_BUNDLE_LIFETIME));
    }

    @Test
    void shouldRefuseSomeoneElsesBundleAStaleOneAndBytesThatAreNotABundle() {
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS));
        MessagingIdentity alice = MessagingIdentity.create(IdentityKeyPair.generate(RANDOM), RANDOM);
        MailboxTestNetwork.Peer mallory = network.peer();
        MailboxTestNetwork.Peer alicePeer = peerOf(alice);

        assertThat(join(mallory.client().putPrekeys(holder.peerId(), bundle(alice, 1, START))).status())
                .isEqualTo(MailboxStatus.WRONG_PEER);
        assertThat(join(alicePeer.client().putPrekeys(holder.peerId(),
                bundle(alice, 1, START.minus(MailboxConfig.DEFAULT_HELD_BUNDLE_LIFETIME)))).status())
                .isEqualTo(MailboxStatus.STALE_BUNDLE);
        assertThat(join(alicePeer.client().putPrekeys(holder.peerId(), bundle(alice, 1, START.plus(Duration.ofDays(1))))).status())
                .isEqualTo(MailboxStatus.STALE_BUNDLE);
        byte[] forged = bundle(alice, 1, START).encode();
        forged[forged.length - 1] ^= 1; // the prekey signature no longer verifies
        MailboxResponse answer = join(alicePeer.client().exchange(holder.peerId(),
                List.of(new MailboxRequest.PutPrekeys(1, forged)))).getFirst();
        assertThat(answer.status()).isEqualTo(MailboxStatus.BAD_BUNDLE);

        assertThat(holder.store().heldPrekeyBundles().count()).isZero();
    }

    @Test
    void shouldRefuseANewPeersBundleWhenTheHolderHoldsItsLimit() {
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(
                new StoreLimits(1 << 20, 1 << 20, 1 << 20, 1 << 16, 1)));
        MessagingIdentity alice = MessagingIdentity.create(IdentityKeyPair.generate(RANDOM), RANDOM);
        MessagingIdentity bob = MessagingIdentity.create(IdentityKeyPair.generate(RANDOM), RANDOM);
        MailboxTestNetwork.Peer alicePeer = peerOf(alice);

        assertThat(join(alicePeer.client().putPrekeys(holder.peerId(), bundle(alice, 1, START)))).isEqualTo(MailboxReply.OK);
        assertThat(join(peerOf(bob).client().putPrekeys(holder.peerId(), bundle(bob, 1, START))).status())
                .isEqualTo(MailboxStatus.PREKEYS_FULL);
        assertThat(join(alicePeer.client().putPrekeys(holder.peerId(), bundle(alice, 2, START.plusSeconds(1)))))
                .isEqualTo(MailboxReply.OK);
    }

    @Test
    void shouldStopServingABundleOnceItsLifetimeHasPassed() {
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS));
        MessagingIdentity alice = MessagingIdentity.create(IdentityKeyPair.generate(RANDOM), RANDOM);
        join(peerOf(alice).client().putPrekeys(holder.peerId(), bundle(alice, 1, START)));
        MailboxTestNetwork.Peer sender = network.peer();

        network.clock.advance(MailboxConfig.DEFAULT_HELD_BUNDLE_LIFETIME);

        assertThat(join(sender.client().getPrekeys(holder.peerId(), alice.nodeKey().peerId()))).isEmpty();
        assertThat(join(holder.server().sweepNow()).prekeyBundles()).isEqualTo(1);
    }
}
