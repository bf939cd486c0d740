package dev.ferry.cmd;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.overlay.Connection;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A throw-away node for one-shot commands: a fresh identity unless given one, no listener. */
final class ShortLivedNode implements AutoCloseable {
    final OverlayNode node;
    /** The node's identity, for protocols that sign as it (pubsub under StrictSign). */
    final IdentityKeyPair identity;

    ShortLivedNode() {
        this(IdentityKeyPair.generate(new SecureRandom()));
    }

    ShortLivedNode(IdentityKeyPair identity) {
        this.identity = identity;
        node = OverlayNode.create(HostConfig.builder(identity).ioThreads(2).build(), false);
    }

    Connection dial(Multiaddr address, Duration timeout) throws Exception {
        try {
            return node.host().dial(address).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("no answer from " + address + " within " + timeout.toSeconds() + " s");
        }
    }

    @Override
    public void close() {
        node.close();
    }
}
