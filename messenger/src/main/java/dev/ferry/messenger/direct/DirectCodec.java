package dev.ferry.messenger.direct;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.EnvelopeLimits;
import dev.ferry.messenger.proto.DirectProto;
import java.util.Optional;

/**
 * The wire format of {@code /ferry/direct/1.0.0} ({@code direct.proto}): requests and responses,
 * each checked against its size limit and its fields' bounds while decoding.
 */
final class DirectCodec {
    private DirectCodec() {}

    /** A request whose header decoded, whose id matched and whose ciphertext is the one the header commits to. */
    record Request(long requestId, EnvelopeHeader header, byte[] ciphertext) {}

    /** A response that decoded: an answer to the request it names. */
    record Response(long requestId, DirectAnswer answer) {}

    /** Bytes that are not a valid message; {@code requestId} is known when only the envelope in it is bad. */
    static final class MalformedException extends Exception {
        private final Optional<Long> requestId;

        MalformedException(Optional<Long> requestId, String message) {
            super(message);
            this.requestId = requestId;
        }

        Optional<Long> requestId() {
            return requestId;
        }
    }

    static byte[] encodeRequest(long requestId, EnvelopeHeader header, byte[] ciphertext) {
        return DirectProto.DirectRequest.newBuilder()
                .setRequestId(requestId)
                .setHeader(ByteString.copyFrom(header.encode()))
                .setCiphertext(ByteString.copyFrom(ciphertext))
                .build()
                .toByteArray();
    }

    /**
     * @throws MalformedException with no request id when the bytes are not a request (reset the
     *     stream), with the request id when the envelope in it is bad (answer MALFORMED)
     */
    static Request decodeRequest(byte[] bytes) throws MalformedException {
        if (bytes.length > DirectProtocol.MAX_REQUEST_SIZE) throw new MalformedException(Optional.empty(), "request too large");
        DirectProto.DirectRequest proto;
        try {
            proto = DirectProto.DirectRequest.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedException(Optional.empty(), "not a DirectRequest");
        }
        Optional<Long> id = Optional.of(proto.getRequestId());
        if (proto.getHeader().size() > EnvelopeLimits.MAX_HEADER_LENGTH) throw new MalformedException(id, "header too large");
        if (proto.getCiphertext().size() > EnvelopeLimits.MAX_CIPHERTEXT_LENGTH) throw new MalformedException(id, "ciphertext too large");
        byte[] ciphertext = proto.getCiphertext().toByteArray();
        try {
            EnvelopeHeader header = EnvelopeHeader.decode(proto.getHeader().toByteArray());
            header.verify(ciphertext);
            return new Request(proto.getRequestId(), header, ciphertext);
        } catch (EnvelopeException e) {
            throw new MalformedException(id, "envelope: " + e.reason());
        }
    }

    static byte[] encodeResponse(long requestId, DirectAnswer answer) {
        DirectProto.DirectResponse.Builder proto = DirectProto.DirectResponse.newBuilder()
                .setRequestId(requestId)
                .setStatus(answer.status().wire())
                .setDetail(truncate(answer.detail()));
        answer.ackSecret().ifPresent(s -> proto.setAckSecret(ByteString.copyFrom(s.bytes())));
        return proto.build().toByteArray();
    }

    /** @throws MalformedException when the bytes are not a well-formed response */
    static Response decodeResponse(byte[] bytes) throws MalformedException {
        if (bytes.length > DirectProtocol.MAX_RESPONSE_SIZE) throw new MalformedException(Optional.empty(), "response too large");
        DirectProto.DirectResponse proto;
        try {
            proto = DirectProto.DirectResponse.parseFrom(bytes);
        } catch (InvalidProtocolBufferException e) {
            throw new MalformedException(Optional.empty(), "not a DirectResponse");
        }
        Optional<Long> id = Optional.of(proto.getRequestId());
        DirectStatus status = DirectStatus.fromWire(proto.getStatus());
        if (status == null) throw new MalformedException(id, "unknown status " + proto.getStatusValue());
        if (proto.getDetail().length() > DirectProtocol.MAX_DETAIL_LENGTH) throw new MalformedException(id, "detail too long");
        if (status == DirectStatus.ACKNOWLEDGED) {
            if (proto.getAckSecret().size() != AckSecret.LENGTH) throw new MalformedException(id, "ACK secret must be " + AckSecret.LENGTH + " bytes");
            return new Response(proto.getRequestId(), DirectAnswer.acknowledged(AckSecret.of(proto.getAckSecret().toByteArray())));
        }
        if (!proto.getAckSecret().isEmpty()) throw new MalformedException(id, "an ACK secret with a refusal");
        return new Response(proto.getRequestId(), DirectAnswer.refused(status, proto.getDetail()));
    }

    private static String truncate(String detail) {
        return detail.length() <= DirectProtocol.MAX_DETAIL_LENGTH ? detail : detail.substring(0, DirectProtocol.MAX_DETAIL_LENGTH);
    }
}
