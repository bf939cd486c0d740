package dev.ferry.messenger.session;

import dev.ferry.store.PeerBytes;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * The session records this node wrote last, kept decoded beside the bytes they were written as:
 * a call that finds those very bytes in the store takes the record instead of decoding it again
 * (parsing the protobuf and the peer's Ed25519 key was about a fifth of opening an envelope).
 *
 * <p>A record is only ever taken, never shared: the call that takes it changes it, and the
 * change it commits puts the new record back. A record whose change never got written stays
 * out, so a ratchet state that encrypted once is never handed out again; the bytes it stood for
 * are decoded afresh. Bounded by the encoded size of what it holds, least recently written
 * dropped first. Thread-safe.
 */
final class DecodedRecords {
    /** Encoded bytes kept at most: a few thousand ordinary records, a handful holding early messages. */
    static final long MAX_BYTES = 8L << 20;

    private record Entry(byte[] bytes, SessionRecord record) {}

    private final long maxBytes;
    private final LinkedHashMap<PeerBytes, Entry> entries = new LinkedHashMap<>();
    private long bytes;

    DecodedRecords(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The record in {@code stored}, decoded now or taken from what we wrote; empty when there is none. */
    Optional<SessionRecord> take(PeerBytes key, Optional<byte[]> stored) {
        Entry entry;
        synchronized (this) {
            entry = entries.remove(key);
            if (entry != null) bytes -= entry.bytes.length;
        }
        if (stored.isEmpty()) return Optional.empty();
        if (entry != null && Arrays.equals(entry.bytes, stored.get())) return Optional.of(entry.record);
        return Optional.of(SessionRecord.decode(stored.get()));
    }

    /** Keeps {@code record}, which {@code encoded} is the encoding of and which no one changes any more. */
    synchronized void put(PeerBytes key, byte[] encoded, SessionRecord record) {
        if (encoded.length > maxBytes) return;
        Entry old = entries.put(key, new Entry(encoded, record));
        if (old != null) bytes -= old.bytes.length;
        bytes += encoded.length;
        for (Iterator<Entry> it = entries.values().iterator(); bytes > maxBytes && it.hasNext(); ) {
            bytes -= it.next().bytes.length;
            it.remove();
        }
    }

    synchronized int size() {
        return entries.size();
    }

    @Override
    public synchronized String toString() {
        return "DecodedRecords[" + entries.size() + " records, " + bytes + " bytes]";
    }

    /** For tests: whether a record is kept for {@code key}. */
    synchronized boolean holds(PeerBytes key) {
        return entries.containsKey(key);
    }
}
