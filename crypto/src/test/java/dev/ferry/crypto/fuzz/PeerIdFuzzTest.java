package dev.ferry.crypto.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.crypto.PeerId;

/** PeerIds arrive from the network as bytes (identify, DHT records, mailbox requests): any bytes give a PeerId or IllegalArgumentException. */
class PeerIdFuzzTest {
    @FuzzTest
    void peerIdBytes(byte[] input) {
        try {
            PeerId id = PeerId.fromBytes(input);
            // what decodes, encodes back to the same bytes and the same text
            if (!java.util.Arrays.equals(id.toBytes(), input)) throw new AssertionError("PeerId bytes do not round-trip");
            if (!PeerId.parse(id.toString()).equals(id)) throw new AssertionError("PeerId text does not round-trip");
        } catch (IllegalArgumentException expected) {
            // refused with a reason: what a decoder of remote bytes must do
        }
    }
}
