package dev.ferry.crypto.senderkey;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.proto.SenderKeyProto;

/**
 * What a member sends each other member, over their pairwise (Double Ratchet) session, so that
 * they can read its group messages of an epoch: group id, epoch, the sender's identity, its
 * chain's current iteration and chain key, and its signing public key for the epoch. It holds a
 * secret (the chain key), so it never appears in {@link #toString()}; the receiving side checks
 * that the sender named here is the peer of the session it arrived on
 * ({@link GroupSenderKeys#accept}).
 */
public final class SenderKeyDistribution {
    private final byte[] groupId;
    private final long epoch;
    private final IdentityPublicKey sender;
    private final SenderChainKey chainKey;
    private final IdentityPublicKey signingKey;

    SenderKeyDistribution(byte[] groupId, long epoch, IdentityPublicKey sender, SenderChainKey chainKey,
            IdentityPublicKey signingKey) {
        this.groupId = groupId.clone();
        this.epoch = epoch;
        this.sender = sender;
        this.chainKey = chainKey;
        this.signingKey = signingKey;
    }

    /**
     * Parses an encoded distribution.
     *
     * @throws SenderKeyException {@code TOO_LARGE} or {@code MALFORMED}
     */
    public static SenderKeyDistribution decode(byte[] encoded) throws SenderKeyException {
        if (encoded.length > SenderKeyLimits.MAX_DISTRIBUTION_LENGTH) {
            throw new SenderKeyException(SenderKeyException.Reason.TOO_LARGE,
                    "distribution of " + encoded.length + " bytes exceeds " + SenderKeyLimits.MAX_DISTRIBUTION_LENGTH);
        }
        try {
            SenderKeyProto.SenderKeyDistribution parsed = SenderKeyProto.SenderKeyDistribution.parseFrom(encoded);
            byte[] chainKey = parsed.getChainKey().toByteArray();
            if (chainKey.length != SenderChainKey.KEY_LENGTH) throw SenderKeyMessage.malformed("chain key must be 32 bytes");
            if (parsed.getIteration() < 0) throw SenderKeyMessage.malformed("iteration out of range");
            return new SenderKeyDistribution(
                    SenderKeyMessage.checkGroupId(parsed.getGroupId().toByteArray()),
                    parsed.getEpoch(),
                    SenderKeyMessage.identity(parsed.getSender().toByteArray()),
                    new SenderChainKey(parsed.getIteration(), chainKey),
                    SenderKeyMessage.identity(parsed.getSigningPublicKey().toByteArray()));
        } catch (InvalidProtocolBufferException e) {
            throw new SenderKeyException(SenderKeyException.Reason.MALFORMED, "not a sender key distribution", e);
        }
    }

    /** The encoding to carry over a pairwise session. */
    public byte[] encode() {
        return SenderKeyProto.SenderKeyDistribution.newBuilder()
                .setGroupId(ByteString.copyFrom(groupId))
                .setEpoch(epoch)
                .setSender(ByteString.copyFrom(sender.raw()))
                .setIteration(chainKey.iteration())
                .setChainKey(ByteString.copyFrom(chainKey.key()))
                .setSigningPublicKey(ByteString.copyFrom(signingKey.raw()))
                .build()
                .toByteArray();
    }

    public byte[] groupId() {
        return groupId.clone();
    }

    public long epoch() {
        return epoch;
    }

    public IdentityPublicKey sender() {
        return sender;
    }

    public int iteration() {
        return chainKey.iteration();
    }

    public IdentityPublicKey signingKey() {
        return signingKey;
    }

    SenderChainKey chainKey() {
        return chainKey;
    }

    @Override
    public String toString() {
        return "SenderKeyDistribution[epoch=" + epoch + ", sender=" + sender + ", iteration=" + chainKey.iteration() + "]";
    }
}
