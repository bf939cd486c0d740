package dev.ferry.messenger;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * The plaintext of a group message comes from any member: any bytes give a payload or nothing,
 * and a payload re-encodes to bytes that decode to the same.
 */
class GroupPayloadFuzzTest {
    @FuzzTest
    void payload(byte[] input) {
        GroupPayload payload = GroupPayload.decode(input).orElse(null);
        if (payload == null) return;
        GroupPayload again = GroupPayload.decode(GroupPayload.encode(payload.type(), payload.body(), payload.sentAt()))
                .orElseThrow(() -> new AssertionError("a decoded payload does not decode again"));
        if (again.type() != payload.type() || !Arrays.equals(again.body(), payload.body()) || !again.sentAt().equals(payload.sentAt())) {
            throw new AssertionError("payload does not round-trip");
        }
    }
}
