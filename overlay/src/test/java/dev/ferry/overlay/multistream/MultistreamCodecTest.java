package dev.ferry.overlay.multistream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** multistream-select message framing: {@code uvarint(length) message '\n'}. */
class MultistreamCodecTest {
    private final List<ByteBuf> toRelease = new ArrayList<>();

    @AfterEach
    void releaseBuffers() {
        toRelease.forEach(ByteBuf::release);
    }

    private ByteBuf encode(String... messages) {
        ByteBuf buf = MultistreamCodec.encode(UnpooledByteBufAllocator.DEFAULT, messages);
        toRelease.add(buf);
        return buf;
    }

    @Test
    void shouldEncodeNaAsTheSpecShows() {
        ByteBuf encoded = encode("na");

        assertThat(ByteBufUtil.hexDump(encoded)).isEqualTo("036e610a");
    }

    @Test
    void shouldReadBackPipelinedMessagesInOrder() {
        ByteBuf encoded = encode(MultistreamProtocol.PROTOCOL_ID, "/yamux/1.0.0", "na");

        assertThat(MultistreamCodec.read(encoded)).isEqualTo(MultistreamProtocol.PROTOCOL_ID);
        assertThat(MultistreamCodec.read(encoded)).isEqualTo("/yamux/1.0.0");
        assertThat(MultistreamCodec.read(encoded)).isEqualTo("na");
        assertThat(encoded.isReadable()).isFalse();
        assertThat(MultistreamCodec.read(encoded)).isNull();
    }

    @Test
    void shouldRoundTripAMessageWithATwoByteLengthAndMultibyteCharacters() {
        String message = "/ferry/" + "ü".repeat(100) + "/1.0.0";

        ByteBuf encoded = encode(message);

        assertThat(encoded.getByte(0) & 0x80).as("continuation bit of the length").isNotZero();
        assertThat(MultistreamCodec.read(encoded)).isEqualTo(message);
    }

    @Test
    void shouldAcceptAMessageOfExactlyTheMaximumLength() {
        String message = "x".repeat(MultistreamProtocol.MAX_MESSAGE_LENGTH - 1); // plus the newline

        assertThat(MultistreamCodec.read(encode(message))).isEqualTo(message);
    }

    @Test
    void shouldReturnNullAndConsumeNothingForEveryPartialMessage() {
        ByteBuf whole = encode("/" + "p".repeat(200));
        for (int cut = 0; cut < whole.readableBytes(); cut++) {
            ByteBuf partial = whole.slice(0, cut);

            assertThat(MultistreamCodec.read(partial)).as("first %d bytes", cut).isNull();
            assertThat(partial.readerIndex()).as("reader index after %d bytes", cut).isZero();
        }
    }

    @Test
    void shouldRejectAnOversizedMessageBeforeItsBodyArrives() {
        ByteBuf lengthOnly = Unpooled.buffer().writeByte(0x81).writeByte(0x08); // 1025

        assertThatThrownBy(() -> MultistreamCodec.read(lengthOnly))
                .isInstanceOf(MultistreamException.class)
                .hasMessageContaining("exceeds");
    }

    @Test
    void shouldRejectALengthVarintLongerThanAnyAllowedLength() {
        ByteBuf endless = Unpooled.wrappedBuffer(new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01});

        assertThatThrownBy(() -> MultistreamCodec.read(endless)).isInstanceOf(MultistreamException.class);
    }

    @Test
    void shouldRejectAnEmptyMessage() {
        assertThatThrownBy(() -> MultistreamCodec.read(Unpooled.wrappedBuffer(new byte[] {0})))
                .isInstanceOf(MultistreamException.class)
                .hasMessageContaining("empty");
    }

    @Test
    void shouldRejectAMessageWithoutItsNewline() {
        ByteBuf noNewline = Unpooled.wrappedBuffer(new byte[] {3, 'n', 'a', 'x'});

        assertThatThrownBy(() -> MultistreamCodec.read(noNewline))
                .isInstanceOf(MultistreamException.class)
                .hasMessageContaining("newline");
    }
}
