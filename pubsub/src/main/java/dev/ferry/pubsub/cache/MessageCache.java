package dev.ferry.pubsub.cache;

import dev.ferry.crypto.PeerId;
import dev.ferry.pubsub.message.MessageId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The GossipSub message cache ({@code mcache}, gossipsub-v1.0 "Message Cache"): the messages seen
 * in the last {@code historyLength} heartbeats, kept in one window per heartbeat, so that IWANT
 * requests can be answered and IHAVE gossip can name the ids of the last {@code historyGossip}
 * windows. {@link #shift()} runs once per heartbeat: it drops the oldest window and opens a new one.
 *
 * <p>Only messages that passed validation are put here: gossip must never advertise a message we
 * would not forward ourselves.
 *
 * <p>Spam protection (gossipsub-v1.1 "Spam Protection Measures"): every IWANT served is counted
 * per message and per peer, and a peer that asks for the same message more than
 * {@code gossipRetransmission} times is not served again, so one peer cannot pull one message over
 * and over.
 *
 * <p>Bounded: at most {@code maxMessages} messages and {@code maxBytes} bytes of message (as the
 * caller sizes them); past either, the oldest messages are evicted first, because they are the
 * ones least likely to still be asked for. At most {@link #MAX_IWANT_PEERS_PER_MESSAGE} peers are
 * counted per message. Not thread-safe: the router's thread owns it.
 *
 * @param <M> the cached message (the router's decoded or wire form; the cache never looks inside)
 */
public final class MessageCache<M> {
    /** Heartbeat windows kept: the spec's {@code mcache_len}, 5. */
    public static final int DEFAULT_HISTORY_LENGTH = 5;
    /** Windows whose ids are gossiped: the spec's {@code mcache_gossip}, 3. */
    public static final int DEFAULT_HISTORY_GOSSIP = 3;
    /**
     * Messages cached, at most. Five heartbeats of a busy node: 2,000 messages a second across all
     * its topics, far above any chat load, at a few MiB of heap for small messages.
     */
    public static final int DEFAULT_MAX_MESSAGES = 10_000;
    /**
     * Bytes of message cached, at most. With 1 MiB messages (the RPC limit) this is 64 of them; a
     * burst of large messages evicts the oldest rather than growing the heap.
     */
    public static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;
    /**
     * IWANT answers for one message to one peer (go-libp2p-pubsub's GossipSubGossipRetransmission,
     * js's GossipsubGossipRetransmission): a peer that lost a message may ask again a couple of
     * times, one that keeps asking is draining us.
     */
    public static final int DEFAULT_GOSSIP_RETRANSMISSION = 3;
    /**
     * Peers whose IWANT requests are counted per message. Gossip about a message reaches a few
     * dozen peers at most (gossip factor of the topic's peers, {@code historyGossip} times); past
     * this, a new peer asking for the same message is refused, as only a flood gets here.
     */
    public static final int MAX_IWANT_PEERS_PER_MESSAGE = 64;
    /** Largest history accepted: each window is scanned on gossip. */
    public static final int MAX_HISTORY_LENGTH = 64;

    private static final class Entry<M> {
        final MessageId id;
        final String topic;
        final M message;
        final int size;
        /** Lazily made: most messages are never asked for. */
        Map<PeerId, Integer> iwantCounts;

        Entry(MessageId id, String topic, M message, int size) {
            this.id = id;
            this.topic = topic;
            this.message = message;
            this.size = size;
        }
    }

    private final int historyLength;
    private final int historyGossip;
    private final int maxMessages;
    private final long maxBytes;
    private final int gossipRetransmission;
    private final Map<MessageId, Entry<M>> messages = new HashMap<>();
    /** Newest window first; each window in insertion order. */
    private final ArrayDeque<ArrayDeque<Entry<M>>> windows = new ArrayDeque<>();
    private long bytes;
    private long evicted;

    /** A cache with every default. */
    public MessageCache() {
        this(DEFAULT_HISTORY_LENGTH, DEFAULT_HISTORY_GOSSIP, DEFAULT_MAX_MESSAGES, DEFAULT_MAX_BYTES,
                DEFAULT_GOSSIP_RETRANSMISSION);
    }

    /**
     * A cache of {@code historyLength} windows, gossiping the newest {@code historyGossip}.
     *
     * @param historyLength heartbeat windows kept, 1 to {@link #MAX_HISTORY_LENGTH}
     * @param historyGossip windows gossiped, 0 to {@code historyLength}
     * @param maxMessages messages kept at most, at least 1
     * @param maxBytes bytes of message kept at most, at least 1
     * @param gossipRetransmission IWANT answers per message per peer, at least 1
     */
    public MessageCache(int historyLength, int historyGossip, int maxMessages, long maxBytes, int gossipRetransmission) {
        if (historyLength < 1 || historyLength > MAX_HISTORY_LENGTH) {
            throw new IllegalArgumentException("historyLength must be in [1, " + MAX_HISTORY_LENGTH + "]");
        }
        if (historyGossip < 0 || historyGossip > historyLength) {
            throw new IllegalArgumentException("historyGossip must be in [0, historyLength]");
        }
        if (maxMessages < 1 || maxBytes < 1) throw new IllegalArgumentException("cache bounds must be at least 1");
        if (gossipRetransmission < 1) throw new IllegalArgumentException("gossipRetransmission must be at least 1");
        this.historyLength = historyLength;
        this.historyGossip = historyGossip;
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.gossipRetransmission = gossipRetransmission;
        for (int i = 0; i < historyLength; i++) windows.addLast(new ArrayDeque<>());
    }

    /**
     * Caches a validated message in the current window.
     *
     * @param sizeBytes what the message costs, counted against {@code maxBytes}; its encoded size
     * @return false if the id is already cached (the first copy stays) or the message alone is
     *     larger than {@code maxBytes}
     */
    public boolean put(MessageId id, String topic, M message, int sizeBytes) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(message, "message");
        if (sizeBytes < 0) throw new IllegalArgumentException("sizeBytes must not be negative");
        if (messages.containsKey(id) || sizeBytes > maxBytes) return false;
        while (messages.size() >= maxMessages || bytes + sizeBytes > maxBytes) evictOldest();
        Entry<M> entry = new Entry<>(id, topic, message, sizeBytes);
        messages.put(id, entry);
        windows.getFirst().addLast(entry);
        bytes += sizeBytes;
        return true;
    }

    /** The cached message, without counting a request. */
    public Optional<M> get(MessageId id) {
        Entry<M> entry = messages.get(id);
        return entry == null ? Optional.empty() : Optional.of(entry.message);
    }

    /** Whether {@code id} is cached. */
    public boolean contains(MessageId id) {
        return messages.containsKey(id);
    }

    /**
     * The message to answer {@code peer}'s IWANT for {@code id} with, counting the request. Empty
     * if the message is not cached, if {@code peer} has already been served it
     * {@code gossipRetransmission} times, or if {@link #MAX_IWANT_PEERS_PER_MESSAGE} other peers
     * have asked for it.
     */
    public Optional<M> getForIWant(MessageId id, PeerId peer) {
        Entry<M> entry = messages.get(id);
        if (entry == null) return Optional.empty();
        if (entry.iwantCounts == null) entry.iwantCounts = new HashMap<>();
        Integer count = entry.iwantCounts.get(peer);
        if (count == null && entry.iwantCounts.size() >= MAX_IWANT_PEERS_PER_MESSAGE) return Optional.empty();
        int next = count == null ? 1 : count + 1;
        if (next > gossipRetransmission) return Optional.empty(); // stop counting: it cannot grow past the cap
        entry.iwantCounts.put(peer, next);
        return Optional.of(entry.message);
    }

    /** How many times {@code peer} was served {@code id} through IWANT; 0 if never or not cached. */
    public int iwantCount(MessageId id, PeerId peer) {
        Entry<M> entry = messages.get(id);
        if (entry == null || entry.iwantCounts == null) return 0;
        return entry.iwantCounts.getOrDefault(peer, 0);
    }

    /** The ids of {@code topic} cached in the newest {@code historyGossip} windows, newest first. */
    public List<MessageId> gossipIds(String topic) {
        List<MessageId> out = new ArrayList<>();
        Iterator<ArrayDeque<Entry<M>>> it = windows.iterator();
        for (int i = 0; i < historyGossip && it.hasNext(); i++) {
            Iterator<Entry<M>> entries = it.next().descendingIterator();
            while (entries.hasNext()) {
                Entry<M> entry = entries.next();
                if (entry.topic.equals(topic)) out.add(entry.id);
            }
        }
        return out;
    }

    /**
     * The ids in the newest {@code historyGossip} windows grouped by topic, newest first; one scan
     * for all topics, for a heartbeat that gossips on many.
     */
    public Map<String, List<MessageId>> gossipIdsByTopic() {
        Map<String, List<MessageId>> out = new LinkedHashMap<>();
        Iterator<ArrayDeque<Entry<M>>> it = windows.iterator();
        for (int i = 0; i < historyGossip && it.hasNext(); i++) {
            Iterator<Entry<M>> entries = it.next().descendingIterator();
            while (entries.hasNext()) {
                Entry<M> entry = entries.next();
                out.computeIfAbsent(entry.topic, t -> new ArrayList<>()).add(entry.id);
            }
        }
        return out;
    }

    /** Opens a new window and drops the oldest with its messages. Call once per heartbeat. */
    public void shift() {
        for (Entry<M> entry : windows.removeLast()) {
            if (messages.remove(entry.id) != null) bytes -= entry.size;
        }
        windows.addFirst(new ArrayDeque<>());
    }

    /** Messages cached. */
    public int size() {
        return messages.size();
    }

    /** Bytes of message cached, as sized by {@link #put}. */
    public long bytes() {
        return bytes;
    }

    /** Messages evicted before their time because a bound was reached, since creation. */
    public long evicted() {
        return evicted;
    }

    /** Windows kept. */
    public int historyLength() {
        return historyLength;
    }

    /** Windows gossiped. */
    public int historyGossip() {
        return historyGossip;
    }

    private void evictOldest() {
        Iterator<ArrayDeque<Entry<M>>> it = windows.descendingIterator();
        while (it.hasNext()) {
            ArrayDeque<Entry<M>> window = it.next();
            Entry<M> oldest = window.pollFirst();
            if (oldest != null) {
                messages.remove(oldest.id);
                bytes -= oldest.size;
                evicted++;
                return;
            }
        }
        throw new IllegalStateException("cache bound reached with no message to evict");
    }
}
