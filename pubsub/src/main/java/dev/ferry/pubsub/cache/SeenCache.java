package dev.ferry.pubsub.cache;

import dev.ferry.pubsub.message.MessageId;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The ids of messages seen recently, so that each message is validated, delivered and forwarded
 * once however many peers send it, and so that IHAVE gossip about it is not answered with IWANT.
 * An id is remembered for {@code ttl} from when it was first seen (first-seen, as
 * go-libp2p-pubsub's default): seeing it again does not extend it, so a message that keeps
 * circulating is forgotten on time.
 *
 * <p>Bounded: at most {@code maxEntries} ids; past it the oldest is forgotten early. The bound is
 * the rate of distinct messages the node can absorb times the ttl; a flood beyond it can at worst
 * make a message count as new a second time, which the message cache and validation absorb.
 *
 * <p>Time is passed in and must not go backwards. Not thread-safe: the router's thread owns it.
 */
public final class SeenCache {
    /** go-libp2p-pubsub's TimeCacheDuration and js's GossipsubSeenTTL: 2 minutes. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(2);
    /**
     * Ids remembered at most: the default ttl at over 800 new messages a second, at a few MiB of
     * heap with default-size ids.
     */
    public static final int DEFAULT_MAX_ENTRIES = 100_000;

    private final Duration ttl;
    private final int maxEntries;
    /** Id to when it expires; insertion order is expiry order, since the ttl is fixed. */
    private final LinkedHashMap<MessageId, Instant> expiries = new LinkedHashMap<>();
    private long evictedEarly;

    /** A cache with the default ttl and bound. */
    public SeenCache() {
        this(DEFAULT_TTL, DEFAULT_MAX_ENTRIES);
    }

    /**
     * @param ttl how long an id is remembered after it was first seen; positive
     * @param maxEntries ids remembered at most; at least 1
     */
    public SeenCache(Duration ttl, int maxEntries) {
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
        if (maxEntries < 1) throw new IllegalArgumentException("maxEntries must be at least 1");
        this.ttl = ttl;
        this.maxEntries = maxEntries;
    }

    /**
     * Records {@code id} as seen at {@code now}.
     *
     * @return true if it was new (not seen within the ttl), false if it is a repeat
     */
    public boolean add(MessageId id, Instant now) {
        Objects.requireNonNull(id, "id");
        prune(now);
        if (expiries.containsKey(id)) return false;
        if (expiries.size() >= maxEntries) {
            Iterator<Map.Entry<MessageId, Instant>> oldest = expiries.entrySet().iterator();
            oldest.next();
            oldest.remove();
            evictedEarly++;
        }
        expiries.put(id, now.plus(ttl));
        return true;
    }

    /** Whether {@code id} was seen within the ttl before {@code now}. */
    public boolean contains(MessageId id, Instant now) {
        Instant expiry = expiries.get(id);
        return expiry != null && now.isBefore(expiry);
    }

    /** Forgets every id whose ttl has run out at {@code now}. Called by {@link #add}; also on heartbeat. */
    public void prune(Instant now) {
        Iterator<Instant> it = expiries.values().iterator();
        while (it.hasNext()) {
            if (now.isBefore(it.next())) return;
            it.remove();
        }
    }

    /** Ids remembered, counting those expired but not yet pruned. */
    public int size() {
        return expiries.size();
    }

    /** Ids forgotten before their ttl because the bound was reached, since creation. */
    public long evictedEarly() {
        return evictedEarly;
    }

    /** How long an id is remembered. */
    public Duration ttl() {
        return ttl;
    }
}
