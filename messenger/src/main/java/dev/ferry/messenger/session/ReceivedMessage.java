package dev.ferry.messenger.session;

import dev.ferry.crypto.envelope.ContentType;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Objects;

/**
 * An application message from a peer, ready for the inbox: its place in the peer's sequence, its
 * type, its body and the sender's clock when it was sent (a claim, for display). The body is
 * secret: never in {@link #toString()}.
 *
 * @param sequence its number in the sender's sequence towards us
 * @param type what the body is
 * @param body the application's bytes
 * @param sent the sender's clock at sealing, millisecond precision
 */
public record ReceivedMessage(long sequence, ContentType type, byte[] body, Instant sent) {
    public ReceivedMessage {
        Objects.requireNonNull(type, "type");
        if (body.length > SessionLimits.MAX_BODY_LENGTH) {
            throw new IllegalArgumentException("body of " + body.length + " bytes exceeds " + SessionLimits.MAX_BODY_LENGTH);
        }
        body = body.clone();
        sent = sent.truncatedTo(ChronoUnit.MILLIS);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    byte[] bodyNoCopy() {
        return body;
    }

    int bodyLength() {
        return body.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReceivedMessage m && m.sequence == sequence && m.type == type && Arrays.equals(m.body, body)
                && m.sent.equals(sent);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(sequence) * 31 + type.hashCode();
    }

    @Override
    public String toString() {
        return "ReceivedMessage[#" + sequence + ", " + type + ", " + body.length + " bytes, sent " + sent + "]";
    }
}
