package dev.ferry.crypto.ratchet;

import dev.ferry.crypto.X25519;
import java.security.SecureRandom;
import java.util.Random;

/** Test fixture: an initiator's and a responder's fresh sessions sharing one X3DH-like secret. */
record SessionPair(RatchetSession alice, RatchetSession bob, byte[] sharedSecret, byte[] associatedData) {
    static SessionPair create(Random random, SecureRandom keys) {
        byte[] sharedSecret = new byte[32];
        random.nextBytes(sharedSecret);
        byte[] associatedData = new byte[72];
        random.nextBytes(associatedData);
        X25519.KeyPair bobPrekey = X25519.generate(keys);
        RatchetSession alice = RatchetSession.initAsInitiator(sharedSecret, associatedData, bobPrekey.publicKey(), keys);
        RatchetSession bob = RatchetSession.initAsResponder(sharedSecret, associatedData, bobPrekey);
        return new SessionPair(alice, bob, sharedSecret, associatedData);
    }

    static SessionPair create(long seed) {
        return create(new Random(seed), new DeterministicSecureRandom(seed ^ 0x5eed));
    }
}
