package dev.ferry.store.rocks;

import dev.ferry.store.ConversationId;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.PeerBytes;
import dev.ferry.store.Shard;
import dev.ferry.store.StoreLimits;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;

/**
 * The child process of {@link RocksCrashTest}: writes numbered multi-part batches into a RocksDB
 * store until it is killed, printing each number once its write returned. Batch {@code n} holds
 * shard 0 of envelope {@code n} (with its index entries and accounting), message {@code n + 1}
 * of one conversation, and the session of peer {@code n % PEERS}, all naming {@code n}.
 */
public final class CrashWriter {
    static final int PEERS = 4;
    static final int MAILBOXES = 3;
    static final ConversationId CONVERSATION = ConversationId.of(new byte[] {1, 2, 3});
    static final Instant EXPIRY = Instant.parse("2030-01-01T00:00:00Z");

    private CrashWriter() {}

    /** Writes into the store in directory {@code args[0]} until killed. */
    public static void main(String[] args) {
        PrintStream out = System.out;
        try (FerryStore store = RocksFerryStore.open(Path.of(args[0]), StoreLimits.DEFAULTS)) {
            for (long n = 0; ; n++) {
                long number = n;
                store.write(batch -> {
                    batch.shards().put(shard(number));
                    batch.inbox().append(CONVERSATION, numberBytes(number));
                    batch.sessions().put(peer(number % PEERS), numberBytes(number));
                });
                out.println(n);
                out.flush();
            }
        }
    }

    static Shard shard(long n) {
        byte[] data = new byte[64 + (int) (n % 50)];
        Arrays.fill(data, (byte) n);
        return new Shard(envelope(n), 0, mailbox(n % MAILBOXES), peer(n % PEERS), EXPIRY, numberBytes(n), data);
    }

    static EnvelopeId envelope(long n) {
        return EnvelopeId.of(ByteBuffer.allocate(EnvelopeId.LENGTH).putLong(n).array());
    }

    static MailboxKey mailbox(long m) {
        return MailboxKey.of(ByteBuffer.allocate(MailboxKey.LENGTH).putLong(24, m + 1).array());
    }

    static PeerBytes peer(long p) {
        return PeerBytes.of(ByteBuffer.allocate(38).putLong(30, p + 1).array());
    }

    static byte[] numberBytes(long n) {
        return ByteBuffer.allocate(Long.BYTES).putLong(n).array();
    }
}
