package dev.ferry.overlay.perf;

/**
 * libp2p perf (perf/perf.md): the client sends the number of bytes it wants back as an 8-byte
 * big-endian integer, uploads its bytes and closes its write side; the server reads to the end,
 * then sends the requested bytes and closes.
 */
public final class PerfProtocol {
    public static final String PROTOCOL_ID = "/perf/1.0.0";
    static final int HEADER_LENGTH = 8;
    /** Bytes handed to a stream per write. */
    static final int CHUNK = 256 * 1024;
    /** Bytes a sender keeps queued on the stream, so the window never waits for the application. */
    static final int IN_FLIGHT = 4 * CHUNK;

    private PerfProtocol() {}
}
