package dev.ferry.crypto;

import dev.ferry.crypto.multiformats.Base58;
import dev.ferry.crypto.multiformats.Multihash;
import java.util.Arrays;
import java.util.Optional;

/**
 * A libp2p PeerId (peer-ids/peer-ids.md): the multihash of a protobuf {@code PublicKey}, the
 * identity multihash for keys of at most 42 bytes (Ed25519) and sha2-256 for longer ones. Its
 * text form is base58btc ({@code 12D3KooW...} for Ed25519); the CIDv1 form
 * ({@code bafz...}, multicodec {@code libp2p-key}) is parsed too.
 */
public final class PeerId implements Comparable<PeerId> {
    /** Keys whose protobuf encoding is at most this long are inlined with the identity hash. */
    public static final int MAX_INLINE_KEY_LENGTH = 42;
    /**
     * Longest text {@link #parse} reads. The longest valid form, a CIDv1 in base16, is under 100
     * characters; the cap keeps base58's quadratic decoding cheap on hostile input.
     */
    private static final int MAX_TEXT_LENGTH = 256;

    private final byte[] bytes;
    private final int hash;

    private PeerId(byte[] bytes) {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    /** The PeerId of a public key. */
    public static PeerId fromPublicKey(IdentityPublicKey key) {
        byte[] encoded = key.marshal();
        Multihash mh = encoded.length <= MAX_INLINE_KEY_LENGTH ? Multihash.identity(encoded) : Multihash.sha256(encoded);
        return new PeerId(mh.encode());
    }

    /**
     * Parses the binary form (a multihash). Accepts identity multihashes of at most 42 bytes and
     * sha2-256 multihashes, as the spec does.
     */
    public static PeerId fromBytes(byte[] bytes) {
        Multihash mh;
        try {
            mh = Multihash.decode(bytes);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid PeerId: " + e.getMessage(), e);
        }
        switch (mh.code()) {
            case Multihash.IDENTITY -> {
                if (mh.digest().length > MAX_INLINE_KEY_LENGTH) {
                    throw new IllegalArgumentException("invalid PeerId: identity multihash longer than "
                            + MAX_INLINE_KEY_LENGTH + " bytes");
                }
            }
            case Multihash.SHA2_256 -> { }
            default -> throw new IllegalArgumentException(
                    "invalid PeerId: unsupported multihash code 0x" + Integer.toHexString(mh.code()));
        }
        return new PeerId(bytes.clone());
    }

    /**
     * Parses the text form: base58btc ({@code 12D3KooW...} or {@code Qm...}), or a CIDv1 in any
     * multibase Ferry decodes whose codec is {@code libp2p-key}.
     */
    public static PeerId parse(String text) {
        if (text == null || text.isEmpty()) throw new IllegalArgumentException("invalid PeerId: empty");
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("invalid PeerId: " + text.length() + " characters, longer than any PeerId");
        }
        if (text.startsWith("1") || text.startsWith("Qm")) {
            byte[] raw;
            try {
                raw = Base58.decode(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid PeerId '" + text + "': " + e.getMessage(), e);
            }
            return fromBytes(raw);
        }
        return Cid.parsePeerId(text);
    }

    /** The binary form (the multihash). */
    public byte[] toBytes() {
        return bytes.clone();
    }

    /** The base58btc text form. */
    public String toBase58() {
        return Base58.encode(bytes);
    }

    /** The CIDv1 text form in base32 ({@code bafz...}). */
    public String toCidString() {
        return Cid.peerIdToCid(this);
    }

    /** The public key, when it is inlined (identity multihash of an Ed25519 key). */
    public Optional<IdentityPublicKey> extractPublicKey() {
        Multihash mh = Multihash.decode(bytes);
        if (mh.code() != Multihash.IDENTITY) return Optional.empty();
        try {
            return Optional.of(IdentityPublicKey.unmarshal(mh.digest()));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** True if {@code key} is the key this PeerId names. */
    public boolean matches(IdentityPublicKey key) {
        return equals(fromPublicKey(key));
    }

    @Override
    public int compareTo(PeerId o) {
        return Arrays.compareUnsigned(bytes, o.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PeerId p && p.hash == hash && Arrays.equals(p.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return toBase58();
    }
}
