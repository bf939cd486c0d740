package dev.ferry.messenger.mailbox;

import java.util.Objects;

/**
 * A holder's answer to one shard or one request: a status and, for a refusal, a short sentence
 * saying why (for logs and the sender's status; it never carries secrets).
 *
 * @param status the status
 * @param detail the holder's sentence, empty for a plain OK
 */
public record MailboxReply(MailboxStatus status, String detail) {
    /** An OK with no detail. */
    public static final MailboxReply OK = new MailboxReply(MailboxStatus.OK, "");

    /** Checks the fields and cuts the detail to {@link MailboxLimits#MAX_DETAIL_CHARS}. */
    public MailboxReply {
        Objects.requireNonNull(status, "status");
        detail = detail.length() > MailboxLimits.MAX_DETAIL_CHARS
                ? detail.substring(0, MailboxLimits.MAX_DETAIL_CHARS) : detail;
    }

    /** A refusal (or an OK with a remark). */
    public static MailboxReply of(MailboxStatus status, String detail) {
        return new MailboxReply(status, detail);
    }

    /** Whether the status is OK. */
    public boolean isOk() {
        return status.isOk();
    }
}
