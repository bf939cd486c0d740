package dev.ferry.messenger.repair;

import dev.ferry.crypto.PeerId;
import dev.ferry.store.MailboxKey;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The port through which the upkeep learns who is near a mailbox: the node implements it with a
 * DHT lookup ({@code DhtService.findClosest(mailbox.bytes())}); tests give a fixed list.
 *
 * <p>The answer need not be sorted and may or may not list this node or the mailbox's owner:
 * {@link MailboxUpkeep} drops the owner (the peer whose {@code Mailbox.keyFor} is the mailbox),
 * drops this node, sorts the rest by XOR distance to the mailbox's Kademlia key and puts this node
 * back at its own rank. So a holder learns its position from its own key, never from a lookup
 * that may have left it out.
 */
@FunctionalInterface
public interface ClosestPeers {
    /** Peers near {@code mailbox} as the network knows them now (a lookup's worth, about 20). */
    CompletableFuture<List<PeerId>> closest(MailboxKey mailbox);
}
