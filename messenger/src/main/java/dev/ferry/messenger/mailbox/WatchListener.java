package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.envelope.EnvelopeHeader;

/**
 * Hears what a holder pushes on a WATCH. Called on the stream's event loop, one call at a time:
 * hand work off (fetch from another thread), never block.
 */
public interface WatchListener {
    /** A shard of the envelope of {@code header} was newly stored in the watched mailbox. */
    void onShard(EnvelopeHeader header, int index);

    /**
     * The watch is over: the holder ended it ({@link MailboxStatus#WATCHER_TOO_SLOW},
     * {@link MailboxStatus#SHUTTING_DOWN}), or the stream ended without a word from it
     * ({@link MailboxStatus#UNKNOWN}, with a detail saying how). Not called after
     * {@link MailboxWatch#close()}.
     */
    default void onEnd(MailboxReply reason) {}
}
