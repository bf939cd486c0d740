package dev.ferry.dht.routing;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.KadKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Test fixture: PeerIds drawn from a seeded {@link Random}. They are sha2-256 multihash PeerIds
 * over random digests, valid PeerIds that cost no key generation.
 */
public final class RandomPeers {
    private RandomPeers() {}

    public static PeerId peer(Random random) {
        byte[] bytes = new byte[34];
        bytes[0] = 0x12; // sha2-256
        bytes[1] = 32;
        byte[] digest = new byte[32];
        random.nextBytes(digest);
        System.arraycopy(digest, 0, bytes, 2, 32);
        return PeerId.fromBytes(bytes);
    }

    public static List<PeerId> peers(Random random, int count) {
        List<PeerId> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(peer(random));
        return out;
    }

    /** A random peer whose key shares exactly {@code bucket} leading bits with {@code local}'s. */
    public static PeerId peerInBucket(Random random, PeerId local, int bucket) {
        KadKey localKey = KadKey.of(local);
        while (true) {
            PeerId peer = peer(random);
            if (localKey.commonPrefixLength(KadKey.of(peer)) == bucket) return peer;
        }
    }

    public static List<PeerId> peersInBucket(Random random, PeerId local, int bucket, int count) {
        List<PeerId> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) out.add(peerInBucket(random, local, bucket));
        return out;
    }
}
