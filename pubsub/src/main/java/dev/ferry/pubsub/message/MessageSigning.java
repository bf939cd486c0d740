package dev.ferry.pubsub.message;

import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.multiformats.Multihash;
import dev.ferry.pubsub.message.SignatureCheck.Invalid;
import dev.ferry.pubsub.message.SignatureCheck.Valid;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The signing rules of pubsub/README.md ("Message Signing"), shared by author and checks. */
final class MessageSigning {
    /** What every signed blob starts with, so that the signature cannot be replayed elsewhere. */
    static final byte[] SIGN_PREFIX = "libp2p-pubsub:".getBytes(StandardCharsets.US_ASCII);

    /** Sequence numbers are 64-bit big-endian unsigned integers. */
    static final int SEQNO_LENGTH = 8;

    private MessageSigning() {}

    /** The bytes a signature covers: the prefix, then the protobuf without signature and key. */
    static byte[] signedBytes(PubSubMessage message) {
        byte[] body = message.toProto(true).toByteArray();
        byte[] out = new byte[SIGN_PREFIX.length + body.length];
        System.arraycopy(SIGN_PREFIX, 0, out, 0, SIGN_PREFIX.length);
        System.arraycopy(body, 0, out, SIGN_PREFIX.length, body.length);
        return out;
    }

    static SignatureCheck verify(PubSubMessage message) {
        byte[] from = message.rawFrom();
        if (from == null) return new Invalid(SignatureFailure.MISSING_FROM, "signed message without from");
        PeerId author;
        try {
            author = PeerId.fromBytes(from);
        } catch (IllegalArgumentException e) {
            return new Invalid(SignatureFailure.INVALID_FROM, "from is not a PeerId: " + e.getMessage());
        }
        byte[] seqno = message.rawSeqno();
        if (seqno == null) return new Invalid(SignatureFailure.MISSING_SEQNO, "signed message without seqno");
        if (seqno.length != SEQNO_LENGTH) {
            return new Invalid(SignatureFailure.INVALID_SEQNO, "seqno of " + seqno.length + " bytes instead of 8");
        }
        byte[] signature = message.rawSignature();
        if (signature == null) return new Invalid(SignatureFailure.MISSING_SIGNATURE, "message without signature");

        IdentityPublicKey key;
        if (message.rawKey() != null) {
            try {
                key = IdentityPublicKey.unmarshal(message.rawKey());
            } catch (IllegalArgumentException e) {
                return new Invalid(SignatureFailure.INVALID_KEY, "key: " + e.getMessage());
            }
            if (!author.matches(key)) {
                return new Invalid(SignatureFailure.KEY_MISMATCH, "key is not the key of " + author);
            }
        } else {
            Optional<IdentityPublicKey> inlined = author.extractPublicKey();
            if (inlined.isEmpty()) {
                boolean hashed = Multihash.decode(from).code() != Multihash.IDENTITY;
                return hashed
                        ? new Invalid(SignatureFailure.MISSING_KEY, "no key, and " + author + " does not inline one")
                        : new Invalid(SignatureFailure.INVALID_KEY, "the key inlined in " + author + " is not an Ed25519 key");
            }
            key = inlined.get();
        }
        if (!key.verify(signedBytes(message), signature)) {
            return new Invalid(SignatureFailure.INVALID_SIGNATURE, "signature of " + author + " does not verify");
        }
        return new Valid(Optional.of(author), Optional.of(key));
    }

    static SignatureCheck checkAnonymous(PubSubMessage message) {
        if (message.rawSignature() != null) {
            return new Invalid(SignatureFailure.UNEXPECTED_SIGNATURE, "signature on a message under StrictNoSign");
        }
        if (message.rawSeqno() != null) return new Invalid(SignatureFailure.UNEXPECTED_SEQNO, "seqno on a message under StrictNoSign");
        if (message.rawKey() != null) return new Invalid(SignatureFailure.UNEXPECTED_KEY, "key on a message under StrictNoSign");
        if (message.rawFrom() != null) return new Invalid(SignatureFailure.UNEXPECTED_FROM, "from on a message under StrictNoSign");
        return Valid.ANONYMOUS;
    }
}
