package dev.ferry.crypto;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Test fixture: PeerIds drawn from a seeded {@link Random}. They are sha2-256 multihash PeerIds
 * over random digests, valid PeerIds that cost no key generation.
 */
public final class RandomPeerIds {
    private RandomPeerIds() {}

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
}
