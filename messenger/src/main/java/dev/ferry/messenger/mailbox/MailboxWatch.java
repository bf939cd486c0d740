package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.PeerId;
import dev.ferry.store.MailboxKey;

/** An open WATCH at one holder; {@link #close()} ends it. */
public interface MailboxWatch extends AutoCloseable {
    /** The holder pushing notices. */
    PeerId holder();

    /** The mailbox watched. */
    MailboxKey mailbox();

    /** Whether notices may still arrive. */
    boolean isOpen();

    /** Ends the watch (closes our side of its stream); the listener hears nothing more. */
    @Override
    void close();
}
