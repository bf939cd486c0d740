package dev.ferry.messenger;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.ContentType;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A message delivered to the application: decrypted, authenticated, persisted in the inbox, in
 * order per conversation, exactly once.
 *
 * @param sender who wrote it (authenticated by the session or the group's sender key)
 * @param group the group it was sent to, or empty for a 1:1 message
 * @param sequence its place in the sender's conversation (1:1: per sender and recipient; group: the inbox sequence)
 * @param type what the body is
 * @param body the plaintext
 * @param sentAt the sender's clock when it was sent (a claim of the sender's)
 * @param receivedAt this node's clock when it was persisted
 */
public record ReceivedMessage(PeerId sender, Optional<byte[]> group, long sequence, ContentType type, byte[] body, Instant sentAt,
        Instant receivedAt) {
    /** Checks the fields and copies the arrays. */
    public ReceivedMessage {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sentAt, "sentAt");
        Objects.requireNonNull(receivedAt, "receivedAt");
        group = group.map(byte[]::clone);
        body = body.clone();
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public Optional<byte[]> group() {
        return group.map(byte[]::clone);
    }

    /** The body as text (UTF-8, malformed input replaced). */
    public String text() {
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Names the sender and the place, never the body: message bodies stay out of logs. */
    @Override
    public String toString() {
        return "ReceivedMessage[from " + sender + " #" + sequence + ", " + type + ", " + body.length + " bytes]";
    }
}
