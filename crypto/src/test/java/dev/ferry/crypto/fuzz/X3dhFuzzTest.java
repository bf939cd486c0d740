package dev.ferry.crypto.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.crypto.x3dh.InitialMessage;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.X3dhException;

/** X3DH: prekey bundles are fetched from the DHT and initial messages arrive in envelopes, both from anyone. */
class X3dhFuzzTest {
    /** A bundle whose signatures verify, or X3dhException; it round-trips. */
    @FuzzTest
    void prekeyBundleBytes(byte[] input) {
        PrekeyBundle bundle;
        try {
            bundle = PrekeyBundle.decode(input);
        } catch (X3dhException expected) {
            return;
        }
        try {
            if (!PrekeyBundle.decode(bundle.encode()).equals(bundle)) throw new AssertionError("bundle does not round-trip");
        } catch (X3dhException e) {
            throw new AssertionError("a decoded bundle's own encoding is refused", e);
        }
    }

    /** An initial message with a verified sender identity, or X3dhException; it round-trips. */
    @FuzzTest
    void initialMessageBytes(byte[] input) {
        InitialMessage message;
        try {
            message = InitialMessage.decode(input);
        } catch (X3dhException expected) {
            return;
        }
        try {
            if (!InitialMessage.decode(message.encode()).equals(message)) throw new AssertionError("initial message does not round-trip");
        } catch (X3dhException e) {
            throw new AssertionError("a decoded initial message's own encoding is refused", e);
        }
    }
}
