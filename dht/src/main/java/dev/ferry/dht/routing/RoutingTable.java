package dev.ferry.dht.routing;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.KadKey;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * The Kademlia routing table of the libp2p kad-dht spec: {@value KadKey#BITS} k-buckets, bucket
 * {@code i} holding peers whose key (SHA-256 of the PeerId) shares exactly {@code i} leading bits
 * with ours, so bucket 255 holds the closest peers. Each bucket keeps at most {@code k} peers,
 * least recently seen first, and a replacement cache of at most {@code replacementCacheSize}
 * candidates that answered while the bucket was full.
 *
 * <p>Only peers that answered one of our queries enter, through {@link #peerResponded}. A full
 * bucket never drops a peer on its own: it asks the caller to check the least recently seen one
 * ({@link Update.Pending}) and evicts it only when told it is dead ({@link #livenessResult}), as
 * the Kademlia paper prefers old, proven peers to new ones.
 *
 * <p>Pure and <b>not thread-safe</b>: it reads no clock and does no I/O, and one thread (the DHT
 * service's) owns it. Bounded: at most {@code 256 * (k + replacementCacheSize)} peers in all.
 */
public final class RoutingTable {
    /** The spec's replication parameter: peers per bucket. */
    public static final int DEFAULT_K = 20;
    /**
     * Candidates kept per full bucket, one bucket's worth: enough to refill the bucket after a
     * burst of departures without another lookup, small next to the bucket itself.
     */
    public static final int DEFAULT_REPLACEMENT_CACHE_SIZE = DEFAULT_K;
    /**
     * A bucket no lookup has gone into for this long is due for refresh. The Kademlia paper says an
     * hour and the spec's bootstrap runs every 5 minutes; 10 minutes keeps a quiet node's distant
     * buckets current under churn at a cost of one lookup per stale bucket.
     */
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(10);
    /**
     * Largest bucket or replacement cache accepted. Buckets are scanned linearly, and the whole
     * table is at most 256 times this per bucket; far above any sensible k.
     */
    public static final int MAX_BUCKET_SIZE = 256;
    /**
     * A liveness check not reported within this long is treated as lost, so that a bucket whose
     * ping result never came back can ask again instead of holding its candidates forever. Far
     * above any ping timeout.
     */
    public static final Duration LIVENESS_CHECK_EXPIRY = Duration.ofMinutes(1);
    /**
     * The closest bucket refreshed by a random lookup. A refresh key for bucket {@code i} is
     * found by hashing about {@code 2^(i+1)} candidates, 65,536 for bucket 15; and a bucket past
     * 15 holds peers only in networks of more than 2^16 nodes, where the self-lookup, which walks
     * every bucket from the closest peers inwards, keeps those buckets current (go-libp2p-kad-dht
     * stops at the same bucket).
     */
    public static final int MAX_REFRESHED_BUCKET = 15;
    /**
     * Requests in a row that may time out before a peer is evicted. A refused connection says the
     * peer is gone; a timeout may only say that it, or we, were busy, and evicting on the first
     * would let a burst of load empty the table.
     */
    public static final int TIMEOUTS_BEFORE_EVICTION = 2;
    /** The fixed start of a refresh key: an identity multihash of an Ed25519 public key's protobuf. */
    private static final byte[] REFRESH_KEY_PREFIX = {0x00, 0x24, 0x08, 0x01, 0x12, 0x20};

    /** What {@link #peerResponded} did with a peer. */
    public sealed interface Update {
        /** The peer is new and now in {@code bucket}. */
        record Added(int bucket) implements Update {}

        /** The peer was already in {@code bucket}; it is now its most recently seen peer. */
        record Refreshed(int bucket) implements Update {}

        /**
         * The bucket is full: the peer waits in the bucket's replacement cache. Check whether
         * {@code toCheck}, the least recently seen peer of the bucket, is alive, and report it
         * through {@link #livenessResult}.
         */
        record Pending(int bucket, PeerId toCheck) implements Update {}

        /**
         * The bucket is full and a liveness check is already under way: the peer waits in the
         * replacement cache, nothing more to do.
         */
        record Queued(int bucket) implements Update {}

        /** The peer was not taken. */
        record Rejected(Reason reason) implements Update {}
    }

    /** Why a peer was {@linkplain Update.Rejected rejected}. */
    public enum Reason {
        /** The local peer never enters its own table. */
        SELF,
        /** The bucket is full and there is no replacement cache to wait in. */
        BUCKET_FULL
    }

    /** A peer with its key, when it last answered us, and requests timed out since. */
    private record Entry(PeerId peer, KadKey key, Instant seen, int timeouts) {
        Entry(PeerId peer, KadKey key, Instant seen) {
            this(peer, key, seen, 0);
        }

        Entry seenAt(Instant now) {
            return new Entry(peer, key, now, 0);
        }

        Entry timedOut() {
            return new Entry(peer, key, seen, timeouts + 1);
        }
    }

    private static final class Bucket {
        /** Index 0 is the least recently seen peer, the last index the most recently seen. */
        final ArrayList<Entry> peers = new ArrayList<>();
        /** The last element is the most recent candidate. */
        final ArrayDeque<Entry> replacements = new ArrayDeque<>();
        PeerId checking;
        Instant checkingSince;
        /** When a lookup last went into this bucket; null if never. */
        Instant lastRefreshed;

        int indexOf(PeerId peer) {
            for (int i = 0; i < peers.size(); i++) {
                if (peers.get(i).peer().equals(peer)) return i;
            }
            return -1;
        }

        boolean removeReplacement(PeerId peer) {
            return replacements.removeIf(e -> e.peer().equals(peer));
        }
    }

    private final PeerId local;
    private final KadKey localKey;
    private final int k;
    private final int replacementCacheSize;
    private final Duration refreshInterval;
    private final Bucket[] buckets = new Bucket[KadKey.BITS];
    private int size;

    /** A table with the spec's defaults. */
    public RoutingTable(PeerId local) {
        this(local, DEFAULT_K, DEFAULT_REPLACEMENT_CACHE_SIZE, DEFAULT_REFRESH_INTERVAL);
    }

    public RoutingTable(PeerId local, int k, int replacementCacheSize, Duration refreshInterval) {
        this.local = Objects.requireNonNull(local, "local");
        if (k < 1 || k > MAX_BUCKET_SIZE) throw new IllegalArgumentException("k must be in 1.." + MAX_BUCKET_SIZE + ", got " + k);
        if (replacementCacheSize < 0 || replacementCacheSize > MAX_BUCKET_SIZE) {
            throw new IllegalArgumentException("replacementCacheSize must be in 0.." + MAX_BUCKET_SIZE + ", got " + replacementCacheSize);
        }
        if (refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new IllegalArgumentException("refreshInterval must be positive");
        }
        this.localKey = KadKey.of(local);
        this.k = k;
        this.replacementCacheSize = replacementCacheSize;
        this.refreshInterval = refreshInterval;
        for (int i = 0; i < buckets.length; i++) buckets[i] = new Bucket();
    }

    public PeerId localPeer() {
        return local;
    }

    public KadKey localKey() {
        return localKey;
    }

    public int k() {
        return k;
    }

    /**
     * The bucket a key belongs in: the number of leading bits it shares with the local key, 0
     * (farthest) to 255 (closest). The local key itself gives {@value KadKey#BITS}, which is no
     * bucket.
     */
    public int bucketOf(KadKey key) {
        return localKey.commonPrefixLength(key);
    }

    /**
     * {@code peer} answered one of our queries at {@code now}: the only way into the table. A
     * peer already present becomes its bucket's most recently seen; a new one is added if its
     * bucket has room, and otherwise waits in the bucket's replacement cache (the most recent
     * candidates are kept) while the least recently seen peer's liveness is checked.
     */
    public Update peerResponded(PeerId peer, Instant now) {
        Objects.requireNonNull(now, "now");
        if (peer.equals(local)) return new Update.Rejected(Reason.SELF);
        KadKey key = KadKey.of(peer);
        int index = bucketOf(key);
        if (index >= KadKey.BITS) return new Update.Rejected(Reason.SELF); // a SHA-256 collision with us
        Bucket bucket = buckets[index];
        int at = bucket.indexOf(peer);
        if (at >= 0) {
            bucket.peers.add(bucket.peers.remove(at).seenAt(now));
            return new Update.Refreshed(index);
        }
        if (bucket.peers.size() < k) {
            bucket.removeReplacement(peer);
            bucket.peers.add(new Entry(peer, key, now));
            size++;
            return new Update.Added(index);
        }
        if (replacementCacheSize == 0) return new Update.Rejected(Reason.BUCKET_FULL);
        bucket.removeReplacement(peer);
        if (bucket.replacements.size() >= replacementCacheSize) bucket.replacements.removeFirst();
        bucket.replacements.addLast(new Entry(peer, key, now));
        boolean checkUnderWay = bucket.checking != null
                && now.isBefore(bucket.checkingSince.plus(LIVENESS_CHECK_EXPIRY))
                && bucket.indexOf(bucket.checking) >= 0;
        if (checkUnderWay) return new Update.Queued(index);
        bucket.checking = bucket.peers.getFirst().peer();
        bucket.checkingSince = now;
        return new Update.Pending(index, bucket.checking);
    }

    /**
     * The result of a liveness check asked for by {@link Update.Pending} (or of any check of a
     * peer in the table). Alive: the peer stays and becomes its bucket's most recently seen; the
     * candidates stay in the cache. Dead: the peer is evicted and the most recent candidate takes
     * its place.
     *
     * @return the candidate promoted into the bucket, if one was
     */
    public Optional<PeerId> livenessResult(PeerId checked, boolean alive, Instant now) {
        Objects.requireNonNull(now, "now");
        if (checked.equals(local)) return Optional.empty();
        Bucket bucket = bucketFor(checked);
        if (bucket == null) return Optional.empty();
        if (checked.equals(bucket.checking)) {
            bucket.checking = null;
            bucket.checkingSince = null;
        }
        int at = bucket.indexOf(checked);
        if (at < 0) return fillFromReplacements(bucket);
        if (alive) {
            bucket.peers.add(bucket.peers.remove(at).seenAt(now));
            return Optional.empty();
        }
        bucket.peers.remove(at);
        size--;
        return fillFromReplacements(bucket);
    }

    /**
     * {@code peer} failed queries and is no longer worth routing through: it leaves the table (and
     * the replacement cache) and the most recent candidate, if any, takes its place.
     *
     * @return true if the peer was in the table
     */
    public boolean peerFailed(PeerId peer) {
        if (peer.equals(local)) return false;
        Bucket bucket = bucketFor(peer);
        if (bucket == null) return false;
        bucket.removeReplacement(peer);
        if (peer.equals(bucket.checking)) {
            bucket.checking = null;
            bucket.checkingSince = null;
        }
        int at = bucket.indexOf(peer);
        if (at < 0) return false;
        bucket.peers.remove(at);
        size--;
        fillFromReplacements(bucket);
        return true;
    }

    /**
     * A request to {@code peer} timed out: after {@link #TIMEOUTS_BEFORE_EVICTION} in a row, with
     * no answer in between, it is evicted as by {@link #peerFailed}.
     *
     * @return true if the peer was evicted
     */
    public boolean peerTimedOut(PeerId peer) {
        if (peer.equals(local)) return false;
        Bucket bucket = bucketFor(peer);
        if (bucket == null) return false;
        int at = bucket.indexOf(peer);
        if (at < 0) return false;
        Entry entry = bucket.peers.get(at).timedOut();
        if (entry.timeouts() < TIMEOUTS_BEFORE_EVICTION) {
            bucket.peers.set(at, entry);
            return false;
        }
        return peerFailed(peer);
    }

    /** True if {@code peer} is in the table (not merely in a replacement cache). */
    public boolean contains(PeerId peer) {
        Bucket bucket = bucketFor(peer);
        return bucket != null && bucket.indexOf(peer) >= 0;
    }

    /** Peers in the table, not counting replacement caches. */
    public int size() {
        return size;
    }

    /** Every peer in the table, farthest bucket first, each bucket least recently seen first. */
    public List<PeerId> peers() {
        List<PeerId> all = new ArrayList<>(size);
        for (Bucket bucket : buckets) {
            for (Entry e : bucket.peers) all.add(e.peer());
        }
        return all;
    }

    /**
     * At most {@code max} peers of the table that have not answered us since {@code cutoff},
     * farthest bucket first, each bucket's least recently seen first: the ones to check for
     * liveness, so that peers which left without a word do not linger in buckets no lookup goes
     * through.
     */
    public List<PeerId> peersNotSeenSince(Instant cutoff, int max) {
        List<PeerId> stale = new ArrayList<>();
        for (Bucket bucket : buckets) {
            // No early exit: a candidate promoted from the replacement cache joins the end of its
            // bucket with the time it last answered, so seen times are not in bucket order.
            for (Entry e : bucket.peers) {
                if (stale.size() >= max) return stale;
                if (e.seen().isBefore(cutoff)) stale.add(e.peer());
            }
        }
        return stale;
    }

    /** The peers of one bucket, least recently seen first. */
    public List<PeerId> bucket(int index) {
        return buckets[checkBucket(index)].peers.stream().map(Entry::peer).toList();
    }

    /** The replacement candidates of one bucket, oldest first. */
    public List<PeerId> replacements(int index) {
        return buckets[checkBucket(index)].replacements.stream().map(Entry::peer).toList();
    }

    /**
     * The at most {@code count} peers of the table closest to {@code target} by XOR distance,
     * closest first.
     *
     * <p>Buckets are visited in distance order instead of sorting the whole table: with
     * {@code c} the bucket of {@code target}, every peer of bucket {@code c} is closer to it than
     * any other peer, the peers of buckets {@code c+1..255} come next (all sharing exactly
     * {@code c} bits with the target), then buckets {@code c-1} down to 0, each wholly closer
     * than the next. Only the buckets needed to reach {@code count} are sorted.
     */
    public List<PeerId> closest(KadKey target, int count) {
        if (count < 0) throw new IllegalArgumentException("count must not be negative");
        int wanted = Math.min(count, size);
        List<PeerId> out = new ArrayList<>(wanted);
        if (wanted == 0) return out;
        Comparator<Entry> byDistance = (a, b) -> target.compareDistance(a.key(), b.key());
        int c = bucketOf(target);
        List<Entry> group = new ArrayList<>();
        if (c < KadKey.BITS) {
            group.addAll(buckets[c].peers);
            appendSorted(group, byDistance, out, wanted);
            if (out.size() < wanted) {
                group.clear();
                for (int i = c + 1; i < KadKey.BITS; i++) group.addAll(buckets[i].peers);
                appendSorted(group, byDistance, out, wanted);
            }
        }
        for (int i = Math.min(c, KadKey.BITS) - 1; i >= 0 && out.size() < wanted; i--) {
            group.clear();
            group.addAll(buckets[i].peers);
            appendSorted(group, byDistance, out, wanted);
        }
        return out;
    }

    private static void appendSorted(List<Entry> group, Comparator<Entry> byDistance, List<PeerId> out, int wanted) {
        if (out.size() >= wanted || group.isEmpty()) return;
        group.sort(byDistance);
        for (Iterator<Entry> it = group.iterator(); it.hasNext() && out.size() < wanted; ) out.add(it.next().peer());
    }

    /**
     * A lookup for {@code target} has completed at {@code now}: the bucket {@code target} falls in
     * counts as refreshed. A lookup of our own key falls in no bucket and refreshes none.
     */
    public void lookupCompleted(KadKey target, Instant now) {
        Objects.requireNonNull(now, "now");
        int index = bucketOf(target);
        if (index < KadKey.BITS) buckets[index].lastRefreshed = now;
    }

    /**
     * Buckets due for refresh at {@code now}: those no lookup went into for the refresh interval
     * (or ever), from bucket 0 to the closest bucket that holds a peer. Closer buckets are empty
     * because the network has no peers there, and the self-lookup of bootstrap covers them; an
     * empty table has nothing to refresh through. Never past {@link #MAX_REFRESHED_BUCKET}.
     * Ascending.
     */
    public List<Integer> bucketsDueForRefresh(Instant now) {
        Objects.requireNonNull(now, "now");
        int deepest = KadKey.BITS - 1;
        while (deepest >= 0 && buckets[deepest].peers.isEmpty()) deepest--;
        deepest = Math.min(deepest, MAX_REFRESHED_BUCKET);
        List<Integer> due = new ArrayList<>();
        for (int i = 0; i <= deepest; i++) {
            Instant last = buckets[i].lastRefreshed;
            if (last == null || !now.isBefore(last.plus(refreshInterval))) due.add(i);
        }
        return due;
    }

    /**
     * A random key in bucket {@code index}: it shares exactly {@code index} leading bits with the
     * local key (the next bit differs, the rest are random), as a refresh target. Note that the
     * wire's FIND_NODE carries key bytes whose SHA-256 the remote computes, not a {@link KadKey}.
     */
    public KadKey randomKeyInBucket(int index, Random random) {
        checkBucket(index);
        byte[] local = localKey.hash();
        byte[] out = new byte[KadKey.BYTES];
        random.nextBytes(out);
        int byteIndex = index >>> 3;
        int bit = index & 7;
        System.arraycopy(local, 0, out, 0, byteIndex);
        int prefixMask = (0xFF << (8 - bit)) & 0xFF;
        int flip = 0x80 >>> bit;
        int randomMask = ~(prefixMask | flip) & 0xFF;
        out[byteIndex] = (byte) ((local[byteIndex] & prefixMask) | (~local[byteIndex] & flip) | (out[byteIndex] & randomMask));
        return KadKey.fromHash(out);
    }

    /**
     * Key bytes whose SHA-256 falls in bucket {@code index}, for the FIND_NODE of a refresh: the
     * wire carries key bytes and the remote hashes them, so a {@link KadKey} from
     * {@link #randomKeyInBucket} cannot be sent. Shaped like a PeerId (an identity multihash of
     * 32 random Ed25519 key bytes), the form every implementation's FIND_NODE expects; found by
     * drawing candidates until one lands, about {@code 2^(index+1)} of them.
     *
     * @throws IllegalArgumentException if {@code index} is past {@link #MAX_REFRESHED_BUCKET}
     */
    public byte[] randomPreimageInBucket(int index, Random random) {
        if (index < 0 || index > MAX_REFRESHED_BUCKET) {
            throw new IllegalArgumentException("refresh keys exist for buckets 0.." + MAX_REFRESHED_BUCKET + ", not " + index);
        }
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        byte[] candidate = Arrays.copyOf(REFRESH_KEY_PREFIX, REFRESH_KEY_PREFIX.length + 32);
        byte[] random32 = new byte[32];
        while (true) {
            random.nextBytes(random32);
            System.arraycopy(random32, 0, candidate, REFRESH_KEY_PREFIX.length, 32);
            if (bucketOf(KadKey.fromHash(sha256.digest(candidate))) == index) return candidate.clone();
        }
    }

    private Optional<PeerId> fillFromReplacements(Bucket bucket) {
        PeerId promoted = null;
        while (bucket.peers.size() < k && !bucket.replacements.isEmpty()) {
            Entry candidate = bucket.replacements.removeLast();
            bucket.peers.add(candidate);
            size++;
            if (promoted == null) promoted = candidate.peer();
        }
        return Optional.ofNullable(promoted);
    }

    private Bucket bucketFor(PeerId peer) {
        int index = bucketOf(KadKey.of(peer));
        return index < KadKey.BITS ? buckets[index] : null;
    }

    private static int checkBucket(int index) {
        if (index < 0 || index >= KadKey.BITS) {
            throw new IllegalArgumentException("bucket must be in 0.." + (KadKey.BITS - 1) + ", got " + index);
        }
        return index;
    }
}
