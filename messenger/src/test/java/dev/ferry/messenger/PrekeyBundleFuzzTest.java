package dev.ferry.messenger;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Optional;

/**
 * A contact's prekey bundle comes out of the DHT, where anyone may have put bytes under its key:
 * {@link PrekeyDirectory#verifiedBundle} gives a bundle or nothing for any bytes, never an
 * exception, and a bundle it trusts is {@code PEER}'s and is trusted again once re-encoded. (Not
 * byte for byte: the bundle is protobuf, and fields appended to a signed one are read as protobuf
 * reads them, the last of a repeated field winning; the signatures cover what is read.)
 */
class PrekeyBundleFuzzTest {
    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    static final IdentityKeyPair PEER_KEYS = IdentityKeyPair.fromSeed(filled(32, 5));
    static final PeerId PEER = PEER_KEYS.peerId();
    /** Only {@link PrekeyDirectory#verifiedBundle} is used, which needs no DHT. */
    private static final PrekeyDirectory DIRECTORY =
            new PrekeyDirectory(null, PEER_KEYS, Clock.fixed(NOW, ZoneOffset.UTC), PrekeyPolicy.DEFAULT);

    @FuzzTest
    void bundle(byte[] input) {
        Optional<PrekeyBundle> bundle = DIRECTORY.verifiedBundle(PEER, input);
        if (bundle.isEmpty()) return;
        if (!bundle.get().identity().peerId().equals(PEER)) throw new AssertionError("trusted a bundle of another peer");
        byte[] encoded = bundle.get().encode();
        Optional<PrekeyBundle> again = DIRECTORY.verifiedBundle(PEER, encoded);
        if (again.isEmpty() || !Arrays.equals(again.get().encode(), encoded)) {
            throw new AssertionError("a trusted bundle is not trusted once re-encoded");
        }
    }

    static byte[] filled(int length, int value) {
        byte[] out = new byte[length];
        Arrays.fill(out, (byte) value);
        return out;
    }
}
