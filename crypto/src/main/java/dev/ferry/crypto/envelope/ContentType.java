package dev.ferry.crypto.envelope;

import dev.ferry.crypto.proto.EnvelopeProto;

/**
 * What an envelope's payload is, so that the messenger knows which layer reads it. New types are
 * added at the end of envelope.proto's enum and here; an unknown type is refused as malformed.
 */
public enum ContentType {
    /** A text message (inside a session message once sessions exist; kept for plain payloads). */
    TEXT(EnvelopeProto.ContentType.TEXT),
    /** One chunk of a file. */
    FILE_CHUNK(EnvelopeProto.ContentType.FILE_CHUNK),
    /** A Double Ratchet message, or an X3DH initial message followed by one. */
    SESSION_MESSAGE(EnvelopeProto.ContentType.SESSION_MESSAGE),
    /** A sender-key group message, stored in the group's mailbox. */
    GROUP_MESSAGE(EnvelopeProto.ContentType.GROUP_MESSAGE),
    /** A sender key distribution, carried by a session message. */
    SENDER_KEY_DISTRIBUTION(EnvelopeProto.ContentType.SENDER_KEY_DISTRIBUTION),
    /** A delivery or read receipt. */
    RECEIPT(EnvelopeProto.ContentType.RECEIPT),
    /** A group's control message (roster, epoch secret, leave), carried by a session message. */
    GROUP_CONTROL(EnvelopeProto.ContentType.GROUP_CONTROL);

    private final EnvelopeProto.ContentType wire;

    ContentType(EnvelopeProto.ContentType wire) {
        this.wire = wire;
    }

    EnvelopeProto.ContentType wire() {
        return wire;
    }

    static ContentType fromWire(EnvelopeProto.ContentType wire) throws EnvelopeException {
        for (ContentType type : values()) {
            if (type.wire == wire) return type;
        }
        throw new EnvelopeException(EnvelopeException.Reason.MALFORMED, "unknown content type " + wire);
    }
}
