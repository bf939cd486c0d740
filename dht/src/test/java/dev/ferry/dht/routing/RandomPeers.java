package dev.ferry.dht.routing;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.RandomPeerIds;
import dev.ferry.dht.KadKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Test fixture: {@link RandomPeerIds}, and PeerIds that fall in a chosen bucket of a routing table.
 */
public final class RandomPeers {
    private RandomPeers() {}

    public static PeerId peer(Random random) {
        return RandomPeerIds.peer(random);
    }

    public static List<PeerId> peers(Random random, int count) {
        return RandomPeerIds.peers(random, count);
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
