package dev.ferry.messenger.mailbox;

/**
 * A mailbox request failed without a holder's answer: no stream, a reset, a timeout, or an answer
 * that broke the protocol (malformed, for another request, a forged bundle). A holder's refusal is
 * not one: it is a {@link MailboxStatus} in the result, or a {@link MailboxRefusedException} where
 * a result has no room for it.
 */
public class MailboxException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public MailboxException(String message) {
        super(message);
    }

    public MailboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
