package dev.ferry.crypto.senderkey;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.IdentityPublicKey;
import java.security.MessageDigest;
import java.security.SecureRandom;

/** This member's sending chain for one epoch, with the epoch's signing key. Immutable. */
final class OwnSenderChain {
    private final long epoch;
    private final SenderChainKey chainKey;
    private final IdentityKeyPair signingKey;

    OwnSenderChain(long epoch, SenderChainKey chainKey, IdentityKeyPair signingKey) {
        this.epoch = epoch;
        this.chainKey = chainKey;
        this.signingKey = signingKey;
    }

    /** A fresh chain (random chain key at iteration 0) and a fresh signing key. */
    static OwnSenderChain create(long epoch, SecureRandom random) {
        byte[] key = new byte[SenderChainKey.KEY_LENGTH];
        random.nextBytes(key);
        try {
            return new OwnSenderChain(epoch, new SenderChainKey(0, key), IdentityKeyPair.generate(random));
        } finally {
            SenderChainKey.wipe(key);
        }
    }

    record Encrypted(SenderKeyMessage message, OwnSenderChain next) {}

    Encrypted encrypt(byte[] groupId, IdentityPublicKey self, byte[] plaintext) {
        if (!chainKey.hasNext()) throw new IllegalStateException("sender chain exhausted; start a new epoch");
        int iteration = chainKey.iteration();
        byte[] messageKey = chainKey.messageKey();
        try {
            byte[] ciphertext = GroupMessageCipher.encrypt(messageKey, plaintext,
                    GroupMessageCipher.associatedData(groupId, epoch, self.raw(), iteration));
            SenderKeyMessage message = SenderKeyMessage.sign(groupId, epoch, self, iteration, ciphertext, signingKey);
            return new Encrypted(message, new OwnSenderChain(epoch, chainKey.next(), signingKey));
        } finally {
            SenderChainKey.wipe(messageKey);
        }
    }

    SenderKeyDistribution distribution(byte[] groupId, IdentityPublicKey self) {
        return new SenderKeyDistribution(groupId, epoch, self, chainKey, signingKey.publicKey());
    }

    long epoch() {
        return epoch;
    }

    SenderChainKey chainKey() {
        return chainKey;
    }

    IdentityKeyPair signingKey() {
        return signingKey;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OwnSenderChain c && c.epoch == epoch && c.chainKey.equals(chainKey)
                && MessageDigest.isEqual(c.signingKey.marshalPrivateKey(), signingKey.marshalPrivateKey());
    }

    @Override
    public int hashCode() {
        return Long.hashCode(epoch) * 31 + chainKey.hashCode();
    }

    @Override
    public String toString() {
        return "OwnSenderChain[epoch=" + epoch + ", iteration=" + chainKey.iteration() + ", signing=" + signingKey.publicKey() + "]";
    }
}
