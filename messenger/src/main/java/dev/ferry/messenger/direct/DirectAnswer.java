package dev.ferry.messenger.direct;

import dev.ferry.crypto.envelope.AckSecret;
import java.util.Objects;
import java.util.Optional;

/**
 * What the recipient's handler answers to a delivered envelope: its ACK secret, or a refusal.
 * Never shows the secret in {@link #toString()}.
 *
 * @param status {@link DirectStatus#ACKNOWLEDGED} with an ACK secret, any other without
 * @param ackSecret the envelope's ACK secret when acknowledged
 * @param detail a short reason for a refusal (cut to {@link DirectProtocol#MAX_DETAIL_LENGTH} on the wire)
 */
public record DirectAnswer(DirectStatus status, Optional<AckSecret> ackSecret, String detail) {
    public DirectAnswer {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(ackSecret, "ackSecret");
        Objects.requireNonNull(detail, "detail");
        if ((status == DirectStatus.ACKNOWLEDGED) != ackSecret.isPresent()) {
            throw new IllegalArgumentException("an ACK secret comes with ACKNOWLEDGED and only with it");
        }
    }

    /** The envelope was kept: {@code secret} acknowledges it. */
    public static DirectAnswer acknowledged(AckSecret secret) {
        return new DirectAnswer(DirectStatus.ACKNOWLEDGED, Optional.of(secret), "");
    }

    /** The envelope was not kept, for {@code status} (not ACKNOWLEDGED). */
    public static DirectAnswer refused(DirectStatus status, String detail) {
        return new DirectAnswer(status, Optional.empty(), detail);
    }

    @Override
    public String toString() {
        return "DirectAnswer[" + status + (detail.isEmpty() ? "" : ", " + detail) + "]";
    }
}
