package dev.ferry.messenger;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.store.EnvelopeId;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One message of a conversation as the user sees it: received, or sent by this user.
 *
 * @param position its place in the conversation on this node (1, 2, 3...): the cursor to page from
 * @param sender who wrote it; this node's own PeerId for a message the user sent
 * @param outgoing whether the user sent it
 * @param group the group of a group conversation, or empty for a 1:1 one
 * @param type what the body is
 * @param body the plaintext
 * @param sentAt the sender's clock when it was sent
 * @param receivedAt this node's clock when it was persisted (for a sent message: when it was sent)
 * @param envelope a 1:1 message the user sent: its envelope
 * @param state a 1:1 message the user sent: how far it got, as last heard
 */
public record ChatMessage(long position, PeerId sender, boolean outgoing, Optional<byte[]> group, ContentType type, byte[] body,
        Instant sentAt, Instant receivedAt, Optional<EnvelopeId> envelope, Optional<DeliveryState> state) {
    /** Checks the fields and copies the arrays. */
    public ChatMessage {
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(sentAt, "sentAt");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(envelope, "envelope");
        Objects.requireNonNull(state, "state");
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

    /**
     * The file this message completes: present on a file's last piece (a conversation shows a file
     * there, once), empty for any other message.
     */
    public Optional<FileInfo> file() {
        if (type != ContentType.FILE_CHUNK) return Optional.empty();
        return FileChunks.decode(body).filter(FileChunks::isLast).map(FileChunks::info);
    }

    /** The body as text (UTF-8, malformed input replaced). */
    public String text() {
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Names the sender and the place, never the body: message bodies stay out of logs. */
    @Override
    public String toString() {
        return "ChatMessage[#" + position + (outgoing ? " to " : " from ") + sender + ", " + type + ", " + body.length + " bytes"
                + state.map(s -> ", " + s).orElse("") + "]";
    }
}
