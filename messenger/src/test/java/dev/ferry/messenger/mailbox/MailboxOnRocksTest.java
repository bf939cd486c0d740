package dev.ferry.messenger.mailbox;

import static dev.ferry.messenger.mailbox.MailboxTestNetwork.START;
import static dev.ferry.messenger.mailbox.MailboxTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.PrekeyRing;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.rocks.RocksFerryStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole round on a RocksDB holder: stored, fetched, acknowledged, and still only a tombstone after a restart. */
class MailboxOnRocksTest {
    @TempDir
    Path dir;

    @Test
    void shouldServeAnEnvelopeFromRocksAndKeepOnlyItsTombstoneAcrossARestart() throws Exception {
        IdentityKeyPair recipient = IdentityKeyPair.generate(MailboxTestNetwork.RANDOM);
        MessagingIdentity recipientIdentity = MessagingIdentity.create(recipient, MailboxTestNetwork.RANDOM);
        TestEnvelope envelope = TestEnvelope.to(recipient.peerId(), START, START.plus(Duration.ofDays(1)), 5000);
        TestEnvelope other = TestEnvelope.to(recipient.peerId(), START, START.plus(Duration.ofDays(1)), 100);
        Path data = dir.resolve("holder");

        try (MailboxTestNetwork network = new MailboxTestNetwork()) {
            MailboxTestNetwork.Holder holder = network.holder(RocksFerryStore.open(data, StoreLimits.DEFAULTS));
            MailboxTestNetwork.Peer sender = network.peer();
            MailboxTestNetwork.Peer owner = network.peer(recipient, MailboxConfig.DEFAULTS);
            for (int i = 0; i < envelope.total(); i++) {
                assertThat(join(sender.client().store(holder.peerId(), envelope.header(), i, envelope.shard(i)))).isEqualTo(MailboxReply.OK);
            }
            join(sender.client().store(holder.peerId(), other.header(), 0, other.shard(0)));
            PrekeyBundle bundle = PrekeyBundle.of(recipientIdentity,
                    PrekeyRing.create(recipient, START, MailboxTestNetwork.RANDOM).current());
            assertThat(join(owner.client().putPrekeys(holder.peerId(), bundle))).isEqualTo(MailboxReply.OK);

            FetchedPage page = join(owner.client().fetch(holder.peerId(), recipient, Optional.empty(), 0));
            assertThat(page.shards()).hasSize(7);
            assertThat(join(owner.client().ack(holder.peerId(), envelope.id(), envelope.secret()))).isEqualTo(MailboxReply.OK);
        }

        try (RocksFerryStore reopened = RocksFerryStore.open(data, StoreLimits.DEFAULTS)) {
            assertThat(reopened.shards().has(envelope.id())).isFalse();
            assertThat(reopened.tombstones().contains(envelope.id())).isTrue();
            assertThat(reopened.shards().has(other.id())).isTrue();
            assertThat(reopened.heldPrekeyBundles().count()).isEqualTo(1);
        }
    }
}
