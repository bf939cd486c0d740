package dev.ferry.overlay.yamux;

import dev.ferry.overlay.Stream;
import dev.ferry.overlay.StreamReceiver;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;

/** Test helper: a stream receiver that keeps everything it is told, in order. */
final class RecordingReceiver implements StreamReceiver {
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private int remoteClosedCalls;
    private int closedCalls;
    private Throwable closeCause;

    /** Attaches a new recorder to {@code stream}. */
    static RecordingReceiver on(YamuxStream stream) {
        RecordingReceiver receiver = new RecordingReceiver();
        stream.setReceiver(receiver);
        return receiver;
    }

    @Override
    public void onData(Stream stream, ByteBuf data) {
        byte[] bytes = new byte[data.readableBytes()];
        data.getBytes(data.readerIndex(), bytes);
        received.writeBytes(bytes);
    }

    @Override
    public void onRemoteClosed(Stream stream) {
        remoteClosedCalls++;
    }

    @Override
    public void onClosed(Stream stream, Throwable cause) {
        closedCalls++;
        closeCause = cause;
    }

    byte[] bytes() {
        return received.toByteArray();
    }

    int size() {
        return received.size();
    }

    boolean remoteClosed() {
        return remoteClosedCalls > 0;
    }

    int remoteClosedCalls() {
        return remoteClosedCalls;
    }

    boolean closed() {
        return closedCalls > 0;
    }

    int closedCalls() {
        return closedCalls;
    }

    Throwable closeCause() {
        return closeCause;
    }
}
