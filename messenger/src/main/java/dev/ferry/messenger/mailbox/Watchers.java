package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.Stream;
import dev.ferry.store.MailboxKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The open watches, by mailbox and by peer, within {@link MailboxConfig}'s bounds. Owned by the
 * server's thread; only a watcher's count of unwritten notices is touched elsewhere (by the
 * stream's write completions).
 */
final class Watchers {
    /** One open watch stream. */
    static final class Watcher {
        final Stream stream;
        final long requestId;
        final PeerId peer;
        final MailboxKey mailbox;
        /** Notices handed to the stream whose write has not completed: the remote has not taken them. */
        final AtomicInteger unwritten = new AtomicInteger();

        Watcher(Stream stream, long requestId, PeerId peer, MailboxKey mailbox) {
            this.stream = stream;
            this.requestId = requestId;
            this.peer = peer;
            this.mailbox = mailbox;
        }
    }

    private final MailboxConfig config;
    private final Map<MailboxKey, List<Watcher>> byMailbox = new HashMap<>();
    private final Map<PeerId, Integer> perPeer = new HashMap<>();
    private int total;

    Watchers(MailboxConfig config) {
        this.config = config;
    }

    /** Why one more watch of {@code mailbox} by {@code peer} is refused, if it is. */
    Optional<String> refusal(PeerId peer, MailboxKey mailbox) {
        if (total >= config.maxWatchers()) {
            return Optional.of("this holder has " + total + " watchers, its limit");
        }
        if (perPeer.getOrDefault(peer, 0) >= config.maxWatchersPerPeer()) {
            return Optional.of("this peer has " + config.maxWatchersPerPeer() + " watches open here, the limit");
        }
        if (byMailbox.getOrDefault(mailbox, List.of()).size() >= config.maxWatchersPerMailbox()) {
            return Optional.of("the mailbox has " + config.maxWatchersPerMailbox() + " watchers, the limit");
        }
        return Optional.empty();
    }

    void add(Watcher watcher) {
        byMailbox.computeIfAbsent(watcher.mailbox, m -> new ArrayList<>()).add(watcher);
        perPeer.merge(watcher.peer, 1, Integer::sum);
        total++;
    }

    /** Forgets {@code watcher}; false if it was already forgotten. */
    boolean remove(Watcher watcher) {
        List<Watcher> list = byMailbox.get(watcher.mailbox);
        if (list == null || !list.remove(watcher)) return false;
        if (list.isEmpty()) byMailbox.remove(watcher.mailbox);
        perPeer.computeIfPresent(watcher.peer, (p, n) -> n == 1 ? null : n - 1);
        total--;
        return true;
    }

    /** The watchers of {@code mailbox}, a copy. */
    List<Watcher> of(MailboxKey mailbox) {
        return List.copyOf(byMailbox.getOrDefault(mailbox, List.of()));
    }

    /** Every watcher, a copy. */
    List<Watcher> all() {
        return byMailbox.values().stream().flatMap(List::stream).toList();
    }

    int size() {
        return total;
    }
}
