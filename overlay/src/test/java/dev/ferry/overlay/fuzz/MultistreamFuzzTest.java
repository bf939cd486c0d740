package dev.ferry.overlay.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.overlay.multistream.DialerNegotiation;
import dev.ferry.overlay.multistream.ListenerNegotiation;
import dev.ferry.overlay.multistream.MultistreamCodec;
import dev.ferry.overlay.multistream.MultistreamException;
import dev.ferry.overlay.multistream.MultistreamHandler;
import dev.ferry.overlay.multistream.MultistreamProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * multistream-select, the first bytes a remote sends on every connection and stream: the codec
 * returns a message of at most {@link MultistreamProtocol#MAX_MESSAGE_LENGTH} bytes, null for
 * "not yet", or {@link MultistreamException}; the handlers end a negotiation with a protocol we
 * support or a MultistreamException and a closed channel, never another exception.
 */
class MultistreamFuzzTest {
    private static final Set<String> SUPPORTED = Set.of("/noise", "/yamux/1.0.0");

    @FuzzTest
    void codecBytes(byte[] input) {
        ByteBuf in = Unpooled.wrappedBuffer(input);
        try {
            for (int i = 0; i <= input.length; i++) {
                int before = in.readerIndex();
                String message = MultistreamCodec.read(in);
                if (message == null) {
                    if (in.readerIndex() != before) throw new AssertionError("an incomplete message was consumed");
                    return;
                }
                int consumed = in.readerIndex() - before;
                if (consumed > MultistreamProtocol.MAX_MESSAGE_LENGTH + 2) throw new AssertionError("read a message of " + consumed + " bytes");
                ByteBuf again = MultistreamCodec.encode(ByteBufAllocator.DEFAULT, message);
                try {
                    // what decodes, re-encodes to a message that decodes to the same text (bytes may differ: invalid UTF-8)
                    String reread = MultistreamCodec.read(again);
                    if (!message.equals(reread)) throw new AssertionError("message does not round-trip: " + message);
                } catch (MultistreamException e) {
                    // a message whose UTF-8 re-encoding is longer than the limit (replacement characters)
                } finally {
                    again.release();
                }
            }
            throw new AssertionError("read more messages than there are bytes");
        } catch (MultistreamException expected) {
            // refused with a reason
        } finally {
            in.release();
        }
    }

    /** The listener's side of a connection: byte 0 picks the read size, the rest is what the dialer sends. */
    @FuzzTest
    void listener(byte[] input) {
        CompletableFuture<String> result = new CompletableFuture<>();
        ListenerNegotiation negotiation = new ListenerNegotiation(SUPPORTED::contains, () -> List.copyOf(SUPPORTED));
        negotiate(new EmbeddedChannel(MultistreamHandler.listener(negotiation, result)), result, input);
    }

    /** The dialer's side: it proposes /noise then /yamux/1.0.0; the input is what the listener answers. */
    @FuzzTest
    void dialer(byte[] input) {
        CompletableFuture<String> result = new CompletableFuture<>();
        DialerNegotiation negotiation = new DialerNegotiation(List.of("/noise", "/yamux/1.0.0"));
        negotiate(new EmbeddedChannel(MultistreamHandler.dialer(negotiation, result)), result, input);
    }

    private static void negotiate(EmbeddedChannel channel, CompletableFuture<String> result, byte[] input) {
        int chunk = input.length == 0 ? 1 : 1 + (input[0] & 0x3F);
        for (int i = 1; i < input.length && channel.isOpen(); i += chunk) {
            channel.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(input, i, Math.min(input.length, i + chunk))));
        }
        channel.checkException(); // nothing may reach the end of the pipeline as an exception
        if (result.isDone()) {
            try {
                String selected = result.get();
                if (!SUPPORTED.contains(selected)) throw new AssertionError("agreed on a protocol we do not speak: " + selected);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof MultistreamException)) throw new AssertionError("failed with " + e.getCause(), e.getCause());
                if (channel.isOpen()) throw new AssertionError("a failed negotiation left the channel open");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        channel.finishAndReleaseAll();
    }
}
