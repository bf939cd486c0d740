package dev.ferry.cmd.api;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.messenger.ChatMessage;
import dev.ferry.messenger.Contact;
import dev.ferry.messenger.DeliveryState;
import dev.ferry.messenger.DeliveryUpdate;
import dev.ferry.messenger.FileInfo;
import dev.ferry.messenger.ReceivedMessage;
import dev.ferry.messenger.SentMessage;
import dev.ferry.messenger.group.GroupState;
import dev.ferry.messenger.mailbox.MailboxStatus;
import dev.ferry.store.EnvelopeId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/**
 * How the API writes the node's objects as JSON: ids as text (PeerIds in their usual form,
 * envelope and group ids in hex), times in ISO 8601, states and statuses in lower case.
 * docs/api/openapi.yaml describes each shape.
 */
final class ApiJson {
    private static final HexFormat HEX = HexFormat.of();

    private ApiJson() {}

    static String hex(byte[] bytes) {
        return HEX.formatHex(bytes);
    }

    static String hex(EnvelopeId id) {
        return HEX.formatHex(id.bytes());
    }

    static String state(DeliveryState state) {
        return state.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Milliseconds, as the store keeps them, so that an event and a page say the same time for one message. */
    static String time(Instant at) {
        return at.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
    }

    static JsonObject message(ChatMessage m) {
        JsonObject json = new JsonObject()
                .put("position", m.position())
                .put("sender", m.sender().toString())
                .put("outgoing", m.outgoing())
                .put("type", m.type().name().toLowerCase(java.util.Locale.ROOT))
                .put("sentAt", time(m.sentAt()))
                .put("receivedAt", time(m.receivedAt()));
        m.file().ifPresentOrElse(f -> json.put("file", file(f)), () -> body(json, m.type(), m.body()));
        m.group().ifPresent(g -> json.put("group", hex(g)));
        m.envelope().ifPresent(e -> json.put("envelope", hex(e)));
        m.state().ifPresent(s -> json.put("state", state(s)));
        return json;
    }

    /**
     * A message as the live event stream announces it (its position is in the conversation's next
     * page); a file's pieces are announced once, by the last, without their data.
     */
    static Optional<JsonObject> received(ReceivedMessage m, Optional<FileInfo> file) {
        if (m.type() == ContentType.FILE_CHUNK && file.isEmpty()) return Optional.empty();
        JsonObject json = new JsonObject()
                .put("sender", m.sender().toString())
                .put("type", m.type().name().toLowerCase(java.util.Locale.ROOT))
                .put("sentAt", time(m.sentAt()))
                .put("receivedAt", time(m.receivedAt()));
        file.ifPresentOrElse(f -> json.put("file", file(f)), () -> body(json, m.type(), m.body()));
        m.group().ifPresent(g -> json.put("group", hex(g)));
        return Optional.of(json);
    }

    static JsonObject file(FileInfo f) {
        return new JsonObject().put("id", f.id()).put("name", f.name()).put("mediaType", f.mediaType()).put("size", f.size())
                .put("pieces", f.chunks());
    }

    /** Text as text; anything else as base64, so that no byte is lost or mangled. */
    private static void body(JsonObject json, ContentType type, byte[] body) {
        if (type == ContentType.TEXT) json.put("text", new String(body, StandardCharsets.UTF_8));
        else json.put("bodyBase64", Base64.getEncoder().encodeToString(body));
    }

    static JsonObject delivery(DeliveryUpdate u) {
        return new JsonObject()
                .put("envelope", hex(u.envelope()))
                .put("recipient", u.recipient().toString())
                .put("state", state(u.state()))
                .put("at", time(u.at()));
    }

    static JsonObject sent(SentMessage s, Optional<MailboxStatus> refusal) {
        JsonObject json = new JsonObject()
                .put("envelope", hex(s.envelope()))
                .put("recipient", s.recipient().toString())
                .put("position", s.position())
                .put("state", state(s.state()))
                .put("sentAt", time(s.sentAt()))
                .put("updatedAt", time(s.updatedAt()));
        refusal.ifPresent(r -> json.put("refusal", r.label()));
        return json;
    }

    static JsonObject contact(Contact c) {
        return new JsonObject().put("name", c.name()).put("peerId", c.peer().toString()).put("addedAt", time(c.addedAt()));
    }

    static JsonObject group(GroupState g) {
        JsonArray members = new JsonArray();
        g.members().forEach(m -> members.add(m.peerId().toString()));
        return new JsonObject()
                .put("id", hex(g.groupId()))
                .put("name", g.name())
                .put("owner", g.owner().peerId().toString())
                .put("isOwner", g.isOwner())
                .put("epoch", g.epoch())
                .put("status", g.status().name().toLowerCase(java.util.Locale.ROOT))
                .put("members", members);
    }

    static JsonObject peer(PeerId peer) {
        return new JsonObject().put("peerId", peer.toString());
    }
}
