package dev.ferry.messenger;

import dev.ferry.crypto.PeerId;
import java.time.Instant;
import java.util.Objects;

/**
 * A name the user gave a peer, so that {@code ferry send alice hi} works.
 *
 * @param name unique among the user's contacts; see {@link Contacts#checkName}
 * @param peer the peer's PeerId: its address
 * @param addedAt when it was added
 */
public record Contact(String name, PeerId peer, Instant addedAt) {
    /** Checks the fields. */
    public Contact {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(peer, "peer");
        Objects.requireNonNull(addedAt, "addedAt");
    }
}
