package dev.ferry.messenger.mailbox;

/** Bytes that are not a valid mailbox message: the codec's one refusal. Carries no message bytes. */
final class MailboxCodecException extends Exception {
    private static final long serialVersionUID = 1L;

    MailboxCodecException(String reason) {
        super(reason);
    }
}
