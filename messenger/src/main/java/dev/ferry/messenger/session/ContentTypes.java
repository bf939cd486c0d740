package dev.ferry.messenger.session;

import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.proto.EnvelopeProto;

/** Content types on the session wire: the numbers of {@code envelope.proto}'s {@code ContentType}. */
final class ContentTypes {
    private ContentTypes() {}

    static int toWire(ContentType type) {
        return EnvelopeProto.ContentType.valueOf(type.name()).getNumber();
    }

    /** @throws IllegalArgumentException for a number that names no content type */
    static ContentType fromWire(int number) {
        EnvelopeProto.ContentType wire = EnvelopeProto.ContentType.forNumber(number);
        if (wire == null || wire == EnvelopeProto.ContentType.CONTENT_TYPE_UNSPECIFIED) {
            throw new IllegalArgumentException("unknown content type " + Integer.toUnsignedString(number));
        }
        return ContentType.valueOf(wire.name());
    }
}
