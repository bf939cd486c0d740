package dev.ferry.messenger.mailbox;

/** The holder refused a WATCH or a PREKEYS GET (for another reason than NOT_FOUND); the reply says why. */
public final class MailboxRefusedException extends MailboxException {
    private static final long serialVersionUID = 1L;

    private final transient MailboxReply reply;

    public MailboxRefusedException(MailboxReply reply) {
        super(reply.status() + ": " + reply.detail());
        this.reply = reply;
    }

    /** The holder's status and sentence. */
    public MailboxReply reply() {
        return reply;
    }
}
