package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.await;
import static dev.ferry.messenger.MessengerTestNetwork.join;
import static dev.ferry.messenger.MessengerTestNetwork.texts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.messenger.delivery.OutgoingEnvelope;
import dev.ferry.messenger.direct.DeliveryResult;
import dev.ferry.messenger.direct.DirectClient;
import dev.ferry.messenger.direct.DirectMetrics;
import dev.ferry.messenger.mailbox.MailboxClient;
import dev.ferry.messenger.mailbox.MailboxConfig;
import dev.ferry.messenger.mailbox.MailboxReply;
import dev.ferry.messenger.mailbox.MailboxStatus;
import dev.ferry.monitoring.Metrics;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.Shard;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Whole nodes on loopback with a hostile one among them: forged ACKs, a tampered shard, replayed envelopes. */
class HostileDeliveryTest extends WholeNetworkTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    private static long shardsHeld(List<FerryNode> holders, List<EnvelopeId> envelopes) {
        return holders.stream().mapToLong(h -> envelopes.stream().mapToLong(e -> h.store().shards().getAll(e).size()).sum()).sum();
    }

    @Test
    void forgedAcksDeleteNothingATamperedShardIsIgnoredAndAReplayIsNotDeliveredTwice() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(20);
        FerryNode alice = nodes.get(2);
        FerryNode mallory = nodes.get(4);
        int bobIndex = 9;
        PeerId bob = network.meetThenStop(alice, bobIndex);

        Map<EnvelopeId, DeliveryState> states = MessengerTestNetwork.deliveryStates(alice);
        List<EnvelopeId> envelopes = MessengerTestNetwork.sendAndAwaitStored(alice, bob, texts("secret", 10), states);
        List<FerryNode> online = nodes.stream().filter(n -> n != nodes.get(bobIndex)).toList();
        await("every envelope is on six holders", () -> shardsHeld(online, envelopes) == 6L * envelopes.size());
        List<FerryNode> holders = nodes.stream()
                .filter(n -> n != nodes.get(bobIndex) && envelopes.stream().anyMatch(e -> n.store().shards().has(e))).toList();
        List<FerryNode> others = holders.stream().filter(h -> h != mallory).toList(); // Mallory may hold shards too

        // Mallory acknowledges every envelope at every holder with secrets of its own: nothing goes.
        MailboxClient malloryMailbox = new MailboxClient(mallory.host(), Clock.systemUTC(), scheduler, MailboxConfig.DEFAULTS);
        others.forEach(h -> mallory.host().peerStore().addAddresses(h.peerId(), h.addresses()));
        for (EnvelopeId envelope : envelopes) {
            for (FerryNode holder : others) {
                byte[] forged = new byte[AckSecret.LENGTH];
                MessengerTestNetwork.RANDOM.nextBytes(forged);
                MailboxReply reply = join(malloryMailbox.ack(holder.peerId(), envelope, AckSecret.of(forged)));
                assertThat(reply.status()).isIn(MailboxStatus.BAD_SECRET, MailboxStatus.NOT_FOUND);
            }
        }
        assertThat(shardsHeld(holders, envelopes)).isEqualTo(6L * envelopes.size());
        // A copy of the first envelope for Mallory's replay below (the outbox drops the ciphertext once it is acknowledged).
        OutgoingEnvelope replayed = OutgoingEnvelope.fromEntry(alice.store().outbox().get(envelopes.getFirst()).orElseThrow());

        // One holder's disk flips a bit in every shard it holds.
        FerryNode damaged = holders.getFirst();
        for (EnvelopeId envelope : envelopes) {
            List<Shard> held = damaged.store().shards().getAll(envelope);
            damaged.store().write(batch -> {
                batch.shards().deleteEnvelope(envelope);
                for (Shard shard : held) {
                    byte[] data = shard.data();
                    data[0] ^= 1;
                    batch.shards().put(new Shard(shard.envelope(), shard.index(), shard.mailbox(), shard.sender(), shard.expiry(),
                            shard.header(), data));
                }
            });
        }

        FerryNode back = network.start(bobIndex, UnaryOperator.identity());
        await("every message arrives", () -> back.conversation(alice.peerId(), 0, 100).size() == envelopes.size() + 1);
        await("the sender sees every message delivered", () -> envelopes.stream().allMatch(e -> states.get(e) == DeliveryState.DELIVERED));
        await("the tampered shards were noticed", () -> back.messaging().retrieval().tamperedShards() > 0);

        // Mallory replays a delivered envelope: directly, and to a holder. Neither delivers it again.
        mallory.host().peerStore().addAddresses(bob, back.addresses());
        DirectClient malloryDirect = new DirectClient(mallory.host(), scheduler, DirectMetrics.register(Metrics.create()));
        DeliveryResult result = join(malloryDirect.deliver(bob, replayed.header(), replayed.ciphertext(), Duration.ofSeconds(10)));
        assertThat(result).isInstanceOf(DeliveryResult.Delivered.class); // the copy is acknowledged, not delivered
        FerryNode holder = others.get(1);
        await("the holder keeps a tombstone", () -> holder.store().tombstones().contains(envelopes.getFirst()));
        byte[] shard = new dev.ferry.store.erasure.ReedSolomonCodec(dev.ferry.store.erasure.ErasureParameters.DEFAULT)
                .encode(replayed.ciphertext()).shard(0);
        assertThat(join(malloryMailbox.store(holder.peerId(), replayed.header(), 0, shard)).status()).isEqualTo(MailboxStatus.TOMBSTONED);
        join(back.fetchMailbox());
        assertThat(back.conversation(alice.peerId(), 0, 100)).hasSize(envelopes.size() + 1);
        assertThat(back.messaging().intakeMetrics().duplicates()).isPositive();
    }
}
