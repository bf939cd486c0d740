package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.await;
import static dev.ferry.messenger.MessengerTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.messenger.delivery.OutgoingEnvelope;
import dev.ferry.messenger.mailbox.MailboxStatus;
import dev.ferry.messenger.mailbox.RequestType;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.Shard;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Whole nodes on loopback: what a mailbox's holders do between themselves and for its owner. An
 * ACK one holder gets reaches the others; a shard stored while the owner watches is pushed to it.
 * Repair is off in both, since a repair round also spreads tombstones and shards.
 */
class MailboxHoldersTest extends WholeNetworkTest {
    /** The envelope's six holders, once the sender placed every shard (one each). */
    private List<FerryNode> awaitSixHolders(EnvelopeId envelope) {
        await("the envelope is on six holders", () -> network.liveShards(envelope) == 6 && network.holdersOf(List.of(envelope)).size() == 6);
        return network.holdersOf(List.of(envelope)).stream().map(network::node).toList();
    }

    @Test
    void anAckGivenToOneHolderIsForwardedToTheOthersWhichDeleteTheirShardsAndKeepTombstones() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.withoutRepair(MessengerTestNetwork.fastConfig()));
        List<FerryNode> nodes = network.start(12);
        FerryNode alice = nodes.get(2);
        int bobIndex = 8;
        FerryNode bob = nodes.get(bobIndex);
        PeerId bobId = network.meetThenStop(alice, bobIndex);
        Map<EnvelopeId, DeliveryState> states = MessengerTestNetwork.deliveryStates(alice);
        EnvelopeId envelope = MessengerTestNetwork.sendAndAwaitStored(alice, bobId, List.of("acknowledged at one holder"), states)
                .getFirst();
        List<FerryNode> holders = awaitSixHolders(envelope);

        // The ACK Bob would send, opened with his key; it reaches the first holder alone, which it names.
        OutgoingEnvelope sealed = OutgoingEnvelope.fromEntry(alice.store().outbox().get(envelope).orElseThrow());
        AckSecret secret = open(bob, sealed);
        FerryNode first = holders.getFirst();
        assertThat(join(alice.messaging().mailboxClient().ack(first.peerId(), envelope, secret, List.of(first.peerId()), 6)).status())
                .isEqualTo(MailboxStatus.OK);

        for (FerryNode holder : holders) {
            await("holder " + holder.peerId() + " keeps only a tombstone",
                    () -> !holder.store().shards().has(envelope) && holder.store().tombstones().contains(envelope));
        }
        for (FerryNode other : holders.subList(1, holders.size())) {
            assertThat(other.messaging().mailboxServer().metrics().requests(RequestType.ACK, MailboxStatus.OK))
                    .as("ACKs holder %s took", other.peerId()).isEqualTo(1);
        }
        await("the sender sees it delivered", () -> states.get(envelope) == DeliveryState.DELIVERED);
    }

    private static AckSecret open(FerryNode recipient, OutgoingEnvelope envelope) {
        try {
            return SealedEnvelope.open(recipient.ownKeys().identity().dhKeyPair(), envelope.header(), envelope.ciphertext(), Instant.now())
                    .ackSecret();
        } catch (dev.ferry.crypto.envelope.EnvelopeException e) {
            throw new AssertionError("the recipient cannot open its own envelope", e);
        }
    }

    @Test
    void aRecipientWatchingItsHoldersGetsAShardStoredMeanwhileAtOnceRatherThanAtItsNextFetch() {
        // The recipient lists its mailbox on joining and then only every ten minutes: within the
        // test's wait, only a WATCH push brings it what is stored after it joined.
        MessengerConfig fast = MessengerTestNetwork.withoutRepair(MessengerTestNetwork.fastConfig());
        network = new MessengerTestNetwork(dir, fast.withIntervals(Duration.ofMinutes(10), fast.acknowledgementCheck(),
                fast.repairInterval(), fast.sweepInterval()));
        List<FerryNode> nodes = network.start(12);
        FerryNode alice = nodes.get(2);
        int bobIndex = 8;
        PeerId bobId = network.meetThenStop(alice, bobIndex);
        Map<EnvelopeId, DeliveryState> states = MessengerTestNetwork.deliveryStates(alice);
        EnvelopeId envelope = MessengerTestNetwork.sendAndAwaitStored(alice, bobId, List.of("pushed"), states).getFirst();
        List<FerryNode> holders = awaitSixHolders(envelope);

        // Alice's outbox would deliver directly to a Bob who is online: so the test takes the shards
        // off their holders while he is away, and stores them again itself once he watches.
        Map<FerryNode, Shard> taken = new HashMap<>();
        for (FerryNode holder : holders) {
            taken.put(holder, holder.store().shards().getAll(envelope).getFirst());
            holder.store().write(batch -> batch.shards().deleteEnvelope(envelope));
        }
        Map<FerryNode, Long> watchesBefore = new HashMap<>();
        holders.forEach(h -> watchesBefore.put(h, h.messaging().mailboxServer().metrics().requests(RequestType.WATCH, MailboxStatus.OK)));
        FerryNode bob = network.start(bobIndex, UnaryOperator.identity());
        for (FerryNode holder : holders) {
            await("bob watches holder " + holder.peerId(), () -> holder.messaging().mailboxServer().metrics()
                    .requests(RequestType.WATCH, MailboxStatus.OK) > watchesBefore.get(holder));
        }
        assertThat(bob.conversation(alice.peerId(), 0, 10)).hasSize(1);

        OutgoingEnvelope sealed = OutgoingEnvelope.fromEntry(alice.store().outbox().get(envelope).orElseThrow());
        taken.forEach((holder, shard) -> assertThat(join(alice.messaging().mailboxClient()
                .store(holder.peerId(), sealed.header(), shard.index(), shard.data())).status()).isEqualTo(MailboxStatus.OK));
        await("the message arrives", () -> bob.conversation(alice.peerId(), 0, 10).size() == 2,
                () -> MessengerTestNetwork.summary(bob));
        assertThat(bob.conversation(alice.peerId(), 0, 10).get(1).text()).isEqualTo("pushed");
    }
}
