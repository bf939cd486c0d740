package dev.ferry.store;

import java.util.Arrays;

/**
 * A peer as the bytes of its libp2p PeerId (the multihash of its public key): the sender a shard is charged to, the peer a session or contact belongs to. The store does not parse it.
 *
 * <p>1 to {@value #MAX_LENGTH} bytes; the array is copied in and out, so an instance never changes.
 */
public final class PeerBytes implements Comparable<PeerBytes> {
    /** An Ed25519 PeerId is 38 bytes and an RSA one (SHA-256 multihash) 34; 64 leaves room for other key types while keeping keys small. */
    public static final int MAX_LENGTH = 64;

    private final byte[] bytes;

    private PeerBytes(byte[] bytes) {
        this.bytes = bytes;
    }

    /** The id made of these bytes; throws {@link IllegalArgumentException} when empty or longer than {@value #MAX_LENGTH}. */
    public static PeerBytes of(byte[] bytes) {
        return new PeerBytes(IdBytes.bounded("PeerBytes", bytes, MAX_LENGTH));
    }

    /** A copy of the bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public int compareTo(PeerBytes other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PeerBytes that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return IdBytes.show("PeerBytes", bytes);
    }
}
