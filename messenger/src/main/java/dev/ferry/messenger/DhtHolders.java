package dev.ferry.messenger;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.KadKey;
import dev.ferry.dht.service.DhtService;
import dev.ferry.messenger.delivery.DeliveryPorts.HolderDirectory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A mailbox's holders from the DHT: the peers XOR-closest to the mailbox key, closest first,
 * without this node and the mailbox's owner. A lookup costs a few round trips, and a burst of
 * messages to one recipient should not make one lookup each, so answers are kept a short while.
 */
final class DhtHolders implements HolderDirectory {
    /** How long an answer is reused: short next to how fast the closest peers of a key change. */
    static final Duration CACHE_TIME = Duration.ofSeconds(30);
    /** Mailboxes whose answers are kept. */
    static final int CACHE_ENTRIES = 1024;

    private record Cached(List<PeerId> holders, Instant until) {}

    private final DhtService dht;
    private final PeerId self;
    private final Clock clock;
    private final Map<String, Cached> cache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Cached> eldest) {
            return size() > CACHE_ENTRIES;
        }
    };

    private final SharedLookups<String, List<PeerId>> lookups = new SharedLookups<>();

    DhtHolders(DhtService dht, PeerId self, Clock clock) {
        this.dht = dht;
        this.self = self;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<List<PeerId>> holders(byte[] mailbox, PeerId owner) {
        String key = HexFormat.of().formatHex(mailbox) + "/" + owner;
        Instant now = clock.instant();
        synchronized (cache) {
            Cached cached = cache.get(key);
            if (cached != null && cached.until().isAfter(now)) return CompletableFuture.completedFuture(cached.holders());
        }
        // Concurrent asks for one mailbox share one lookup: a burst of sends must not start a burst of lookups.
        KadKey target = KadKey.of(mailbox);
        return lookups.join(key, k -> dht.findClosest(mailbox).thenApply(result -> {
            List<PeerId> holders = List.copyOf(target.closestFirst(result.closest().stream()
                    .filter(peer -> !peer.equals(self) && !peer.equals(owner))
                    .toList()));
            if (!holders.isEmpty()) {
                synchronized (cache) {
                    cache.put(key, new Cached(holders, clock.instant().plus(CACHE_TIME)));
                }
            }
            return holders;
        }));
    }

    /** Forgets every answer, after the node's view of the network changed a lot (a rejoin). */
    void forget() {
        synchronized (cache) {
            cache.clear();
        }
    }
}
