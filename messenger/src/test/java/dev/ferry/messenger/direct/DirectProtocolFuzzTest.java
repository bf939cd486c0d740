package dev.ferry.messenger.direct;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Arrays;

/**
 * {@code /ferry/direct/1.0.0} requests come from any sender, responses from any recipient: any
 * bytes decode, or are refused with {@link DirectCodec.MalformedException}, nothing else. A
 * request that decodes has a header that verifies its ciphertext and re-encodes to the same
 * bytes' meaning; a response that decodes re-encodes to bytes that decode to the same answer.
 *
 * <p>Lives in the codec's package: the codec is package-private.
 */
class DirectProtocolFuzzTest {
    @FuzzTest
    void requests(byte[] input) throws Exception {
        DirectCodec.Request request;
        try {
            request = DirectCodec.decodeRequest(input);
        } catch (DirectCodec.MalformedException refused) {
            return;
        }
        DirectCodec.Request again = DirectCodec.decodeRequest(
                DirectCodec.encodeRequest(request.requestId(), request.header(), request.ciphertext()));
        if (again.requestId() != request.requestId() || !again.header().equals(request.header())
                || !Arrays.equals(again.ciphertext(), request.ciphertext())) {
            throw new AssertionError("request does not round-trip");
        }
    }

    @FuzzTest
    void responses(byte[] input) throws Exception {
        DirectCodec.Response response;
        try {
            response = DirectCodec.decodeResponse(input);
        } catch (DirectCodec.MalformedException refused) {
            return;
        }
        byte[] encoded = DirectCodec.encodeResponse(response.requestId(), response.answer());
        if (!Arrays.equals(DirectCodec.encodeResponse(response.requestId(), DirectCodec.decodeResponse(encoded).answer()), encoded)) {
            throw new AssertionError("response does not round-trip");
        }
    }
}
