package dev.ferry.dht.service;

import dev.ferry.dht.message.DhtProtocol;
import dev.ferry.dht.routing.RoutingTable;
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
 * @param lookupTimeout one whole lookup; when it passes, the lookup ends with the closest peers
 *     that answered so far
 * @param getValueQuorum valid records a GET_VALUE lookup collects before it stops early
 * @param refreshInterval a bucket no lookup went into for this long is refreshed by a lookup of
 *     a random key in it; the self-lookup runs at this interval too
 * @param recordRepublishInterval how often the owner stores its records again at the k closest
 *     peers, which also moves them to peers that joined closer to the key
 * @param providerRepublishInterval how often the owner announces its provider records again
 * @param maintenanceInterval how often the service looks for due refreshes, republishes and
 *     expired store entries; the other intervals are only as precise as this one
 */
public record DhtConfig(
        String protocolId,
        DhtMode mode,
        int k,
        int alpha,
        Duration requestTimeout,
        Duration lookupTimeout,
        int getValueQuorum,
        Duration refreshInterval,
        Duration recordRepublishInterval,
        Duration providerRepublishInterval,
        Duration maintenanceInterval) {
    /** The spec's alpha. */
    public static final int DEFAULT_ALPHA = 3;
    /**
     * Ten seconds, as rust-libp2p: a dial across the world and an answer; a dead peer costs one
     * slot of alpha for this long.
     */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /**
     * A minute, as rust-libp2p's query timeout: a lookup takes a handful of rounds, each at most
     * one request timeout when peers are alive; past a minute the network is unwell and the
     * caller is better served by what was found than by waiting.
     */
    public static final Duration DEFAULT_LOOKUP_TIMEOUT = Duration.ofMinutes(1);
    /**
     * go-libp2p-kad-dht's default quorum for GET_VALUE: enough answers that one stale or lying
     * peer cannot decide which record wins, and the lookup still ends before asking everybody.
     */
    public static final int DEFAULT_GET_VALUE_QUORUM = 16;
    /** The routing table's refresh interval, {@link RoutingTable#DEFAULT_REFRESH_INTERVAL}. */
    public static final Duration DEFAULT_REFRESH_INTERVAL = RoutingTable.DEFAULT_REFRESH_INTERVAL;
    /**
     * 22 hours, as rust-libp2p: records live 36 hours at the peers that hold them, so one missed
     * republish still leaves them alive until the next.
     */
    public static final Duration DEFAULT_RECORD_REPUBLISH_INTERVAL = Duration.ofHours(22);
    /**
     * 12 hours, as rust-libp2p: provider records live 48 hours, so three republishes may fail
     * before a provider is forgotten.
     */
    public static final Duration DEFAULT_PROVIDER_REPUBLISH_INTERVAL = Duration.ofHours(12);
    /** A minute: expired records go within a minute of their expiry, and due work starts as late. */
    public static final Duration DEFAULT_MAINTENANCE_INTERVAL = Duration.ofMinutes(1);

    public DhtConfig {
        Objects.requireNonNull(protocolId, "protocolId");
        Objects.requireNonNull(mode, "mode");
        if (k < 1 || k > DhtProtocol.MAX_CLOSER_PEERS) {
            throw new IllegalArgumentException("k must be in 1.." + DhtProtocol.MAX_CLOSER_PEERS);
        }
        if (alpha < 1) throw new IllegalArgumentException("alpha must be at least 1");
        if (getValueQuorum < 1) throw new IllegalArgumentException("getValueQuorum must be at least 1");
        positive(requestTimeout, "requestTimeout");
        positive(lookupTimeout, "lookupTimeout");
        positive(refreshInterval, "refreshInterval");
        positive(recordRepublishInterval, "recordRepublishInterval");
        positive(providerRepublishInterval, "providerRepublishInterval");
        positive(maintenanceInterval, "maintenanceInterval");
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
    }

    /** Server mode on {@link DhtProtocol#DEFAULT_PROTOCOL_ID} with the spec's k and alpha. */
    public static DhtConfig defaults() {
        return new DhtConfig(DhtProtocol.DEFAULT_PROTOCOL_ID, DhtMode.SERVER, DhtProtocol.K, DEFAULT_ALPHA,
                DEFAULT_REQUEST_TIMEOUT, DEFAULT_LOOKUP_TIMEOUT, DEFAULT_GET_VALUE_QUORUM, DEFAULT_REFRESH_INTERVAL,
                DEFAULT_RECORD_REPUBLISH_INTERVAL, DEFAULT_PROVIDER_REPUBLISH_INTERVAL, DEFAULT_MAINTENANCE_INTERVAL);
    }

    public DhtConfig withMode(DhtMode m) {
        return new DhtConfig(protocolId, m, k, alpha, requestTimeout, lookupTimeout, getValueQuorum,
                refreshInterval, recordRepublishInterval, providerRepublishInterval, maintenanceInterval);
    }

    public DhtConfig withProtocolId(String id) {
        return new DhtConfig(id, mode, k, alpha, requestTimeout, lookupTimeout, getValueQuorum,
                refreshInterval, recordRepublishInterval, providerRepublishInterval, maintenanceInterval);
    }

    public DhtConfig withRequestTimeout(Duration t) {
        return new DhtConfig(protocolId, mode, k, alpha, t, lookupTimeout, getValueQuorum,
                refreshInterval, recordRepublishInterval, providerRepublishInterval, maintenanceInterval);
    }

    public DhtConfig withLookupTimeout(Duration t) {
        return new DhtConfig(protocolId, mode, k, alpha, requestTimeout, t, getValueQuorum,
                refreshInterval, recordRepublishInterval, providerRepublishInterval, maintenanceInterval);
    }

    public DhtConfig withGetValueQuorum(int q) {
        return new DhtConfig(protocolId, mode, k, alpha, requestTimeout, lookupTimeout, q,
                refreshInterval, recordRepublishInterval, providerRepublishInterval, maintenanceInterval);
    }

    public DhtConfig withRefreshInterval(Duration d) {
        return new DhtConfig(protocolId, mode, k, alpha, requestTimeout, lookupTimeout, getValueQuorum,
                d, recordRepublishInterval, providerRepublishInterval, maintenanceInterval);
    }

    /** Both republish intervals, records' and providers'. */
    public DhtConfig withRepublishIntervals(Duration records, Duration providers) {
        return new DhtConfig(protocolId, mode, k, alpha, requestTimeout, lookupTimeout, getValueQuorum,
                refreshInterval, records, providers, maintenanceInterval);
    }

    public DhtConfig withMaintenanceInterval(Duration d) {
        return new DhtConfig(protocolId, mode, k, alpha, requestTimeout, lookupTimeout, getValueQuorum,
                refreshInterval, recordRepublishInterval, providerRepublishInterval, d);
    }
}
