package dev.ferry.pubsub.router;

import dev.ferry.crypto.PeerId;
import dev.ferry.pubsub.message.MessageId;
import dev.ferry.pubsub.message.PubSubMessage;
import dev.ferry.pubsub.message.Rpc;
import dev.ferry.pubsub.message.Rpc.Control;
import dev.ferry.pubsub.message.Rpc.Graft;
import dev.ferry.pubsub.message.Rpc.IHave;
import dev.ferry.pubsub.message.Rpc.IWant;
import dev.ferry.pubsub.message.Rpc.Prune;
import dev.ferry.pubsub.message.Rpc.Subscription;
import dev.ferry.pubsub.message.RpcCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one router step has to send, gathered per peer so that each peer gets one RPC per step
 * with the control piggybacked on the messages (gossipsub-v1.0 "Control message piggybacking"),
 * then cut into RPCs that fit the codec's size limit. Router thread only.
 */
final class Outbox {
    /** One encoded RPC for one peer; {@code droppable} if it carries only gossip. */
    record Frame(PeerId peer, byte[] rpc, boolean droppable) {}

    /** What is pending for one peer. */
    private static final class Pending {
        final List<Subscription> subscriptions = new ArrayList<>();
        final List<PubSubMessage> messages = new ArrayList<>();
        /** Messages sent in answer to IWANT: gossip, which a slow peer may lose. */
        final List<PubSubMessage> gossipMessages = new ArrayList<>();
        final List<IHave> ihave = new ArrayList<>();
        final List<MessageId> iwant = new ArrayList<>();
        final List<Graft> graft = new ArrayList<>();
        final List<Prune> prune = new ArrayList<>();

        boolean onlyGossip() {
            return subscriptions.isEmpty() && messages.isEmpty() && graft.isEmpty() && prune.isEmpty();
        }

        Control control() {
            return new Control(ihave, iwant.isEmpty() ? List.of() : List.of(new IWant(iwant)), graft, prune);
        }
    }

    private final Map<PeerId, Pending> pending = new LinkedHashMap<>();
    private long oversized;

    private Pending to(PeerId peer) {
        return pending.computeIfAbsent(peer, p -> new Pending());
    }

    void subscription(PeerId peer, Subscription subscription) { to(peer).subscriptions.add(subscription); }
    void message(PeerId peer, PubSubMessage message) { to(peer).messages.add(message); }
    void gossipMessage(PeerId peer, PubSubMessage message) { to(peer).gossipMessages.add(message); }
    void ihave(PeerId peer, List<IHave> ihaves) { to(peer).ihave.addAll(ihaves); }
    void iwant(PeerId peer, List<MessageId> ids) { to(peer).iwant.addAll(ids); }
    void graft(PeerId peer, String topic) { to(peer).graft.add(new Graft(topic)); }
    void prune(PeerId peer, Prune prune) { to(peer).prune.add(prune); }

    /** Entries left out so far because no RPC could hold them. */
    long oversized() {
        return oversized;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    /**
     * Everything pending, encoded, and forgotten. A peer's RPC over {@code codec}'s size limit is
     * cut: the subscriptions and control in one RPC (or one per entry if even that is too big),
     * each message in one of its own. An entry too big for an RPC on its own is left out and
     * counted in {@link #oversized()}.
     */
    List<Frame> drain(RpcCodec codec) {
        List<Frame> frames = new ArrayList<>();
        int max = codec.maxRpcBytes();
        for (Map.Entry<PeerId, Pending> entry : pending.entrySet()) {
            PeerId peer = entry.getKey();
            Pending p = entry.getValue();
            boolean droppable = p.onlyGossip();
            List<PubSubMessage> messages = new ArrayList<>(p.messages);
            messages.addAll(p.gossipMessages);
            Rpc whole = new Rpc(p.subscriptions, messages, p.control());
            if (codec.encodedSize(whole) <= max) {
                frames.add(new Frame(peer, codec.encode(whole), droppable));
                continue;
            }
            List<Rpc> parts = new ArrayList<>();
            Rpc head = new Rpc(p.subscriptions, List.of(), p.control());
            if (codec.encodedSize(head) <= max) {
                if (!head.isEmpty()) parts.add(head);
            } else {
                for (Subscription s : p.subscriptions) parts.add(Rpc.ofSubscriptions(List.of(s)));
                for (IHave i : p.ihave) parts.add(Rpc.ofControl(new Control(List.of(i), List.of(), List.of(), List.of())));
                if (!p.iwant.isEmpty()) parts.add(Rpc.ofControl(new Control(List.of(), List.of(new IWant(p.iwant)), List.of(), List.of())));
                for (Graft g : p.graft) parts.add(Rpc.ofControl(new Control(List.of(), List.of(), List.of(g), List.of())));
                for (Prune r : p.prune) parts.add(Rpc.ofControl(new Control(List.of(), List.of(), List.of(), List.of(r))));
            }
            for (PubSubMessage m : p.messages) parts.add(Rpc.ofMessages(List.of(m)));
            for (PubSubMessage m : p.gossipMessages) parts.add(Rpc.ofMessages(List.of(m)));
            for (Rpc part : parts) {
                if (codec.encodedSize(part) > max) {
                    oversized++;
                    continue;
                }
                frames.add(new Frame(peer, codec.encode(part), droppable));
            }
        }
        pending.clear();
        return frames;
    }
}
