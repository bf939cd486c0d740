package dev.ferry.crypto.ratchet;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The message keys of messages not received yet, keyed by (sender's ratchet public key, N), in
 * the order they were skipped. Immutable: every change returns a new instance (copy on write), so
 * the states of a session can share one while nothing changes, which is the common case.
 * At most {@link RatchetLimits#MAX_SKIPPED_KEYS} are kept; adding more drops the oldest.
 */
final class SkippedMessageKeys {
    static final SkippedMessageKeys EMPTY = new SkippedMessageKeys(new LinkedHashMap<>());

    /** Where a skipped key belongs: a sender's ratchet public key and a message number. */
    static final class Slot {
        final byte[] ratchetPublicKey;
        final int messageNumber;
        private final int hash;

        Slot(byte[] ratchetPublicKey, int messageNumber) {
            this.ratchetPublicKey = ratchetPublicKey;
            this.messageNumber = messageNumber;
            this.hash = 31 * Arrays.hashCode(ratchetPublicKey) + messageNumber;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Slot s && s.messageNumber == messageNumber && Arrays.equals(s.ratchetPublicKey, ratchetPublicKey);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    /** A skipped key with its slot. */
    record Entry(Slot slot, byte[] messageKey) {}

    private final LinkedHashMap<Slot, byte[]> keys;

    private SkippedMessageKeys(LinkedHashMap<Slot, byte[]> keys) {
        this.keys = keys;
    }

    /** The keys of {@code entries}, oldest first, the cap applied. */
    static SkippedMessageKeys of(List<Entry> entries) {
        return EMPTY.plus(entries);
    }

    int size() {
        return keys.size();
    }

    /** The message key for the slot, or null. */
    byte[] find(byte[] ratchetPublicKey, int messageNumber) {
        return keys.get(new Slot(ratchetPublicKey, messageNumber));
    }

    /** These keys without the slot's. */
    SkippedMessageKeys without(byte[] ratchetPublicKey, int messageNumber) {
        LinkedHashMap<Slot, byte[]> copy = new LinkedHashMap<>(keys);
        copy.remove(new Slot(ratchetPublicKey, messageNumber));
        return new SkippedMessageKeys(copy);
    }

    /** These keys and {@code added} (newest last), the oldest dropped beyond the cap. */
    SkippedMessageKeys plus(List<Entry> added) {
        if (added.isEmpty()) return this;
        LinkedHashMap<Slot, byte[]> copy = new LinkedHashMap<>(keys);
        for (Entry e : added) copy.put(e.slot(), e.messageKey());
        Iterator<Slot> oldestFirst = copy.keySet().iterator();
        for (int excess = copy.size() - RatchetLimits.MAX_SKIPPED_KEYS; excess > 0; excess--) {
            oldestFirst.next();
            oldestFirst.remove();
        }
        return new SkippedMessageKeys(copy);
    }

    /** All entries, oldest first. */
    List<Entry> entries() {
        List<Entry> out = new ArrayList<>(keys.size());
        for (Map.Entry<Slot, byte[]> e : keys.entrySet()) out.add(new Entry(e.getKey(), e.getValue()));
        return Collections.unmodifiableList(out);
    }
}
