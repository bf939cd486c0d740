package dev.ferry.messenger.mailbox;

import static dev.ferry.messenger.mailbox.MailboxTestNetwork.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.memory.InMemoryFerryStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad bytes on an inbound stream reset it and count a metric; the holder goes on serving. */
class MailboxHostileInputTest {
    private final MailboxTestNetwork network = new MailboxTestNetwork();

    @AfterEach
    void close() {
        network.close();
    }

    /** Opens a raw stream to {@code holder}, writes {@code bytes}, and waits until the holder ends it. */
    private Throwable writeAndAwaitEnd(MailboxTestNetwork.Holder holder, ByteBuf bytes) {
        MailboxTestNetwork.Peer peer = network.peer();
        Stream stream = join(peer.overlay().host().newStream(holder.peerId(), MailboxProtocol.ID));
        AtomicReference<Throwable> ended = new AtomicReference<>();
        stream.setReceiver(new StreamReceiver() {
            @Override
            public void onData(Stream s, ByteBuf data) {}

            @Override
            public void onClosed(Stream s, Throwable cause) {
                ended.set(cause == null ? new IllegalStateException("closed cleanly") : cause);
            }
        });
        stream.write(bytes);
        await().atMost(MailboxTestNetwork.WAIT).until(() -> ended.get() != null);
        return ended.get();
    }

    private void assertStillServes(MailboxTestNetwork.Holder holder) {
        EnvelopeId unknown = EnvelopeId.of(new byte[32]);
        assertThat(join(network.peer().client().has(holder.peerId(), unknown))).isEqualTo(new EnvelopeHoldings(false, java.util.List.of()));
    }

    @Test
    void shouldResetAStreamWhoseMessageIsNotAMailboxRequest() {
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS));

        writeAndAwaitEnd(holder, LengthPrefixed.encode(ByteBufAllocator.DEFAULT, new byte[] {(byte) 0xff, 0x01, 0x02}));

        assertThat(holder.metrics().malformedStreams()).isEqualTo(1);
        assertStillServes(holder);
    }

    @Test
    void shouldResetAStreamThatAnnouncesAnOversizedMessageBeforeReadingIt() {
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS));
        ByteBuf prefix = Unpooled.buffer();
        LengthPrefixed.writeVarint(prefix, MailboxLimits.MAX_MESSAGE_BYTES + 1);
        prefix.writeBytes(new byte[100]);

        writeAndAwaitEnd(holder, prefix);

        assertThat(holder.metrics().malformedStreams()).isEqualTo(1);
        assertStillServes(holder);
    }

    @Test
    void shouldResetAStreamThatSendsARequestAfterAWatch() {
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS));
        MailboxTestNetwork.Peer owner = network.peer();
        MailboxAuthorisation authorisation = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.WATCH, owner.identity(),
                holder.peerId(), dev.ferry.store.MailboxKey.of(dev.ferry.crypto.envelope.Mailbox.keyFor(owner.peerId())),
                new byte[0], network.clock.instant());
        ByteBuf both = Unpooled.buffer();
        both.writeBytes(MailboxCodec.frame(ByteBufAllocator.DEFAULT, MailboxCodec.encode(new MailboxRequest.Watch(1, authorisation))));
        both.writeBytes(MailboxCodec.frame(ByteBufAllocator.DEFAULT,
                MailboxCodec.encode(new MailboxRequest.Has(2, EnvelopeId.of(new byte[32])))));

        writeAndAwaitEnd(holder, both);

        assertThat(holder.metrics().malformedStreams()).isEqualTo(1);
        await().atMost(MailboxTestNetwork.WAIT).until(() -> holder.metrics().watchers() == 0);
    }

    @Test
    void shouldAnswerSeveralRequestsOnOneStreamInOrder() {
        MailboxTestNetwork.Holder holder = network.holder(InMemoryFerryStore.create(StoreLimits.DEFAULTS));
        var answers = join(network.peer().client().exchange(holder.peerId(), java.util.List.of(
                new MailboxRequest.Has(7, EnvelopeId.of(new byte[32])),
                new MailboxRequest.GetPrekeys(8, dev.ferry.store.MailboxKey.of(new byte[32])),
                new MailboxRequest.Ack(9, EnvelopeId.of(new byte[32]), new byte[32]))));

        assertThat(answers).extracting(MailboxResponse::id).containsExactly(7L, 8L, 9L);
        assertThat(answers).extracting(MailboxResponse::status)
                .containsExactly(MailboxStatus.OK, MailboxStatus.NOT_FOUND, MailboxStatus.NOT_FOUND);
        assertThat(holder.metrics().requests(RequestType.ACK, MailboxStatus.NOT_FOUND)).isEqualTo(1);
    }
}
