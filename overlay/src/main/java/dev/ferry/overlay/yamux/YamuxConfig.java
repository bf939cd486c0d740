package dev.ferry.overlay.yamux;

import java.time.Duration;

/**
 * Limits of one yamux session.
 *
 * @param maxStreams open streams per connection, both directions together; inbound streams past
 *     it are refused with RST
 * @param maxStreamWindow receive window granted per stream once it is open; the spec's initial
 *     256 KiB would make one stream window-bound on loopback, so each stream grows to this
 * @param maxBufferedBytes bytes the connection may hold for streams whose reader is paused or not
 *     attached yet; past it the socket stops being read until readers catch up
 * @param maxSendQueueBytes bytes a stream may queue beyond the remote's window; a writer that
 *     does not wait for its write futures gets an error instead of growing memory
 * @param maxDataFrame largest data frame we send
 * @param writeStallTimeout how long the socket may stay unwritable (the peer not reading) before
 *     the connection is closed
 * @param keepAliveInterval how often to ping the peer; a ping unanswered for as long again, while
 *     we are reading, means the peer or the path is gone and the connection is closed. Also keeps
 *     NAT mappings open. {@link Duration#ZERO} turns it off.
 * @param idleTimeout a connection with no open stream for this long is closed (GoAway, then
 *     close), so that peers contacted once, as a DHT lookup contacts dozens, do not hold a
 *     connection slot and two sockets forever. {@link Duration#ZERO} turns it off.
 */
public record YamuxConfig(
        int maxStreams,
        int maxStreamWindow,
        int maxBufferedBytes,
        int maxSendQueueBytes,
        int maxDataFrame,
        Duration writeStallTimeout,
        Duration keepAliveInterval,
        Duration idleTimeout) {
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(30);
    /**
     * Two minutes: long enough that a peer asked again soon (the next lookup step, a chat
     * partner's next message) finds the connection still open, short enough that a busy DHT
     * node's connections follow its current work rather than everyone it ever asked.
     */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(2);
    public static final YamuxConfig DEFAULTS = new YamuxConfig(256, 16 * 1024 * 1024, 32 * 1024 * 1024,
            16 * 1024 * 1024, 256 * 1024, Duration.ofSeconds(30), DEFAULT_KEEP_ALIVE, DEFAULT_IDLE_TIMEOUT);

    /** As the canonical constructor, with the default keep-alive and idle timeout. */
    public YamuxConfig(int maxStreams, int maxStreamWindow, int maxBufferedBytes, int maxSendQueueBytes,
                       int maxDataFrame, Duration writeStallTimeout) {
        this(maxStreams, maxStreamWindow, maxBufferedBytes, maxSendQueueBytes, maxDataFrame, writeStallTimeout,
                DEFAULT_KEEP_ALIVE, DEFAULT_IDLE_TIMEOUT);
    }

    /** This config with another keep-alive interval. */
    public YamuxConfig withKeepAliveInterval(Duration interval) {
        return new YamuxConfig(maxStreams, maxStreamWindow, maxBufferedBytes, maxSendQueueBytes, maxDataFrame,
                writeStallTimeout, interval, idleTimeout);
    }

    /** This config with another idle timeout. */
    public YamuxConfig withIdleTimeout(Duration timeout) {
        return new YamuxConfig(maxStreams, maxStreamWindow, maxBufferedBytes, maxSendQueueBytes, maxDataFrame,
                writeStallTimeout, keepAliveInterval, timeout);
    }

    /** This config with another stream limit. */
    public YamuxConfig withMaxStreams(int streams) {
        return new YamuxConfig(streams, maxStreamWindow, maxBufferedBytes, maxSendQueueBytes, maxDataFrame,
                writeStallTimeout, keepAliveInterval, idleTimeout);
    }

    public YamuxConfig {
        if (maxStreams < 1) throw new IllegalArgumentException("maxStreams must be at least 1");
        if (maxStreamWindow < YamuxProtocol.INITIAL_WINDOW) {
            throw new IllegalArgumentException("maxStreamWindow must be at least " + YamuxProtocol.INITIAL_WINDOW);
        }
        if (maxBufferedBytes < maxStreamWindow) {
            throw new IllegalArgumentException("maxBufferedBytes must be at least maxStreamWindow");
        }
        if (maxDataFrame < 1024) throw new IllegalArgumentException("maxDataFrame must be at least 1024");
        if (maxSendQueueBytes < maxDataFrame) throw new IllegalArgumentException("maxSendQueueBytes must be at least maxDataFrame");
        if (keepAliveInterval.isNegative()) throw new IllegalArgumentException("keepAliveInterval must not be negative");
        if (idleTimeout.isNegative()) throw new IllegalArgumentException("idleTimeout must not be negative");
    }
}
