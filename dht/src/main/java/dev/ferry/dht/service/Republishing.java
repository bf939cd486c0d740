package dev.ferry.dht.service;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The records and provider keys this node owns and so must republish: each with the time its
 * next republish is due. Pure and not thread-safe (the service thread owns it); bounded by the
 * limits given to the constructor, past which new keys are refused rather than old ones dropped,
 * since dropping would silently stop a republish the owner relies on.
 */
final class Republishing {
    /** One republish that is due: a record ({@code value} present) or a provider key. */
    record Due(byte[] key, Optional<byte[]> value) {}

    private record Owned(byte[] value, Instant due) {}

    private final int maxRecords;
    private final int maxProviderKeys;
    private final Duration recordInterval;
    private final Duration providerInterval;
    /** Insertion order is the order of first publication; due times are checked in it. */
    private final Map<ByteBuffer, Owned> records = new LinkedHashMap<>();
    private final Map<ByteBuffer, Owned> providerKeys = new LinkedHashMap<>();

    Republishing(int maxRecords, int maxProviderKeys, Duration recordInterval, Duration providerInterval) {
        this.maxRecords = maxRecords;
        this.maxProviderKeys = maxProviderKeys;
        this.recordInterval = Objects.requireNonNull(recordInterval, "recordInterval");
        this.providerInterval = Objects.requireNonNull(providerInterval, "providerInterval");
    }

    /**
     * Owns {@code value} under {@code key}, published at {@code now}, replacing an older value.
     *
     * @return false if the key is new and {@code maxRecords} records are owned already
     */
    boolean ownRecord(byte[] key, byte[] value, Instant now) {
        return own(records, maxRecords, key, value.clone(), now.plus(recordInterval));
    }

    /**
     * Provides {@code key}, announced at {@code now}.
     *
     * @return false if the key is new and {@code maxProviderKeys} keys are provided already
     */
    boolean provide(byte[] key, Instant now) {
        return own(providerKeys, maxProviderKeys, key, null, now.plus(providerInterval));
    }

    /** Stops republishing {@code key} as a provider; true if it was provided. */
    boolean stopProviding(byte[] key) {
        return providerKeys.remove(ByteBuffer.wrap(key)) != null;
    }

    /** Stops republishing the record under {@code key}; true if it was owned. */
    boolean disown(byte[] key) {
        return records.remove(ByteBuffer.wrap(key)) != null;
    }

    /**
     * Up to {@code max} republishes due at {@code now}, records first, each rescheduled one
     * interval from {@code now}; the rest stay due for the next call.
     */
    List<Due> takeDue(Instant now, int max) {
        List<Due> due = new ArrayList<>();
        take(records, now, max, recordInterval, due);
        take(providerKeys, now, max, providerInterval, due);
        return due;
    }

    int recordCount() {
        return records.size();
    }

    int providerKeyCount() {
        return providerKeys.size();
    }

    private static boolean own(Map<ByteBuffer, Owned> owned, int max, byte[] key, byte[] value, Instant due) {
        ByteBuffer k = ByteBuffer.wrap(key.clone());
        if (!owned.containsKey(k) && owned.size() >= max) return false;
        owned.put(k, new Owned(value, due));
        return true;
    }

    private static void take(Map<ByteBuffer, Owned> owned, Instant now, int max, Duration interval, List<Due> out) {
        for (Iterator<Map.Entry<ByteBuffer, Owned>> it = owned.entrySet().iterator(); it.hasNext() && out.size() < max; ) {
            Map.Entry<ByteBuffer, Owned> e = it.next();
            Owned o = e.getValue();
            if (now.isBefore(o.due())) continue;
            e.setValue(new Owned(o.value(), now.plus(interval)));
            byte[] key = new byte[e.getKey().remaining()];
            e.getKey().duplicate().get(key);
            out.add(new Due(key, Optional.ofNullable(o.value()).map(byte[]::clone)));
        }
    }
}
