package dev.ferry.dht.service;

import java.util.concurrent.atomic.AtomicLong;

/** What a {@link DhtService} counted; safe to read from any thread. */
public final class DhtCounters {
    final AtomicLong requestsServed = new AtomicLong();
    final AtomicLong malformedRequests = new AtomicLong();
    final AtomicLong refusedRequests = new AtomicLong();
    final AtomicLong requestsSent = new AtomicLong();
    final AtomicLong requestsFailed = new AtomicLong();
    final AtomicLong probesSent = new AtomicLong();
    final AtomicLong probesFinished = new AtomicLong();
    final AtomicLong livenessChecks = new AtomicLong();

    /** Requests answered (or, for ADD_PROVIDER, taken). */
    public long requestsServed() { return requestsServed.get(); }

    /** Requests that did not decode or overran the framing; each reset its stream. */
    public long malformedRequests() { return malformedRequests.get(); }

    /** Well-formed requests refused (an invalid record, a full queue); each reset its stream. */
    public long refusedRequests() { return refusedRequests.get(); }

    public long requestsSent() { return requestsSent.get(); }

    public long requestsFailed() { return requestsFailed.get(); }

    /** Requests sent to peers that asked us something, to learn whether they serve the DHT. */
    public long probesSent() { return probesSent.get(); }

    /** Probes answered, failed or timed out. */
    public long probesFinished() { return probesFinished.get(); }

    /** Requests sent to the least recently seen peer of a full bucket. */
    public long livenessChecks() { return livenessChecks.get(); }
}
