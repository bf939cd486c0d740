package dev.ferry.store.tables;

import dev.ferry.store.ConversationId;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.OutboxEntry;
import dev.ferry.store.OutboxState;
import dev.ferry.store.PeerBytes;
import dev.ferry.store.Shard;
import dev.ferry.store.StoreUsage;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;

/**
 * The binary layout of every key and value, big-endian and fixed: a layout change needs a new
 * {@link #VERSION} byte in the values that carry one. Times are stored to the millisecond, as
 * sortable longs (sign bit flipped) in keys.
 */
final class Layout {
    /** First byte of a shard value; a reader refuses any other. */
    static final byte VERSION = 1;

    /** Expiry-index kinds: what the key after (expiry, kind) names. */
    static final byte KIND_SHARD = 1;
    static final byte KIND_TOMBSTONE = 2;
    static final byte KIND_OUTBOX = 3;
    static final byte KIND_HELD_PREKEY_BUNDLE = 4;

    /** Counter-table key prefixes. */
    private static final byte COUNTER_TOTAL = 0;
    private static final byte COUNTER_MAILBOX = 1;
    private static final byte COUNTER_PEER = 2;
    private static final byte COUNTER_INBOX_SEQUENCE = 3;
    private static final byte COUNTER_HELD_PREKEY_BUNDLES = 4;

    /** (expiry millis) + kind: the expiry-index key's fixed head. */
    static final int EXPIRY_HEAD = Long.BYTES + 1;

    private Layout() {}

    static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** The smallest key sorting after {@code key} (and after nothing else that starts with it). */
    static byte[] successor(byte[] key) {
        return Arrays.copyOf(key, key.length + 1);
    }

    /** The first key after every key that starts with {@code prefix}, or empty when there is none (all 0xFF). */
    static java.util.Optional<byte[]> prefixSuccessor(byte[] prefix) {
        byte[] next = prefix.clone();
        for (int i = next.length - 1; i >= 0; i--) {
            if (next[i] != (byte) 0xFF) {
                next[i]++;
                return java.util.Optional.of(Arrays.copyOf(next, i + 1));
            }
        }
        return java.util.Optional.empty();
    }

