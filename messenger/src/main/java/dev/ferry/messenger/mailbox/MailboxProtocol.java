package dev.ferry.messenger.mailbox;

/** The protocol id of the mailbox protocol. */
public final class MailboxProtocol {
    /** The libp2p protocol id holders serve. */
    public static final String ID = "/ferry/mailbox/1.0.0";

    private MailboxProtocol() {}
}
