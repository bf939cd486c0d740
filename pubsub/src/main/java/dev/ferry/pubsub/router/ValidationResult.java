package dev.ferry.pubsub.router;

/** What an application validator decides about a message (the spec's extended validators). */
public enum ValidationResult {
    /** Valid: deliver it to the application and forward it. */
    ACCEPT,
    /**
     * Invalid: drop it, do not forward it, and count it against the peer that sent it (P4), and
     * against every peer that sends it again.
     */
    REJECT,
    /** Drop it without forwarding and without blaming anyone: we cannot tell (a stale message, say). */
    IGNORE
}
