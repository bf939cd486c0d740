package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.await;
import static dev.ferry.messenger.MessengerTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.store.EnvelopeId;
import java.security.SecureRandom;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** What a user sees of a conversation: both sides' messages, delivery states that last, contacts, and relay-only nodes. */
class ConversationHistoryTest extends WholeNetworkTest {
    @Test
    void shouldShowBothSidesInOrderWithTheSentMessagesStateKeptAfterARestart() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(4);
        FerryNode alice = nodes.get(0);
        FerryNode bob = nodes.get(1);

        EnvelopeId hello = join(alice.send(bob.peerId(), "hello bob"));
        await("bob has alice's message", () -> bob.conversation(alice.peerId(), 0, 10).size() == 1);
        join(bob.send(alice.peerId(), "hi alice"));
        await("alice has bob's answer", () -> alice.conversation(bob.peerId(), 0, 10).size() == 1);
        await("alice's message is delivered", () -> alice.sentState(hello).equals(Optional.of(DeliveryState.DELIVERED)));

        List<ChatMessage> seenByAlice = alice.history(bob.peerId(), 0, 10);
        assertThat(seenByAlice).extracting(ChatMessage::text).containsExactly("hello bob", "hi alice");
        assertThat(seenByAlice).extracting(ChatMessage::outgoing).containsExactly(true, false);
        assertThat(seenByAlice.get(0).envelope()).contains(hello);
        assertThat(seenByAlice.get(0).state()).contains(DeliveryState.DELIVERED);
        assertThat(seenByAlice.get(1).state()).isEmpty();
        assertThat(seenByAlice).extracting(ChatMessage::position).containsExactly(1L, 2L);
        // paging from a position
        assertThat(alice.history(bob.peerId(), 1, 10)).extracting(ChatMessage::text).containsExactly("hi alice");
        // conversation() keeps meaning "received": the user's own message is not in it
        assertThat(alice.conversation(bob.peerId(), 0, 10)).extracting(ReceivedMessage::text).containsExactly("hi alice");

        // The outbox forgets a delivered envelope; the conversation still says "delivered" after a restart.
        assertThat(join(alice.deliveryState(hello))).isEmpty();
        network.stop(0);
        FerryNode back = network.start(0, UnaryOperator.identity());
        assertThat(back.history(bob.peerId(), 0, 10).get(0).state()).contains(DeliveryState.DELIVERED);
    }

    @Test
    void shouldShowTheUsersOwnGroupMessagesInTheGroupsHistory() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(4);
        FerryNode owner = nodes.get(0);
        FerryNode member = nodes.get(1);
        byte[] group = join(owner.createGroup("friends")).groupId();
        join(owner.inviteToGroup(group, member.peerId()));
        await("the member is in the group", () -> !join(member.groups()).isEmpty());

        join(owner.sendToGroup(group, "welcome"));
        await("the member has it", () -> member.groupConversation(group, 0, 10).size() == 1);

        List<ChatMessage> ownView = owner.groupHistory(group, 0, 10);
        assertThat(ownView).extracting(ChatMessage::text).containsExactly("welcome");
        assertThat(ownView.get(0).outgoing()).isTrue();
        assertThat(ownView.get(0).group()).hasValueSatisfying(g -> assertThat(g).isEqualTo(group));
        assertThat(owner.groupConversation(group, 0, 10)).isEmpty();
        assertThat(member.groupHistory(group, 0, 10)).singleElement().satisfies(m -> {
            assertThat(m.outgoing()).isFalse();
            assertThat(m.sender()).isEqualTo(owner.peerId());
        });
    }

    @Test
    void shouldKeepUniqueValidContactNamesAcrossARestart() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        FerryNode node = network.start(1).get(0);
        PeerId bob = IdentityKeyPair.generate(new SecureRandom()).peerId();
        PeerId carol = IdentityKeyPair.generate(new SecureRandom()).peerId();

        node.addContact("bob", bob);
        node.addContact("carol", carol);
        assertThatThrownBy(() -> node.addContact("bob", carol)).hasMessageContaining("taken by " + bob);
        assertThatThrownBy(() -> node.addContact("", carol)).hasMessageContaining("1 to 64 characters");
        assertThatThrownBy(() -> node.addContact("two\nlines", carol)).hasMessageContaining("no control characters");
        assertThatThrownBy(() -> node.addContact(" padded", carol)).hasMessageContaining("no space at either end");
        assertThatThrownBy(() -> node.addContact(bob.toString(), carol)).hasMessageContaining("reads as a PeerId");
        assertThatThrownBy(() -> node.addContact("me", node.peerId())).hasMessageContaining("own PeerId");
        node.addContact("robert", bob); // a rename

        assertThat(node.contact("robert")).map(Contact::peer).contains(bob);
        assertThat(node.contact(carol.toString())).map(Contact::name).contains("carol");
        assertThat(node.contact("bob")).isEmpty();

        network.stop(0);
        FerryNode back = network.start(0, UnaryOperator.identity());
        assertThat(back.contacts()).extracting(Contact::name).containsExactlyInAnyOrder("robert", "carol");
        assertThat(back.removeContact("carol")).map(Contact::peer).contains(carol);
        assertThat(back.removeContact("carol")).isEmpty();
        assertThat(back.contacts()).extracting(Contact::name).containsExactly("robert");
    }

    @Test
    void shouldHoldForOthersButRefuseToSendOnARelayOnlyNode() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(3);
        FerryNode relay = network.start(3, b -> b.relayOnly(true));

        assertThat(relay.relayOnly()).isTrue();
        assertThatThrownBy(() -> join(relay.send(nodes.get(0).peerId(), "hi")))
                .hasMessageContaining("relay-only");
        assertThatThrownBy(() -> join(relay.createGroup("g"))).hasMessageContaining("relay-only");
        // it published no bundle: nobody can start a session with it
        assertThatThrownBy(() -> join(nodes.get(0).send(relay.peerId(), "hello relay")))
                .hasMessageContaining("prekey bundle");
    }
}
