package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.await;
import static dev.ferry.messenger.MessengerTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.PeerId;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Files between whole nodes: cut into pieces, delivered like messages, joined back intact, shown once. */
class FileTransferTest extends WholeNetworkTest {
    private static byte[] randomFile(int size) {
        byte[] content = new byte[size];
        new SecureRandom().nextBytes(content);
        return content;
    }

    private static Optional<ChatMessage> fileIn(FerryNode node, PeerId peer) {
        return node.history(peer, 0, 100).stream().filter(m -> m.file().isPresent()).findFirst();
    }

    @Test
    void aFileReachesAnOnlineRecipientIntactAndShowsOnceOnBothSidesWithItsDeliveryState() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(4);
        FerryNode alice = nodes.get(0);
        FerryNode bob = nodes.get(1);
        byte[] content = randomFile(5 * FileChunks.PIECE_BYTES / 2 + 17); // three pieces, the last one short
        join(alice.send(bob.peerId(), "a file follows"));

        SentFile sent = join(alice.sendFile(bob.peerId(), "/home/alice/photo.jpg", "image/jpeg", content));

        assertThat(sent.envelopes()).hasSize(3);
        assertThat(sent.file().name()).isEqualTo("photo.jpg");
        await("bob has the whole file", () -> fileIn(bob, alice.peerId()).isPresent());
        ChatMessage received = fileIn(bob, alice.peerId()).orElseThrow();
        assertThat(received.file()).contains(sent.file());
        assertThat(bob.readFile(alice.peerId(), received.position())).isEqualTo(content);
        // one text and one file, not the file's pieces
        assertThat(bob.history(alice.peerId(), 0, 100)).hasSize(2);
        assertThat(bob.historyPage(alice.peerId(), 0, 100).next()).isEqualTo(bob.lastPosition(alice.peerId()));

        await("the file is delivered", () -> fileIn(alice, bob.peerId()).flatMap(ChatMessage::state).equals(Optional.of(DeliveryState.DELIVERED)));
        ChatMessage own = fileIn(alice, bob.peerId()).orElseThrow();
        assertThat(own.outgoing()).isTrue();
        assertThat(own.envelope()).contains(sent.lastEnvelope());
        assertThat(alice.history(bob.peerId(), 0, 100)).hasSize(2);
        assertThatThrownBy(() -> alice.readFile(bob.peerId(), own.position())).hasMessageContaining("keeps no copy");
        assertThatThrownBy(() -> bob.readFile(alice.peerId(), 1)).hasMessage("no file ends at position 1");
    }

    @Test
    void aFileWaitsInTheMailboxesForARecipientWhoIsAway() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(8);
        FerryNode alice = nodes.get(0);
        PeerId bob = network.meetThenStop(alice, 1);
        byte[] content = randomFile(FileChunks.PIECE_BYTES + 1);

        SentFile sent = join(alice.sendFile(bob, "notes.txt", "text/plain", content));
        await("every piece is stored", () -> sent.envelopes().stream()
                .allMatch(e -> join(alice.deliveryState(e)).equals(Optional.of(DeliveryState.STORED))));
        assertThat(alice.sentState(sent.lastEnvelope())).contains(DeliveryState.STORED);
        FerryNode back = network.start(1, UnaryOperator.identity());

        await("bob has the file after his return", () -> fileIn(back, alice.peerId()).isPresent());
        assertThat(back.readFile(alice.peerId(), fileIn(back, alice.peerId()).orElseThrow().position())).isEqualTo(content);
    }
}
