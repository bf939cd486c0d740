package dev.ferry.overlay.framing;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;

/**
 * The pieces of the protobuf wire format that Ferry's bounded decoders (kad-dht, pubsub) share:
 * they read fields one by one rather than through the generated parsers, so that what a message
 * from a remote costs is bounded by their limits and not by its size.
 */
public final class ProtobufWire {
    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int START_GROUP = 3;
    public static final int END_GROUP = 4;
    public static final int FIXED32 = 5;

    private ProtobufWire() {}

    /** A length prefix; negative ones (over 2 GiB) are malformed. */
    public static int length(CodedInputStream in) throws IOException {
        int length = in.readRawVarint32();
        if (length < 0) throw new InvalidProtocolBufferException("negative length");
        return length;
    }

    /** Refuses {@code tag} unless it has the wire type its field needs: stricter than protobuf, on purpose. */
    public static void expect(int tag, int wireType, String field) throws InvalidProtocolBufferException {
        if ((tag & 7) != wireType) {
            throw new InvalidProtocolBufferException("field " + field + " has wire type " + (tag & 7)
                    + " instead of " + wireType);
        }
    }

    /** Skips an unknown field; groups, which no libp2p protocol uses, are malformed. */
    public static void skip(CodedInputStream in, int tag, String protocol) throws IOException {
        switch (tag & 7) {
            case VARINT -> in.readRawVarint64();
            case FIXED64 -> in.skipRawBytes(8);
            case LENGTH_DELIMITED -> in.skipRawBytes(length(in));
            case FIXED32 -> in.skipRawBytes(4);
            case START_GROUP, END_GROUP -> throw new InvalidProtocolBufferException("groups are not used by " + protocol);
            default -> throw new InvalidProtocolBufferException("invalid wire type " + (tag & 7));
        }
    }
}
