package dev.ferry.store;

import java.util.List;
import java.util.Optional;

/**
 * One page of a mailbox listing, in (envelope id, shard index) order.
 *
 * @param shards the shards of this page, at most the limit asked for
 * @param next where the next page starts; empty when this page is the last
 */
public record ShardPage(List<Shard> shards, Optional<Cursor> next) {
    /** Copies the list. */
    public ShardPage {
        shards = List.copyOf(shards);
    }

    /**
     * A position in a mailbox listing: the last shard of a page. Listing from it returns what
     * sorts after it, so shards added or deleted meanwhile never make a page repeat or skip
     * another shard.
     *
     * @param envelope the last listed shard's envelope
     * @param index the last listed shard's index
     */
    public record Cursor(EnvelopeId envelope, int index) {}
}
