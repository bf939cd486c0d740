package dev.ferry.messenger;

import dev.ferry.crypto.PeerId;
import dev.ferry.store.StoreBatch;
import java.util.function.Consumer;

/** Takes a group control message that arrived over a 1:1 session; runs on the intake thread. */
interface GroupControl {
    /** What handling it changes ({@code persist}, written with the session) and does once written ({@code afterwards}). */
    record Outcome(Consumer<StoreBatch> persist, Runnable afterwards) {}

    /** Drops control messages: a node without the group layer. */
    GroupControl IGNORE = (sender, control) -> new Outcome(batch -> {}, () -> {});

    Outcome handle(PeerId authenticatedSender, byte[] control);
}
