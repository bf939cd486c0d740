package dev.ferry.messenger;

import static dev.ferry.messenger.MessengerTestNetwork.await;
import static dev.ferry.messenger.MessengerTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.x3dh.PublicIdentity;
import dev.ferry.messenger.group.GroupState;
import dev.ferry.messenger.group.GroupStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Whole nodes on loopback: a five-member group, one member away for 50 messages, a removal, and a member leaving. */
class GroupDeliveryTest extends WholeNetworkTest {
    private static Optional<GroupState> group(FerryNode node, byte[] id) {
        return join(node.groups()).stream().filter(g -> java.util.Arrays.equals(g.groupId(), id)).findFirst();
    }

    /** Whether {@code node} is in the group at {@code epoch} and holds every other member's sender key for it. */
    private static boolean ready(FerryNode node, byte[] id, long epoch, List<FerryNode> members) {
        Optional<GroupState> state = group(node, id);
        if (state.isEmpty() || state.get().epoch() != epoch) return false;
        for (FerryNode member : members) {
            if (member != node && !state.get().hasSenderKey(epoch, member.peerId())) return false;
        }
        return true;
    }

    private static List<String> texts(FerryNode node, byte[] id) {
        return node.groupConversation(id, 0, 1000).stream().map(ReceivedMessage::text).toList();
    }

    @Test
    void aMemberAwayGetsEveryMessageOnReturnAndARemovedMemberCannotReadTheNextEpoch() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(20);
        FerryNode owner = nodes.get(1);
        int awayIndex = 9;
        List<FerryNode> members = List.of(owner, nodes.get(3), nodes.get(5), nodes.get(7), nodes.get(awayIndex));

        byte[] id = join(owner.createGroup("friends")).groupId();
        for (FerryNode member : members.subList(1, members.size())) join(owner.inviteToGroup(id, member.peerId()));
        long epoch = group(owner, id).orElseThrow().epoch();
        for (FerryNode member : members) {
            await("member " + member.peerId() + " has every sender key", () -> ready(member, id, epoch, members));
        }

