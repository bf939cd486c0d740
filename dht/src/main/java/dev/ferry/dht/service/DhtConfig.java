package dev.ferry.dht.service;

import dev.ferry.dht.message.DhtProtocol;
import java.time.Duration;
import java.util.Objects;

/**
 * The parameters of a {@link DhtService}, immutable; {@link #defaults()} documents each default.
 *
 * @param protocolId the protocol the DHT speaks and (in server mode) serves
 * @param mode server or client
 * @param k replication parameter: peers per bucket, peers a lookup looks for, peers a record
 *     or provider record is stored at
 * @param alpha requests in flight per lookup
 * @param requestTimeout one request: stream opening (and dial), request and answer
 * @param getValueQuorum valid records a GET_VALUE lookup collects before it stops early
 */
public record DhtConfig(String protocolId, DhtMode mode, int k, int alpha, Duration requestTimeout, int getValueQuorum) {
    /** The spec's alpha. */
    public static final int DEFAULT_ALPHA = 3;
    /**
     * Ten seconds, as rust-libp2p: a dial across the world and an answer; a dead peer costs one
     * slot of alpha for this long.
     */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /**
     * go-libp2p-kad-dht's default quorum for GET_VALUE: enough answers that one stale or lying
     * peer cannot decide which record wins, and the lookup still ends before asking everybody.
     */
    public static final int DEFAULT_GET_VALUE_QUORUM = 16;

    public DhtConfig {
        Objects.requireNonNull(protocolId, "protocolId");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (k < 1 || k > DhtProtocol.MAX_CLOSER_PEERS) {
            throw new IllegalArgumentException("k must be in 1.." + DhtProtocol.MAX_CLOSER_PEERS);
        }
        if (alpha < 1) throw new IllegalArgumentException("alpha must be at least 1");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) throw new IllegalArgumentException("requestTimeout must be positive");
        if (getValueQuorum < 1) throw new IllegalArgumentException("getValueQuorum must be at least 1");
    }

    /** Server mode on {@link DhtProtocol#DEFAULT_PROTOCOL_ID} with the spec's k and alpha. */
    public static DhtConfig defaults() {
        return new DhtConfig(DhtProtocol.DEFAULT_PROTOCOL_ID, DhtMode.SERVER, DhtProtocol.K, DEFAULT_ALPHA,
                DEFAULT_REQUEST_TIMEOUT, DEFAULT_GET_VALUE_QUORUM);
    }

    public DhtConfig withMode(DhtMode m) {
        return new DhtConfig(protocolId, m, k, alpha, requestTimeout, getValueQuorum);
    }

    public DhtConfig withProtocolId(String id) {
        return new DhtConfig(id, mode, k, alpha, requestTimeout, getValueQuorum);
    }

    public DhtConfig withRequestTimeout(Duration t) {
        return new DhtConfig(protocolId, mode, k, alpha, t, getValueQuorum);
    }

    public DhtConfig withGetValueQuorum(int q) {
        return new DhtConfig(protocolId, mode, k, alpha, requestTimeout, q);
    }
}
