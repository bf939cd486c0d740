package dev.ferry.messenger;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Lookups in flight, one per key: a burst of sends to one peer or mailbox waits on one network
 * search instead of starting one each. A finished lookup is forgotten, so the next ask starts anew.
 * Safe from any thread.
 */
final class SharedLookups<K, V> {
    private final Map<K, CompletableFuture<V>> inFlight = new ConcurrentHashMap<>();

    /** The running lookup for {@code key}, or one {@code start} begins now. */
    CompletableFuture<V> join(K key, Function<K, CompletableFuture<V>> start) {
        CompletableFuture<V> mine = new CompletableFuture<>();
        CompletableFuture<V> running = inFlight.putIfAbsent(key, mine);
        if (running != null) return running;
        CompletableFuture<V> lookup;
        try {
            lookup = start.apply(key);
        } catch (RuntimeException e) {
            lookup = CompletableFuture.failedFuture(e);
        }
        // Forgotten before it completes, so a caller woken by it that asks again starts a fresh lookup.
        lookup.whenComplete((value, failure) -> {
            inFlight.remove(key, mine);
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                mine.complete(value);
            }
        });
        return mine;
    }
}