    static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] part : parts) {
            out.put(part);
        }
        return out.array();
    }

    static long sortableMillis(Instant time) {
        return time.toEpochMilli() ^ Long.MIN_VALUE;
    }

    static Instant fromSortableMillis(long sortable) {
        return Instant.ofEpochMilli(sortable ^ Long.MIN_VALUE);
    }

    // Shards: key envelope(32) index(1); value version(1) mailbox(32) expiry(8) senderLength(1)
    // sender headerLength(4) header data.

    static byte[] shardKey(EnvelopeId envelope, int index) {
        return concat(envelope.bytes(), new byte[] {(byte) index});
    }

    static byte[] shardValue(Shard shard) {
        byte[] sender = shard.sender().bytes();
        byte[] header = shard.header();
        byte[] data = shard.data();
        return ByteBuffer.allocate(1 + MailboxKey.LENGTH + Long.BYTES + 1 + sender.length + Integer.BYTES
                        + header.length + data.length)
                .put(VERSION).put(shard.mailbox().bytes()).putLong(shard.expiry().toEpochMilli())
                .put((byte) sender.length).put(sender).putInt(header.length).put(header).put(data)
                .array();
    }

    static Shard shard(byte[] key, byte[] value) {
        EnvelopeId envelope = EnvelopeId.of(Arrays.copyOf(key, EnvelopeId.LENGTH));
        int index = key[EnvelopeId.LENGTH] & 0xff;
        ByteBuffer in = ByteBuffer.wrap(value);
        byte version = in.get();
        if (version != VERSION) {
            throw new IllegalStateException("shard record of unknown layout version " + version);
        }
        MailboxKey mailbox = MailboxKey.of(take(in, MailboxKey.LENGTH));
        Instant expiry = Instant.ofEpochMilli(in.getLong());
        PeerBytes sender = PeerBytes.of(take(in, in.get() & 0xff));
        byte[] header = take(in, in.getInt());
        byte[] data = take(in, in.remaining());
        return new Shard(envelope, index, mailbox, sender, expiry, header, data);
    }

    static byte[] mailboxIndexKey(MailboxKey mailbox, EnvelopeId envelope, int index) {
        return concat(mailbox.bytes(), shardKey(envelope, index));
    }

    static byte[] expiryKey(Instant expiry, byte kind, byte[] itemKey) {
        return ByteBuffer.allocate(EXPIRY_HEAD + itemKey.length)
                .putLong(sortableMillis(expiry)).put(kind).put(itemKey).array();
    }

    static byte[] millis(Instant time) {
        return ByteBuffer.allocate(Long.BYTES).putLong(time.toEpochMilli()).array();
    }

    static Instant instant(byte[] millis) {
        return Instant.ofEpochMilli(ByteBuffer.wrap(millis).getLong());
    }

    // Counters: usage values are bytes(8) shards(8); inbox sequences are one long.

    static byte[] totalCounter() {
        return new byte[] {COUNTER_TOTAL};
    }

    static byte[] mailboxCounter(MailboxKey mailbox) {
        return concat(new byte[] {COUNTER_MAILBOX}, mailbox.bytes());
    }

    static byte[] peerCounter(PeerBytes peer) {
        return concat(new byte[] {COUNTER_PEER}, peer.bytes());
    }

    static byte[] inboxSequenceCounter(ConversationId conversation) {
        return concat(new byte[] {COUNTER_INBOX_SEQUENCE}, conversation.bytes());
    }

    static byte[] heldPrekeyBundlesCounter() {
        return new byte[] {COUNTER_HELD_PREKEY_BUNDLES};
    }

    static StoreUsage usage(byte[] value) {
        if (value == null) {
            return StoreUsage.NONE;
        }
        ByteBuffer in = ByteBuffer.wrap(value);
        return new StoreUsage(in.getLong(), in.getLong());
    }

    static byte[] usageValue(StoreUsage usage) {
        return ByteBuffer.allocate(2 * Long.BYTES).putLong(usage.bytes()).putLong(usage.shards()).array();
    }

    static byte[] longValue(long value) {
        return ByteBuffer.allocate(Long.BYTES).putLong(value).array();
    }

    static long longOf(byte[] value) {
        return value == null ? 0 : ByteBuffer.wrap(value).getLong();
    }

    // Inbox: key conversationLength(1) conversation sequence(8).

    static byte[] conversationPrefix(ConversationId conversation) {
        byte[] id = conversation.bytes();
        return concat(new byte[] {(byte) id.length}, id);
    }

    static byte[] inboxKey(ConversationId conversation, long sequence) {
        return concat(conversationPrefix(conversation), longValue(sequence));
    }

    static long inboxSequence(byte[] key) {
        return ByteBuffer.wrap(key, key.length - Long.BYTES, Long.BYTES).getLong();
    }

    // Outbox: value state(1) expiry(8) envelope.

    static byte[] outboxValue(OutboxEntry entry) {
        byte[] bytes = entry.bytes();
        return ByteBuffer.allocate(1 + Long.BYTES + bytes.length)
                .put((byte) entry.state().ordinal()).putLong(entry.expiry().toEpochMilli()).put(bytes).array();
    }

    static OutboxEntry outboxEntry(byte[] key, byte[] value) {
        ByteBuffer in = ByteBuffer.wrap(value);
        OutboxState state = OutboxState.values()[in.get()];
        Instant expiry = Instant.ofEpochMilli(in.getLong());
        return new OutboxEntry(EnvelopeId.of(key), state, expiry, take(in, in.remaining()));
    }

    // Held prekey bundles: key mailbox(32); value expiry(8) bundle.

    static byte[] heldBundleValue(Instant expiry, byte[] bundle) {
        return ByteBuffer.allocate(Long.BYTES + bundle.length).putLong(expiry.toEpochMilli()).put(bundle).array();
    }

    static Instant heldBundleExpiry(byte[] value) {
        return Instant.ofEpochMilli(ByteBuffer.wrap(value).getLong());
    }

    static byte[] heldBundle(byte[] value) {
        return Arrays.copyOfRange(value, Long.BYTES, value.length);
    }

    static byte[] take(ByteBuffer in, int length) {
        byte[] out = new byte[length];
        in.get(out);
        return out;
    }
}
