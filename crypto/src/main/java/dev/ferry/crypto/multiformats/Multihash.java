package dev.ferry.crypto.multiformats;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;

/**
 * A multihash: {@code varint(code) varint(length) digest}. Ferry reads and writes the two hash
 * functions PeerIds use: {@code identity} (the key itself, for keys of at most 42 bytes) and
 * {@code sha2-256}.
 */
public record Multihash(int code, byte[] digest) {
    public static final int IDENTITY = 0x00;
    public static final int SHA2_256 = 0x12;
    /** Longest digest accepted when decoding; nothing Ferry reads is longer. */
    public static final int MAX_DIGEST_LENGTH = 128;

    public Multihash {
        digest = digest.clone();
    }

    /** The identity multihash of {@code data}. */
    public static Multihash identity(byte[] data) {
        return new Multihash(IDENTITY, data);
    }

    /** The sha2-256 multihash of {@code data}. */
    public static Multihash sha256(byte[] data) {
        try {
            return new Multihash(SHA2_256, MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK always has SHA-256", e);
        }
    }

    /** Decodes a whole byte array as one multihash; trailing bytes are an error. */
    public static Multihash decode(byte[] bytes) {
        UnsignedVarint.Decoded code = UnsignedVarint.decode(bytes, 0);
        UnsignedVarint.Decoded length = UnsignedVarint.decode(bytes, code.length());
        int len = length.intValue(MAX_DIGEST_LENGTH, "multihash digest length");
        int start = code.length() + length.length();
        if (bytes.length != start + len) {
            throw new IllegalArgumentException(
                    "multihash says " + len + " digest bytes but has " + (bytes.length - start));
        }
        int c = code.intValue(Integer.MAX_VALUE, "multihash code");
        if (c == SHA2_256 && len != 32) {
            throw new IllegalArgumentException("sha2-256 multihash must have 32 digest bytes, has " + len);
        }
        return new Multihash(c, Arrays.copyOfRange(bytes, start, bytes.length));
    }

    /** The binary form. */
    public byte[] encode() {
        byte[] c = UnsignedVarint.encode(code);
        byte[] l = UnsignedVarint.encode(digest.length);
        byte[] out = new byte[c.length + l.length + digest.length];
        System.arraycopy(c, 0, out, 0, c.length);
        System.arraycopy(l, 0, out, c.length, l.length);
        System.arraycopy(digest, 0, out, c.length + l.length, digest.length);
        return out;
    }

    @Override
    public byte[] digest() {
        return digest.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Multihash m && m.code == code && Arrays.equals(m.digest, digest);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        return "Multihash[code=0x" + Integer.toHexString(code) + ", length=" + digest.length + "]";
    }
}
