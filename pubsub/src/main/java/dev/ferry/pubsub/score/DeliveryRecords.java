package dev.ferry.pubsub.score;

import dev.ferry.crypto.PeerId;
import dev.ferry.pubsub.message.MessageId;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What scoring remembers about each recent message id: whether it turned out valid, when it was
 * validated, and which peers sent it. Bounded: a record lives {@code ttl} after it was created,
 * at most {@code maxRecords} are kept (the oldest goes first), and a record names at most
 * {@code maxPeers} peers.
 */
final class DeliveryRecords {
    enum Status {
        /** Seen, validation not finished. */
        UNKNOWN,
        VALID,
        INVALID,
        /** The validator said ignore, or we could not validate: neither reward nor penalty. */
        IGNORED
    }

    static final class Record {
        private final int maxPeers;
        final Instant created;
        Status status = Status.UNKNOWN;
        Instant validated;
        final Set<PeerId> peers = new HashSet<>();

        Record(Instant created, int maxPeers) {
            this.created = created;
            this.maxPeers = maxPeers;
        }

        /** Adds {@code peer}; false if it was there already or the record is full. */
        boolean addPeer(PeerId peer) {
            if (peers.size() >= maxPeers) return false;
            return peers.add(peer);
        }
    }

    private final Duration ttl;
    private final int maxRecords;
    private final int maxPeers;
    /** Insertion order is creation order, so expired records are always at the head. */
    private final LinkedHashMap<MessageId, Record> records = new LinkedHashMap<>();

    DeliveryRecords(Duration ttl, int maxRecords, int maxPeers) {
        this.ttl = ttl;
        this.maxRecords = maxRecords;
        this.maxPeers = maxPeers;
    }

    /** The record for {@code messageId}, created at {@code now} if there is none. */
    Record get(MessageId messageId, Instant now) {
        expire(now);
        Record record = records.get(messageId);
        if (record != null) return record;
        if (records.size() >= maxRecords) {
            Iterator<Map.Entry<MessageId, Record>> oldest = records.entrySet().iterator();
            oldest.next();
            oldest.remove();
        }
        record = new Record(now, maxPeers);
        records.put(messageId, record);
        return record;
    }

    /** Drops the records created {@code ttl} or longer before {@code now}. */
    void expire(Instant now) {
        Iterator<Record> it = records.values().iterator();
        while (it.hasNext()) {
            Record record = it.next();
            if (record.created.plus(ttl).isAfter(now)) break;
            it.remove();
        }
    }

    int size() {
        return records.size();
    }
}
