package dev.ferry.messenger.direct;

import dev.ferry.messenger.proto.DirectProto.DirectResponseStatus;

/** What a recipient answers to a direct delivery (the {@code DirectResponseStatus} of {@code direct.proto}). */
public enum DirectStatus {
    /** Opened and kept (or kept before): the ACK secret comes with it. */
    ACKNOWLEDGED(DirectResponseStatus.DIRECT_ACKNOWLEDGED),
    /** The header or ciphertext is malformed. */
    MALFORMED(DirectResponseStatus.DIRECT_MALFORMED),
    /** Not for this node. */
    NOT_FOR_US(DirectResponseStatus.DIRECT_NOT_FOR_US),
    /** Expired, or dated in the future. */
    EXPIRED(DirectResponseStatus.DIRECT_EXPIRED),
    /** The recipient will not take it: store it in the mailbox instead. */
    REFUSED(DirectResponseStatus.DIRECT_REFUSED),
    /** Too many requests in progress. */
    BUSY(DirectResponseStatus.DIRECT_BUSY),
    /** The recipient failed to handle it. */
    INTERNAL_ERROR(DirectResponseStatus.DIRECT_INTERNAL_ERROR);

    private final DirectResponseStatus wire;

    DirectStatus(DirectResponseStatus wire) {
        this.wire = wire;
    }

    DirectResponseStatus wire() {
        return wire;
    }

    /** The status of {@code wire}, or null for one this version does not know. */
    static DirectStatus fromWire(DirectResponseStatus wire) {
        for (DirectStatus s : values()) {
            if (s.wire == wire) return s;
        }
        return null;
    }
}
