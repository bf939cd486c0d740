package dev.ferry.cmd;

import dev.ferry.monitoring.Metrics;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.pubsub.router.GossipSubConfig;
import dev.ferry.pubsub.router.GossipSubRouter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One {@code ferry pubsub} command's view of pubsub: a short-lived node with a fresh identity
 * running a GossipSub router (default configuration: StrictSign, js-libp2p compatible message
 * ids), connected to the {@code --bootstrap} peers, and one deadline, {@code --timeout}.
 */
final class PubSubSession implements AutoCloseable {
    /** How often the state of the router is looked at while waiting for it to change. */
    static final Duration POLL = Duration.ofMillis(50);

    final ShortLivedNode node;
    final GossipSubRouter router;
    final Deadline deadline;

    private PubSubSession(ShortLivedNode node, GossipSubRouter router, Deadline deadline) {
        this.node = node;
        this.router = router;
        this.deadline = deadline;
    }

    /** Starts a node with a router and connects to {@code seeds} (those that answer), within {@code timeout}. */
    static PubSubSession connect(List<Multiaddr> seeds, Duration timeout) throws Exception {
        Deadline deadline = new Deadline(timeout);
        ShortLivedNode node = new ShortLivedNode();
        PubSubSession session;
        try {
            // before dialling, so that the router links to the seeds as soon as they are connected
            session = new PubSubSession(node, GossipSubRouter.create(node.node.host(), node.identity,
                    GossipSubConfig.defaults(), Metrics.create()).start(), deadline);
        } catch (RuntimeException | Error e) {
            node.close();
            throw e;
        }
        try {
            deadline.await(DhtJoin.dial(node.node.host(), seeds), "connecting to the --bootstrap peers");
            return session;
        } catch (Exception | Error e) {
            session.close();
            throw e;
        }
    }

    /** Why {@code topic} cannot be one, if it cannot: empty, or longer than routers take. */
    static Optional<String> topicProblem(String topic) {
        int max = GossipSubConfig.defaults().rpcLimits().maxTopicLength();
        if (topic.isEmpty()) return Optional.of("a topic must not be empty");
        if (topic.length() > max) return Optional.of("a topic must be at most " + max + " characters");
        return Optional.empty();
    }

    /** {@code topic} as the commands print it: escaped, so that it never breaks the line. */
    static String printable(String topic) {
        return EscapedText.of(topic.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        try {
            router.close();
        } finally {
            node.close();
        }
    }
}
