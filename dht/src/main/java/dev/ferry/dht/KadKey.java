package dev.ferry.dht;

import dev.ferry.crypto.PeerId;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * A point in the Kademlia key space: the SHA-256 of a PeerId's bytes or of a record or provider
 * key, as the libp2p kad-dht spec defines distance. Immutable; compares by XOR distance through
 * {@link #distanceTo} and {@link #compareDistance}.
 */
public final class KadKey {
    /** Keys are 256 bits, so the routing table has this many buckets. */
    public static final int BITS = 256;
    public static final int BYTES = BITS / 8;

    private final byte[] hash;
    private final int hashCode;

    private KadKey(byte[] hash) {
        this.hash = hash;
        this.hashCode = Arrays.hashCode(hash);
    }

    /** The key of arbitrary key bytes (a record key, a multihash): SHA-256 of them. */
    public static KadKey of(byte[] key) {
        try {
            return new KadKey(MessageDigest.getInstance("SHA-256").digest(key));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /** The key of a peer: SHA-256 of its PeerId bytes (the multihash). */
    public static KadKey of(PeerId peer) {
        return of(peer.toBytes());
    }

    /** A key given by its 32 hash bytes directly (tests, bucket refresh targets). */
    public static KadKey fromHash(byte[] hash) {
        if (hash.length != BYTES) throw new IllegalArgumentException("a Kademlia key is " + BYTES + " bytes, got " + hash.length);
        return new KadKey(hash.clone());
    }

    public byte[] hash() {
        return hash.clone();
    }

    /** The XOR distance to {@code other}, as a key (big-endian: the first byte is most significant). */
    public KadKey distanceTo(KadKey other) {
        byte[] d = new byte[BYTES];
        for (int i = 0; i < BYTES; i++) d[i] = (byte) (hash[i] ^ other.hash[i]);
        return new KadKey(d);
    }

    /**
     * Leading bits {@code this} and {@code other} share: 256 for equal keys. A peer whose key
     * shares {@code n} bits with ours belongs in bucket {@code n}.
     */
    public int commonPrefixLength(KadKey other) {
        for (int i = 0; i < BYTES; i++) {
            int x = (hash[i] ^ other.hash[i]) & 0xFF;
            if (x != 0) return i * 8 + Integer.numberOfLeadingZeros(x) - 24;
        }
        return BITS;
    }

    /**
     * {@code peers} ordered by the XOR distance of their keys to this key, closest first (ties in
     * the given order); each peer's key is hashed once, not once per comparison.
     */
    public List<PeerId> closestFirst(Collection<PeerId> peers) {
        Map<PeerId, KadKey> keys = new HashMap<>();
        for (PeerId peer : peers) keys.computeIfAbsent(peer, KadKey::of);
        List<PeerId> sorted = new ArrayList<>(peers);
        sorted.sort((a, b) -> compareDistance(keys.get(a), keys.get(b)));
        return sorted;
    }

    /** Negative if {@code a} is closer to {@code this} than {@code b}, zero if equally far, positive otherwise. */
    public int compareDistance(KadKey a, KadKey b) {
        for (int i = 0; i < BYTES; i++) {
            int da = (hash[i] ^ a.hash[i]) & 0xFF;
            int db = (hash[i] ^ b.hash[i]) & 0xFF;
            if (da != db) return Integer.compare(da, db);
        }
        return 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KadKey k && k.hashCode == hashCode && Arrays.equals(k.hash, hash);
    }

    @Override
    public int hashCode() {
        return hashCode;
    }

    @Override
    public String toString() {
        return "KadKey[" + HexFormat.of().formatHex(hash, 0, 8) + "...]";
    }
}
