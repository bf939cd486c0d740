package dev.ferry.dht.service;

import java.util.Locale;

/** How a lookup ended: the {@code outcome} label of {@code ferry_dht_lookups_total}. */
public enum LookupOutcome {
    /** The spec's termination rule: the k closest peers heard of have all answered or failed. */
    CONVERGED,
    /** The caller had what it wanted (a peer's addresses, enough records or providers). */
    SATISFIED,
    /** The lookup timeout passed; the result is the closest peers that answered by then. */
    TIMED_OUT,
    /** The lookup could not run (too many at once, the service closing). */
    FAILED;

    /** The metric label: the name in lower case. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
