package dev.ferry.messenger.mailbox;

import java.util.List;
import java.util.Optional;

/**
 * One FETCH answer. With a refusal the page is empty and {@code reply} says why.
 *
 * @param reply the holder's status
 * @param shards the shards that passed the client's checks, in the holder's order
 * @param nextCursor the cursor of the next page (pass it to the next fetch); empty after the last
 * @param rejected shards the holder sent that failed the checks (a faulty or hostile holder)
 */
public record FetchedPage(MailboxReply reply, List<FetchedShard> shards, Optional<byte[]> nextCursor, int rejected) {
    public FetchedPage {
        shards = List.copyOf(shards);
        nextCursor = nextCursor.map(byte[]::clone);
    }

    /** Whether more pages follow. */
    public boolean hasMore() {
        return nextCursor.isPresent();
    }
}
