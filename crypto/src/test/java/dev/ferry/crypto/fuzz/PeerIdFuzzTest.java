package dev.ferry.crypto.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** PeerIds and public keys arrive from the network as bytes (identify, DHT records, mailbox requests, Noise payloads). */
class PeerIdFuzzTest {
    /** Any bytes give a PeerId or IllegalArgumentException; what decodes round-trips as bytes and text. */
    @FuzzTest
    void peerIdBytes(byte[] input) {
        try {
            PeerId id = PeerId.fromBytes(input);
            // what decodes, encodes back to the same bytes and the same text
            if (!Arrays.equals(id.toBytes(), input)) throw new AssertionError("PeerId bytes do not round-trip");
            if (!PeerId.parse(id.toString()).equals(id)) throw new AssertionError("PeerId text does not round-trip");
        } catch (IllegalArgumentException expected) {
            // refused with a reason: what a decoder of remote bytes must do
        }
    }

    /** PeerId text (multiaddr /p2p/ parts, CIDs): a PeerId or IllegalArgumentException. */
    @FuzzTest
    void peerIdText(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            PeerId id = PeerId.parse(text);
            if (!PeerId.fromBytes(id.toBytes()).equals(id)) throw new AssertionError("parsed PeerId does not round-trip");
        } catch (IllegalArgumentException expected) {
            // refused
        }
    }

    /** The protobuf PublicKey (identify, Noise payload): an Ed25519 key in its deterministic encoding, or IllegalArgumentException. */
    @FuzzTest
    void publicKeyProtobuf(byte[] input) {
        try {
            IdentityPublicKey key = IdentityPublicKey.unmarshal(input);
            if (!Arrays.equals(key.marshal(), input)) throw new AssertionError("accepted a key that is not deterministically encoded");
            if (!key.toPeerId().matches(key)) throw new AssertionError("key does not match its own PeerId");
        } catch (IllegalArgumentException expected) {
            // refused
        }
    }
}
