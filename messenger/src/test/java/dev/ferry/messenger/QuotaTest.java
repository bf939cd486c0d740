package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.await;
import static dev.ferry.messenger.MessengerTestNetwork.join;
import static dev.ferry.messenger.MessengerTestNetwork.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.messenger.mailbox.MailboxClient;
import dev.ferry.messenger.mailbox.MailboxConfig;
import dev.ferry.messenger.mailbox.MailboxStatus;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.StoreLimits;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whole nodes on loopback with small store limits: a flooding peer is refused and told why, honest senders are not refused. */
class QuotaTest extends WholeNetworkTest {
    /** 64 KiB per sending peer, 256 KiB per mailbox, 1 MiB in all. */
    private static final StoreLimits SMALL = new StoreLimits(1 << 20, 256 << 10, 64 << 10, 16 << 10);

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    /** Shard 0 of a valid 4 KiB envelope to a stranger's mailbox, coded 4 + 2, with its header. */
    private record FloodShard(EnvelopeHeader header, byte[] shard) {}

    private static FloodShard floodShard() {
        MessengerTestNetwork.CodedEnvelope envelope = MessengerTestNetwork.strangerEnvelope(4096);
        return new FloodShard(envelope.header(), envelope.shards().shard(0));
    }

    @Test
    void aMessageOverTheSendersLargestEnvelopeIsRefusedBeforeAnythingChangesAndTheConversationGoesOn() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig().withMaxEnvelopeBytes(8 << 10));
        List<FerryNode> nodes = network.start(4);
        FerryNode alice = nodes.get(0);
        FerryNode bob = nodes.get(1);
        join(alice.send(bob.peerId(), "first"));
        await("the first message arrives", () -> bob.conversation(alice.peerId(), 0, 10).size() == 1);

        assertThatThrownBy(() -> join(alice.send(bob.peerId(), "x".repeat(16 << 10))))
                .hasRootCauseInstanceOf(IllegalArgumentException.class)
                .rootCause().hasMessageContaining("over this node's largest of 8192");

        // The refused message took no sequence number and changed no session: the next one simply follows the first.
        join(alice.send(bob.peerId(), "x".repeat(4 << 10)));
        await("the next message arrives", () -> bob.conversation(alice.peerId(), 0, 10).size() == 2);
        List<ReceivedMessage> received = bob.conversation(alice.peerId(), 0, 10);
        assertThat(received.get(1).sequence()).isEqualTo(received.get(0).sequence() + 1);
    }

    @Test
    void aPeerFloodingTheHoldersIsRefusedPastItsQuotaWhileAnotherSendersMessagesAreStoredAndDelivered() {
        // Without repair: an upkeep round drops the flood's shards from holders that are not among the
        // stranger mailbox's closest, which hands the flooder its quota back before it is tested.
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.withoutRepair(MessengerTestNetwork.fastConfig().withStoreLimits(SMALL)));
        List<FerryNode> nodes = network.start(20);
        FerryNode alice = nodes.get(1);
        FerryNode mallory = nodes.get(2);
        int bobIndex = 8;
        PeerId bob = network.meetThenStop(alice, bobIndex);

        // Mallory stores at every other node as fast as answers come, until each refuses it (Alice's
        // node too: as a holder it has no more room for Mallory than the others).
        MailboxClient flood = new MailboxClient(mallory.host(), Clock.systemUTC(), scheduler, MailboxConfig.DEFAULTS);
        for (FerryNode target : nodes) {
            if (target == mallory || target == nodes.get(bobIndex)) continue;
            mallory.host().peerStore().addAddresses(target.peerId(), target.addresses());
            int accepted = 0;
            while (true) {
                FloodShard next = floodShard();
                MailboxStatus status = join(flood.store(target.peerId(), next.header(), 0, next.shard())).status();
                if (status != MailboxStatus.OK) {
                    assertThat(status).isEqualTo(MailboxStatus.PEER_QUOTA);
                    break;
                }
                accepted++;
            }
            assertThat(accepted).as("shards taken from the flooder before its quota").isBetween(40, 70);
        }

        // Alice's messages to the absent Bob are stored all the same, and delivered when he returns.
        Map<EnvelopeId, DeliveryState> states = MessengerTestNetwork.deliveryStates(alice);
        List<EnvelopeId> envelopes = MessengerTestNetwork.sendAndAwaitStored(alice, bob, texts("honest", 20), states);

        // Mallory's own node, sending through its outbox, is refused the same way and is told why
        // (with shards larger than what is left of its quota: the flood stopped at the first refusal).
        // No holder has room for it, so it stays queued and the refusal stays its reason.
        EnvelopeId overQuota = join(mallory.send(bob, "x".repeat(16 << 10)));
        await("a holder's refusal reaches Mallory's outbox", () -> join(mallory.lastRefusal(overQuota)).isPresent(),
                () -> join(mallory.deliveryState(overQuota)) + " " + MessengerTestNetwork.summary(mallory));
        assertThat(join(mallory.lastRefusal(overQuota))).contains(MailboxStatus.PEER_QUOTA);
        assertThat(join(mallory.deliveryState(overQuota))).contains(DeliveryState.QUEUED);
        assertThat(MessengerTestNetwork.metric(mallory, "ferry_messenger_shards_not_placed_total{reason=\"peer_quota\"}")).isPositive();
        FerryNode back = network.start(bobIndex, UnaryOperator.identity());
        await("every message arrives", () -> back.conversation(alice.peerId(), 0, 100).size() == envelopes.size() + 1);
    }
}
