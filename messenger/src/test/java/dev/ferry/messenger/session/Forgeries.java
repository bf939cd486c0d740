package dev.ferry.messenger.session;

import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.messenger.proto.SessionProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** Test fixture: replays and forgeries built from real envelopes. */
final class Forgeries {
    private Forgeries() {}

    /**
     * Opens {@code envelope} with {@code opener}'s key (as only its recipient can), changes the
     * session payload, names {@code claimed} as the inner sender and seals it anew to
     * {@code opener}: a new envelope id and ACK secret, so that no tombstone knows it.
     */
    static SealedEnvelope.Sealed reseal(Envelope envelope, SessionParty opener, SessionParty claimed,
            UnaryOperator<SessionProto.SessionPayload> change) {
        try {
            InnerContent inner = SealedEnvelope.open(opener.identity.dhKeyPair(), envelope.header(), envelope.ciphertext(),
                    opener.clock.instant());
            SessionProto.SessionPayload payload = change.apply(SessionProto.SessionPayload.parseFrom(inner.payload()));
            InnerContent forged = InnerContent.create(ContentType.SESSION_MESSAGE, claimed.nodeKey.publicKey(),
                    opener.clock.instant(), payload.toByteArray(), opener.random);
            return SealedEnvelope.seal(forged, opener.identity.dhKeyPair().publicKey(), Mailbox.keyFor(opener.peerId()),
                    opener.clock.instant(), opener.clock.instant().plus(Duration.ofHours(1)), opener.random);
        } catch (EnvelopeException | InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
