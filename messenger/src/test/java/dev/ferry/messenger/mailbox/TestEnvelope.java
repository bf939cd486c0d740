package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.erasure.EncodedShards;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.ReedSolomonCodec;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** A real sealed, erasure-coded envelope for a recipient, as a sender would push it. */
record TestEnvelope(EnvelopeHeader header, EncodedShards shards, AckSecret secret) {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final IdentityKeyPair SENDER = IdentityKeyPair.generate(RANDOM);

    /** A 4 + 2 envelope of {@code payloadBytes} for {@code recipient}. */
    static TestEnvelope to(PeerId recipient, Instant created, Instant expires, int payloadBytes) {
        return to(recipient, created, expires, payloadBytes, ErasureParameters.DEFAULT);
    }

    static TestEnvelope to(PeerId recipient, Instant created, Instant expires, int payloadBytes, ErasureParameters code) {
        return sealed(recipient, created, expires, payloadBytes, code, true);
    }

    /** As {@link #to}, sealed as a group envelope is: nobody can acknowledge it; {@link #secret()} is the inner one. */
    static TestEnvelope unacknowledgeable(PeerId recipient, Instant created, Instant expires, int payloadBytes) {
        return sealed(recipient, created, expires, payloadBytes, ErasureParameters.DEFAULT, false);
    }

    private static TestEnvelope sealed(PeerId recipient, Instant created, Instant expires, int payloadBytes, ErasureParameters code,
            boolean acknowledgeable) {
        byte[] payload = new byte[payloadBytes];
        RANDOM.nextBytes(payload);
        InnerContent content = InnerContent.create(ContentType.SESSION_MESSAGE, SENDER.publicKey(), created, payload, RANDOM);
        byte[] key = X25519.generate(RANDOM).publicKey();
        SealedEnvelope.Sealed sealed = acknowledgeable
                ? SealedEnvelope.seal(content, key, Mailbox.keyFor(recipient), created, expires, RANDOM)
                : SealedEnvelope.sealUnacknowledgeable(content, key, Mailbox.keyFor(recipient), created, expires, RANDOM);
        EncodedShards shards = new ReedSolomonCodec(code).encode(sealed.ciphertext());
        List<byte[]> hashes = new ArrayList<>();
        for (int i = 0; i < shards.totalShards(); i++) hashes.add(shards.shardHash(i));
        EnvelopeHeader header = sealed.codedHeader(code.dataShards(), code.parityShards(), hashes);
        return new TestEnvelope(header, shards, sealed.ackSecret());
    }

    EnvelopeId id() {
        return EnvelopeId.of(header.envelopeId());
    }

    byte[] shard(int index) {
        return shards.shard(index);
    }

    EnvelopeShard wire(int index) {
        return new EnvelopeShard(header.encode(), index, shard(index));
    }

    int total() {
        return shards.totalShards();
    }
}
