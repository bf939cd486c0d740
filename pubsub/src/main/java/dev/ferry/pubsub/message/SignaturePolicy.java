package dev.ferry.pubsub.message;

import java.util.Objects;

/**
 * The two signature policies of GossipSub v1.1 (libp2p/specs {@code pubsub/gossipsub/gossipsub-v1.1.md},
 * "Signature Policy Options"); a node applies one to every topic. {@link MessageAuthor} writes
 * messages that follow its policy and {@link #check} tells whether a received one does.
 */
public enum SignaturePolicy {
    /**
     * Every message carries {@code from}, {@code seqno} and a {@code signature} (and {@code key}
     * when the PeerId does not inline it), and a message without a valid signature is refused.
     * The default of go-, js- and rust-libp2p.
     */
    STRICT_SIGN,
    /**
     * Messages carry none of {@code from}, {@code seqno}, {@code signature} and {@code key}; a
     * message with any of them is refused. Authorship is left to the application (Ferry's group
     * messages are signed inside their payload), and message ids come from the data.
     */
    STRICT_NO_SIGN;

    /**
     * Whether {@code message} follows this policy. Under STRICT_SIGN: {@code from} is a PeerId;
     * {@code seqno} is 8 bytes; the public key is {@code key} if present, which must be a valid
     * Ed25519 key of that PeerId, or else the key the PeerId inlines; and {@code signature} is
     * its Ed25519 signature of {@code "libp2p-pubsub:"} followed by the protobuf of the message
     * without {@code signature} and {@code key}. Under STRICT_NO_SIGN: none of the four fields is
     * present. Never throws for any message.
     */
    public SignatureCheck check(PubSubMessage message) {
        Objects.requireNonNull(message, "message");
        return switch (this) {
            case STRICT_SIGN -> MessageSigning.verify(message);
            case STRICT_NO_SIGN -> MessageSigning.checkAnonymous(message);
        };
    }
}
