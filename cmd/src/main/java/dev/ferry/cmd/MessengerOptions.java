package dev.ferry.cmd;

import dev.ferry.crypto.envelope.EnvelopeLimits;
import dev.ferry.messenger.MessengerConfig;
import dev.ferry.store.StoreLimits;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The messenger limits an operator may want to change: what the node holds for others and how
 * long messages live. Every one left out keeps its default (docs/OPERATIONS.md lists them).
 */
final class MessengerOptions {
    @Option(names = "--store-max-bytes", paramLabel = "BYTES", converter = ByteSizeConverter.class,
            description = "Disk given to other people's message shards, all mailboxes together (default: 1GiB).")
    Long storeMaxBytes;

    @Option(names = "--mailbox-max-bytes", paramLabel = "BYTES", converter = ByteSizeConverter.class,
            description = "Shards held for one recipient (default: 64MiB).")
    Long mailboxMaxBytes;

    @Option(names = "--sender-max-bytes", paramLabel = "BYTES", converter = ByteSizeConverter.class,
            description = "Shards one sending peer may have stored here (default: 32MiB).")
    Long senderMaxBytes;

    @Option(names = "--max-envelope-size", paramLabel = "BYTES", converter = ByteSizeConverter.class,
            description = "Largest envelope sent, or held a shard of for others (default and most: a little over 1MiB).")
    Long maxEnvelopeSize;

    @Option(names = "--message-ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long this user's messages wait for an offline recipient (default: 7d, most: 30d).")
    Duration messageTtl;

    @Option(names = "--repair-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How often this node checks the mailboxes it holds shards of, handing shards over and rebuilding lost ones "
                    + "(default: 10m, least: 1s).")
    Duration repairInterval;

    /**
     * {@code base} with the options given; refuses values that make no sense, naming the option.
     *
     * @throws IllegalArgumentException with the one line the user sees
     */
    MessengerConfig applyTo(MessengerConfig base) {
        MessengerConfig config = base;
        StoreLimits store = base.storeLimits();
        if (storeMaxBytes != null || mailboxMaxBytes != null || senderMaxBytes != null) {
            long total = storeMaxBytes != null ? atLeast("--store-max-bytes", storeMaxBytes, 1 << 20) : store.maxTotalBytes();
            long mailbox = mailboxMaxBytes != null ? atLeast("--mailbox-max-bytes", mailboxMaxBytes, 64 << 10) : Math.min(store.maxMailboxBytes(), total);
            long sender = senderMaxBytes != null ? atLeast("--sender-max-bytes", senderMaxBytes, 64 << 10) : Math.min(store.maxPeerBytes(), mailbox);
            if (mailbox > total) throw new IllegalArgumentException("--mailbox-max-bytes is more than --store-max-bytes");
            if (sender > mailbox) throw new IllegalArgumentException("--sender-max-bytes is more than --mailbox-max-bytes");
            config = config.withStoreLimits(new StoreLimits(total, mailbox, sender, store.maxShardBytes(), store.maxHeldPrekeyBundles()));
        }
        if (maxEnvelopeSize != null) {
            if (maxEnvelopeSize < 1024 || maxEnvelopeSize > EnvelopeLimits.MAX_CIPHERTEXT_LENGTH) {
                throw new IllegalArgumentException("--max-envelope-size must be between 1KiB and " + EnvelopeLimits.MAX_CIPHERTEXT_LENGTH
                        + " bytes");
            }
            config = config.withMaxEnvelopeBytes(maxEnvelopeSize.intValue());
        }
        if (messageTtl != null) {
            if (messageTtl.compareTo(Duration.ofMinutes(1)) < 0 || messageTtl.compareTo(EnvelopeLimits.MAX_TTL) > 0) {
                throw new IllegalArgumentException("--message-ttl must be between 1m and " + DurationConverter.format(EnvelopeLimits.MAX_TTL));
            }
            config = config.withTtl(messageTtl);
        }
        if (repairInterval != null) {
            if (repairInterval.compareTo(Duration.ofSeconds(1)) < 0 || repairInterval.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("--repair-interval must be between 1s and 1d");
            }
            config = config.withIntervals(config.fetchInterval(), config.acknowledgementCheck(), repairInterval, config.sweepInterval());
        }
        return config;
    }

    private static long atLeast(String option, long value, long least) {
        if (value < least) throw new IllegalArgumentException(option + " must be at least " + least / 1024 + "KiB");
        return value;
    }
}
