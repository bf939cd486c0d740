package dev.ferry.pubsub.message;

import dev.ferry.crypto.PeerId;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One pubsub RPC, what a peer writes as one length-prefixed frame on its pubsub stream:
 * subscription changes, published messages, and GossipSub control messages. Immutable.
 *
 * @param subscriptions topics the sender joins or leaves
 * @param messages messages it publishes or forwards
 * @param control its GossipSub control messages, {@link Control#EMPTY} when it has none
 */
public record Rpc(List<Subscription> subscriptions, List<PubSubMessage> messages, Control control) {
    /** An RPC with nothing in it (peers send these, and they are valid). */
    public static final Rpc EMPTY = new Rpc(List.of(), List.of(), Control.EMPTY);

    public Rpc {
        subscriptions = List.copyOf(subscriptions);
        messages = List.copyOf(messages);
        Objects.requireNonNull(control, "control");
    }

    /** An RPC that only changes subscriptions. */
    public static Rpc ofSubscriptions(List<Subscription> subscriptions) {
        return new Rpc(subscriptions, List.of(), Control.EMPTY);
    }

    /** An RPC that only publishes messages. */
    public static Rpc ofMessages(List<PubSubMessage> messages) {
        return new Rpc(List.of(), messages, Control.EMPTY);
    }

    /** An RPC that only carries control messages. */
    public static Rpc ofControl(Control control) {
        return new Rpc(List.of(), List.of(), control);
    }

    /** True if the RPC carries nothing. */
    public boolean isEmpty() {
        return subscriptions.isEmpty() && messages.isEmpty() && control.isEmpty();
    }

    /** The spec's {@code SubOpts}: the sender joins ({@code subscribe}) or leaves {@code topic}. */
    public record Subscription(boolean subscribe, String topic) {
        public Subscription {
            requireTopic(topic);
        }
    }

    /** GossipSub's {@code ControlMessage}: IHAVE, IWANT, GRAFT and PRUNE, in that order on the wire. */
    public record Control(List<IHave> ihave, List<IWant> iwant, List<Graft> graft, List<Prune> prune) {
        /** No control messages. */
        public static final Control EMPTY = new Control(List.of(), List.of(), List.of(), List.of());

        public Control {
            ihave = List.copyOf(ihave);
            iwant = List.copyOf(iwant);
            graft = List.copyOf(graft);
            prune = List.copyOf(prune);
        }

        /** True if there are no control messages. */
        public boolean isEmpty() {
            return ihave.isEmpty() && iwant.isEmpty() && graft.isEmpty() && prune.isEmpty();
        }
    }

    /** Gossip: the sender has seen these messages on {@code topic} recently. */
    public record IHave(String topic, List<MessageId> messageIds) {
        public IHave {
            requireTopic(topic);
            messageIds = List.copyOf(messageIds);
        }
    }

    /** A request for the full messages of ids the receiver advertised in an IHAVE. */
    public record IWant(List<MessageId> messageIds) {
        public IWant {
            messageIds = List.copyOf(messageIds);
        }
    }

    /** The sender added the receiver to its mesh for {@code topic}. */
    public record Graft(String topic) {
        public Graft {
            requireTopic(topic);
        }
    }

    /**
     * The sender removed the receiver from its mesh for {@code topic} (GossipSub v1.1: with peers
     * to try instead and how long to stay away).
     *
     * @param peers peer exchange: other peers in the topic
     * @param backoffSeconds how long the receiver must wait before grafting again; absent means
     *     the receiver's own default (v1.0 peers never send it). The wire value is an unsigned
     *     64-bit number; values past {@link Long#MAX_VALUE} read as {@code Long.MAX_VALUE}.
     */
    public record Prune(String topic, List<PeerExchange> peers, OptionalLong backoffSeconds) {
        public Prune {
            requireTopic(topic);
            peers = List.copyOf(peers);
            Objects.requireNonNull(backoffSeconds, "backoffSeconds");
            if (backoffSeconds.isPresent() && backoffSeconds.getAsLong() < 0) {
                throw new IllegalArgumentException("backoff is never negative");
            }
        }
    }

    /**
     * A peer offered in a PRUNE's peer exchange: its id, and optionally its signed peer record
     * (a libp2p {@code Envelope}, kept as bytes for whoever dials it to verify).
     */
    public static final class PeerExchange {
        private final PeerId peerId;
        private final byte[] signedPeerRecord;

        private PeerExchange(PeerId peerId, byte[] signedPeerRecord) {
            this.peerId = Objects.requireNonNull(peerId, "peerId");
            this.signedPeerRecord = signedPeerRecord;
        }

        /** A peer without a signed record. */
        public static PeerExchange of(PeerId peerId) {
            return new PeerExchange(peerId, null);
        }

        /** A peer with its signed peer record (copied). */
        public static PeerExchange of(PeerId peerId, byte[] signedPeerRecord) {
            return new PeerExchange(peerId, signedPeerRecord.clone());
        }

        /** The codec's constructor: takes ownership of {@code signedPeerRecord}, which may be null. */
        static PeerExchange ofWire(PeerId peerId, byte[] signedPeerRecord) {
            return new PeerExchange(peerId, signedPeerRecord);
        }

        public PeerId peerId() {
            return peerId;
        }

        /** A copy of the signed peer record bytes, if the peer came with one. */
        public Optional<byte[]> signedPeerRecord() {
            return signedPeerRecord == null ? Optional.empty() : Optional.of(signedPeerRecord.clone());
        }

        byte[] rawSignedPeerRecord() {
            return signedPeerRecord;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PeerExchange p && p.peerId.equals(peerId) && Arrays.equals(p.signedPeerRecord, signedPeerRecord);
        }

        @Override
        public int hashCode() {
            return 31 * peerId.hashCode() + Arrays.hashCode(signedPeerRecord);
        }

        @Override
        public String toString() {
            return "PeerExchange[" + peerId + (signedPeerRecord == null ? "" : ", record " + signedPeerRecord.length + " bytes") + "]";
        }
    }

    private static void requireTopic(String topic) {
        Objects.requireNonNull(topic, "topic");
        if (topic.isEmpty()) throw new IllegalArgumentException("a topic is never empty");
    }
}
