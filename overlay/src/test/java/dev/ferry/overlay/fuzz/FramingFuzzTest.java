package dev.ferry.overlay.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.overlay.Stream;
import dev.ferry.overlay.framing.MessageReceiver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The unsigned-varint length-prefixed framing every request/response protocol reads with
 * ({@link MessageReceiver}). Differential: however the bytes are cut into reads, the receiver
 * delivers exactly the messages a straightforward reading of the whole input finds, refuses at
 * the same point, and never asks for a buffer larger than a maximal message and its prefix.
 */
class FramingFuzzTest {
    /** Small, so that inputs of a few hundred bytes reach the limit. */
    private static final int MAX_MESSAGE_SIZE = 64;
    private static final int MAX_PREFIX_BYTES = 5;

    /** Byte 0 picks the read size; the rest is the stream. */
    @FuzzTest
    void lengthPrefixedMessages(byte[] input) {
        if (input.length == 0) return;
        int chunk = 1 + (input[0] & 0x3F);
        byte[] stream = Arrays.copyOfRange(input, 1, input.length);
        Expected expected = reference(stream);

        CountingAllocator alloc = new CountingAllocator();
        FakeStream fake = new FakeStream(IdentifyFuzzTest.REMOTE.peerId());
        List<byte[]> got = new ArrayList<>();
        MessageReceiver receiver = new MessageReceiver(MAX_MESSAGE_SIZE) {
            @Override
            protected void onMessage(Stream s, ByteBuf message) {
                got.add(ByteBufUtil.getBytes(message));
            }
        };
        for (int i = 0; i < stream.length; i += chunk) {
            int n = Math.min(chunk, stream.length - i);
            ByteBuf data = alloc.heapBuffer(n).writeBytes(stream, i, n);
            receiver.onData(fake, data);
            data.release();
        }
        receiver.onClosed(fake, null);

        if (got.size() != expected.messages.size()) {
            throw new AssertionError("delivered " + got.size() + " messages, expected " + expected.messages.size());
        }
        for (int i = 0; i < got.size(); i++) {
            if (!Arrays.equals(got.get(i), expected.messages.get(i))) throw new AssertionError("message " + i + " differs");
        }
        if ((fake.resets > 0) != expected.malformed) {
            throw new AssertionError(expected.malformed ? "malformed input was not refused" : "valid input was refused");
        }
        if (alloc.largestRequest > MAX_MESSAGE_SIZE + MAX_PREFIX_BYTES) {
            throw new AssertionError("asked for a buffer of " + alloc.largestRequest + " bytes");
        }
    }

    private record Expected(List<byte[]> messages, boolean malformed) {}

    /** What the framing means, read from the whole input at once. */
    private static Expected reference(byte[] in) {
        List<byte[]> messages = new ArrayList<>();
        int pos = 0;
        while (pos < in.length) {
            long length = 0;
            int i = 0;
            boolean complete = false;
            while (i < MAX_PREFIX_BYTES && pos + i < in.length) {
                int b = in[pos + i] & 0xFF;
                length |= (long) (b & 0x7F) << (7 * i);
                i++;
                if ((b & 0x80) == 0) {
                    complete = true;
                    break;
                }
            }
            if (!complete) return new Expected(messages, i == MAX_PREFIX_BYTES);
            if (length > MAX_MESSAGE_SIZE) return new Expected(messages, true);
            if (in.length - pos - i < length) break;
            messages.add(Arrays.copyOfRange(in, pos + i, pos + i + (int) length));
            pos += i + (int) length;
        }
        return new Expected(messages, false);
    }

    /** Records the largest heap buffer a receiver asks for (the copy of a partial message). */
    private static final class CountingAllocator extends AbstractByteBufAllocator {
        int largestRequest;

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            largestRequest = Math.max(largestRequest, initialCapacity);
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            largestRequest = Math.max(largestRequest, initialCapacity);
            return new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
