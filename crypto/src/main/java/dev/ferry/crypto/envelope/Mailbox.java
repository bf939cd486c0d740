package dev.ferry.crypto.envelope;

import dev.ferry.crypto.PeerId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Mailbox keys: {@code SHA-256("ferry/mailbox/v1" || recipient PeerId bytes)}. A mailbox's holders
 * are the peers XOR-closest to its key in the DHT.
 */
public final class Mailbox {
    /** Mailbox keys are SHA-256 outputs, the size of a DHT key. */
    public static final int KEY_LENGTH = Sha256.LENGTH;

    private static final byte[] LABEL = "ferry/mailbox/v1".getBytes(StandardCharsets.US_ASCII);

    private Mailbox() {}

    /** The mailbox key of the peer whose PeerId bytes (the multihash) are {@code peerIdBytes}. */
    public static byte[] keyFor(byte[] peerIdBytes) {
        MessageDigest sha256 = Sha256.digest();
        sha256.update(LABEL);
        sha256.update(peerIdBytes);
        return sha256.digest();
    }

    /** The mailbox key of {@code peer}. */
    public static byte[] keyFor(PeerId peer) {
        return keyFor(peer.toBytes());
    }
}