        // One member goes away; the others talk.
        network.stop(awayIndex);
        List<String> sent = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            FerryNode speaker = members.get(i % 4);
            String text = "message " + i + " from " + speaker.peerId().toString().substring(46);
            join(speaker.sendToGroup(id, text));
            sent.add(text);
        }
        for (FerryNode member : members.subList(0, 4)) {
            await("an online member reads everyone else's messages", () -> texts(member, id).size() >= sent.size()
                    - sent.stream().filter(t -> t.endsWith(member.peerId().toString().substring(46))).count());
        }

        FerryNode back = network.start(awayIndex, UnaryOperator.identity());
        await("the returning member gets all 50", () -> texts(back, id).size() >= 50, () -> "has " + texts(back, id).size());
        assertThat(texts(back, id)).containsExactlyInAnyOrderElementsOf(sent);

        // The owner removes a member: a new epoch that member cannot read.
        FerryNode removed = members.get(3);
        PeerId removedId = removed.peerId();
        join(owner.removeFromGroup(id, removedId));
        long next = group(owner, id).orElseThrow().epoch();
        List<FerryNode> remaining = List.of(owner, members.get(1), members.get(2), back);
        for (FerryNode member : remaining) {
            await("member " + member.peerId() + " is in the new epoch", () -> ready(member, id, next, remaining));
        }
        int before = texts(removed, id).size();
        join(owner.sendToGroup(id, "after the removal"));
        for (FerryNode member : remaining.subList(1, remaining.size())) {
            await("a remaining member reads the new epoch", () -> texts(member, id).contains("after the removal"));
        }
        join(removed.fetchMailbox());
        assertThat(texts(removed, id)).hasSize(before).doesNotContain("after the removal");
        assertThat(group(removed, id).map(GroupState::epoch)).isNotEqualTo(Optional.of(next));
    }

    @Test
    void aMemberWhoLeavesIsLeftOutOfTheNextEpochAndCannotReadItsMessages() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(10);
        FerryNode owner = nodes.get(1);
        FerryNode leaver = nodes.get(6);
        List<FerryNode> members = List.of(owner, nodes.get(4), leaver, nodes.get(8));
        byte[] id = join(owner.createGroup("book club")).groupId();
        for (FerryNode member : members.subList(1, members.size())) join(owner.inviteToGroup(id, member.peerId()));
        long epoch = group(owner, id).orElseThrow().epoch();
        for (FerryNode member : members) {
            await("member " + member.peerId() + " has every sender key", () -> ready(member, id, epoch, members));
        }
        FerryNode speaker = members.get(1);
        join(speaker.sendToGroup(id, "before the leave"));
        await("the leaver reads what was sent before it left", () -> texts(leaver, id).contains("before the leave"));

        // The member leaves on its own: the owner hears of it and starts an epoch without it.
        assertThat(join(leaver.leaveGroup(id)).status()).isEqualTo(GroupStatus.LEFT);
        await("the owner starts a new epoch", () -> group(owner, id).orElseThrow().epoch() > epoch);
        long next = group(owner, id).orElseThrow().epoch();
        assertThat(group(owner, id).orElseThrow().members()).extracting(PublicIdentity::peerId).doesNotContain(leaver.peerId());
        List<FerryNode> staying = List.of(owner, speaker, nodes.get(8));
        for (FerryNode member : staying) {
            await("member " + member.peerId() + " is in the new epoch", () -> ready(member, id, next, staying));
        }

        join(speaker.sendToGroup(id, "after the leave"));
        for (FerryNode member : List.of(owner, nodes.get(8))) {
            await("a staying member reads the new epoch", () -> texts(member, id).contains("after the leave"));
        }
        join(leaver.fetchMailbox());
        assertThat(texts(leaver, id)).containsExactly("before the leave");
        assertThat(group(leaver, id).map(GroupState::epoch)).isNotEqualTo(Optional.of(next));
    }

    @Test
    void messagesSentBeforeTheirSendersKeyArrivesAreReadOnceItDoes() {
        network = new MessengerTestNetwork(dir, MessengerTestNetwork.fastConfig());
        List<FerryNode> nodes = network.start(8);
        FerryNode owner = nodes.get(0);
        List<FerryNode> members = List.of(owner, nodes.get(3), nodes.get(5), nodes.get(7));
        byte[] id = join(owner.createGroup("eager")).groupId();
        for (FerryNode member : members.subList(1, members.size())) join(owner.inviteToGroup(id, member.peerId()));
        long epoch = group(owner, id).orElseThrow().epoch();
        for (FerryNode member : members) {
            await("member " + member.peerId() + " is in the group", () -> group(member, id).map(GroupState::epoch).equals(Optional.of(epoch)));
        }

        // Each member speaks as soon as it is in, before the others can hold its key: its key travels
        // over 1:1 sessions that are still starting, its message over GossipSub.
        for (FerryNode speaker : members.subList(1, members.size())) join(speaker.sendToGroup(id, "hi from " + members.indexOf(speaker)));

        for (FerryNode member : members) {
            List<String> expected = java.util.stream.IntStream.range(1, members.size()).filter(i -> members.get(i) != member)
                    .mapToObj(i -> "hi from " + i).toList();
            await("member " + members.indexOf(member) + " reads every early message",
                    () -> texts(member, id).containsAll(expected), () -> "has " + texts(member, id) + "; holds the keys of "
                            + java.util.stream.IntStream.range(0, members.size())
                                    .filter(i -> group(member, id).orElseThrow().hasSenderKey(epoch, members.get(i).peerId()))
                                    .boxed().toList() + "; " + MessengerTestNetwork.summary(member));
            assertThat(texts(member, id)).doesNotHaveDuplicates();
        }
    }
}
