package dev.ferry.messenger;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.messenger.delivery.DeliveryPorts.DirectOutcome;
import dev.ferry.messenger.direct.DeliveryResult;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The direct route against a simulated node: where the recipient listens, and what the DHT says. */
class DirectRouteTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final Multiaddr OLD = Multiaddr.parse("/ip4/127.0.0.1/tcp/4001");
    private static final Multiaddr NEW = Multiaddr.parse("/ip4/127.0.0.1/tcp/4002");

    private final PeerId recipient = IdentityKeyPair.generate(RANDOM).peerId();
    private final AckSecret secret = AckSecret.generate(RANDOM);
    private final EnvelopeHeader header = EnvelopeHeader.direct(new byte[32], Instant.now(), Instant.now().plusSeconds(60),
            AckSecret.ackHash(secret.bytes()), new byte[100]);

    /** The simulated node: the recipient answers at {@link #listening}, when we dial an address we know. */
    private final class FakeNetwork implements DirectRoute.Network {
        final List<Multiaddr> known = new ArrayList<>();
        Multiaddr listening = NEW;
        List<Multiaddr> inDht = List.of(NEW);
        boolean connected;
        final AtomicInteger searches = new AtomicInteger();
        final AtomicInteger deliveries = new AtomicInteger();

        @Override
        public boolean connected(PeerId peer) {
            return connected;
        }

        @Override
        public List<Multiaddr> addresses(PeerId peer) {
            return List.copyOf(known);
        }

        @Override
        public void addAddresses(PeerId peer, List<Multiaddr> addresses) {
            for (Multiaddr a : addresses) if (!known.contains(a)) known.add(a);
        }

        @Override
        public CompletableFuture<List<Multiaddr>> findPeer(PeerId peer) {
            searches.incrementAndGet();
            return CompletableFuture.completedFuture(inDht);
        }

        @Override
        public CompletableFuture<DeliveryResult> deliver(PeerId peer, EnvelopeHeader h, byte[] ciphertext, Duration timeout) {
            deliveries.incrementAndGet();
            boolean reachable = connected || known.contains(listening);
            return CompletableFuture.completedFuture(reachable ? new DeliveryResult.Delivered(secret)
                    : new DeliveryResult.Unreachable("connection refused"));
        }
    }

    private DirectOutcome deliver(FakeNetwork network) {
        return new DirectRoute(network).deliver(recipient, header, new byte[100], TIMEOUT).join();
    }

    @Test
    void aRecipientWhoMovedIsFoundInTheDhtAndTriedAgain() {
        FakeNetwork network = new FakeNetwork();
        network.known.add(OLD); // it listened here before it restarted

        assertThat(deliver(network)).isEqualTo(DirectOutcome.DELIVERED);
        assertThat(network.searches).hasValue(1);
        assertThat(network.deliveries).hasValue(2);
        assertThat(network.known).contains(NEW);
    }

    @Test
    void aRecipientWhoIsGoneIsTriedOnceWhenTheDhtKnowsNothingNew() {
        FakeNetwork network = new FakeNetwork();
        network.known.add(OLD);
        network.listening = null;
        network.inDht = List.of(OLD);

        assertThat(deliver(network)).isEqualTo(DirectOutcome.UNREACHABLE);
        assertThat(network.searches).hasValue(1);
        assertThat(network.deliveries).hasValue(1);
    }

    @Test
    void aRecipientWithNoKnownAddressIsLookedUpFirstAndOnlyThen() {
        FakeNetwork network = new FakeNetwork();
        network.listening = null;

        assertThat(deliver(network)).isEqualTo(DirectOutcome.UNREACHABLE);
        assertThat(network.searches).hasValue(1);
        assertThat(network.deliveries).hasValue(1);
    }

    @Test
    void aConnectedRecipientIsNeitherLookedUpNorTriedTwice() {
        FakeNetwork network = new FakeNetwork();
        network.connected = true;
        assertThat(deliver(network)).isEqualTo(DirectOutcome.DELIVERED);
        assertThat(network.searches).hasValue(0);
        assertThat(network.deliveries).hasValue(1);
    }
}
