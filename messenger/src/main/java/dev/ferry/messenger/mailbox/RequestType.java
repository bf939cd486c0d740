package dev.ferry.messenger.mailbox;

import java.util.Locale;

/** The kinds of request of {@code /ferry/mailbox/1.0.0}; a metric label. */
public enum RequestType {
    STORE, FETCH, WATCH, ACK, HAS, HANDOVER, PREKEYS_PUT, PREKEYS_GET, ACKED, BATCH;

    /** The metric label: the name in lower case. */
    String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
