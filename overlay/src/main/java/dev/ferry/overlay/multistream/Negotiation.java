package dev.ferry.overlay.multistream;

import java.util.List;

/**
 * One step of a multistream-select negotiation: what to send, and whether it is over. Produced by
 * the pure {@link DialerNegotiation} and {@link ListenerNegotiation}.
 *
 * @param send messages to send now, in order (may be empty)
 * @param selected the agreed protocol, once there is one
 * @param failure why the negotiation failed, if it did
 * @param unsupported true when it failed only because the remote refused every proposal
 */
public record Negotiation(List<String> send, String selected, String failure, boolean unsupported) {
    static Negotiation sending(String... messages) {
        return new Negotiation(List.of(messages), null, null, false);
    }

    static Negotiation done(String protocol, String... messages) {
        return new Negotiation(List.of(messages), protocol, null, false);
    }

    static Negotiation failed(String reason) {
        return new Negotiation(List.of(), null, reason, false);
    }

    static Negotiation unsupported(String reason) {
        return new Negotiation(List.of(), null, reason, true);
    }

    public boolean isDone() {
        return selected != null;
    }

    public boolean isUnsupported() {
        return unsupported;
    }

    public boolean isFailed() {
        return failure != null;
    }
}
