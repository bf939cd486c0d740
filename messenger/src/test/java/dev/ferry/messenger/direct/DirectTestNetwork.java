package dev.ferry.messenger.direct;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.NettyHost;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import io.netty.channel.EventLoopGroup;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Real hosts on loopback sharing one small event loop group, with a handler thread and a scheduler. */
final class DirectTestNetwork implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final SecureRandom RANDOM = new SecureRandom();
    /** The thread every handler runs on: never an event loop. */
    static final String HANDLER_THREAD = "direct-handler";

    private final EventLoopGroup group = NettyHost.newEventLoopGroup(2);
    private final List<OverlayNode> nodes = new ArrayList<>();
    final ExecutorService handlerExecutor = Executors.newSingleThreadExecutor(r -> new Thread(r, HANDLER_THREAD));
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    /** A host listening on loopback. */
    OverlayNode host() {
        OverlayNode node = OverlayNode.create(HostConfig.builder(IdentityKeyPair.generate(RANDOM)).sharedEventLoops(group).build(), false);
        join(node.host().listen(Multiaddr.parse("/ip4/127.0.0.1/tcp/0")));
        nodes.add(node);
        return node;
    }

    /** Connects {@code from} to {@code to}, so that streams can be opened by PeerId. */
    static void connect(OverlayNode from, OverlayNode to) {
        join(from.host().dial(to.host().listenAddresses().getFirst().withPeerId(to.host().peerId())));
    }

    DirectServer serve(OverlayNode node, DirectHandler handler, DirectConfig config, DirectMetrics metrics) {
        return DirectServer.register(node.host(), handler, handlerExecutor, scheduler, config, metrics);
    }

    /** An envelope sealed to a random key (direct delivery does not open it), and its ACK secret. */
    record TestEnvelope(EnvelopeHeader header, byte[] ciphertext, AckSecret ackSecret) {}

    static TestEnvelope envelope(PeerId recipient, int payloadBytes) {
        InnerContent content = InnerContent.create(ContentType.SESSION_MESSAGE, IdentityKeyPair.generate(RANDOM).publicKey(), Instant.now(),
                new byte[payloadBytes], RANDOM);
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content, X25519.generate(RANDOM).publicKey(), Mailbox.keyFor(recipient),
                Instant.now(), Instant.now().plus(Duration.ofHours(1)), RANDOM);
        return new TestEnvelope(sealed.directHeader(), sealed.ciphertext(), sealed.ackSecret());
    }

    static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new AssertionError("operation did not complete: " + e, e);
        }
    }

    @Override
    public void close() {
        nodes.forEach(OverlayNode::close);
        handlerExecutor.shutdownNow();
        scheduler.shutdownNow();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(WAIT.toMillis());
    }
}
