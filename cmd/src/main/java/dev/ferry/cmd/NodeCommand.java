package dev.ferry.cmd;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.dht.service.DhtConfig;
import dev.ferry.dht.service.DhtMode;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import dev.ferry.pubsub.router.GossipSubConfig;
import dev.ferry.pubsub.router.GossipSubRouter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

/** {@code ferry node}: runs a node until SIGTERM or SIGINT. */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run a node (relay or personal) until stopped with SIGTERM or Ctrl-C.")
final class NodeCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    @Option(names = "--listen", paramLabel = "MULTIADDR", converter = MultiaddrConverter.class,
            description = "Address to listen on, repeatable (default: /ip4/0.0.0.0/tcp/4001).")
    List<Multiaddr> listen = List.of();

    @Option(names = "--enable-perf", description = "Serve /perf/1.0.0 (throughput tests) to anyone who asks.")
    boolean enablePerf;

    @Option(names = "--verbose", description = "Log connection events and protocol violations.")
    boolean verbose;

    @Mixin
    LimitOptions limits;

    @Mixin
    DhtOptions dhtOptions;

    @Option(names = "--dht-client",
            description = "Use the DHT without serving it, so no peer puts this node in its routing table: for a "
                    + "personal node others cannot dial (behind NAT). Needs --bootstrap.")
    boolean dhtClient;

    @Option(names = "--topic", paramLabel = "TOPIC",
            description = "A GossipSub topic to join, repeatable: the node then relays its messages between its peers "
                    + "(it prints 'pubsub joined TOPIC' and nothing per message). The node runs GossipSub either way.")
    List<String> topics = List.of();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (verbose) Main.configureLogging(java.util.logging.Level.INFO);
        DhtConfig dhtConfig = dhtOptions.config(dhtClient ? DhtMode.CLIENT : DhtMode.SERVER);
        if (dhtClient && dhtOptions.bootstrap.isEmpty()) {
            // a client serves nothing, so nobody ever tells it of a peer: it would know no one, forever
            throw new ParameterException(dhtOptions.spec.commandLine(),
                    "--dht-client needs --bootstrap: a DHT client learns peers only through it");
        }
        Set<String> joined = new LinkedHashSet<>(topics);
        for (String topic : joined) {
            PubSubSession.topicProblem(topic).ifPresent(problem -> {
                throw new ParameterException(spec.commandLine(), "--topic: " + problem);
            });
        }
        IdentityKeyPair identity = dataDir.identity();
        HostConfig config = limits.applyTo(HostConfig.builder(identity)).build();
        List<Multiaddr> addresses = listen.isEmpty() ? List.of(Multiaddr.parse("/ip4/0.0.0.0/tcp/4001")) : listen;
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try (OverlayNode node = OverlayNode.create(config, enablePerf);
             // before listening, so that the first peers to identify us already see the DHT protocol
             NodeDht dht = NodeDht.start(node.host(), dhtConfig, config.metrics(), System.out, System.err);
             // also before listening, and always: a node relays for its peers the topics it joins
             GossipSubRouter pubsub = GossipSubRouter.create(node.host(), identity, GossipSubConfig.defaults(),
                     config.metrics()).start()) {
            // The node relays messages without showing them: its output stays one line per event.
            for (String topic : joined) pubsub.subscribe(topic, message -> {}).get();
            for (Multiaddr a : addresses) node.host().listen(a).join();
            for (Multiaddr a : node.host().listenAddresses()) {
                System.out.println("listening " + a.withPeerId(node.host().peerId()));
            }
            for (String topic : joined) System.out.println("pubsub joined " + PubSubSession.printable(topic));
            System.out.flush();
            // after listening, so that the bootstrap peers learn (through identify) where to reach us
            if (!dhtOptions.bootstrap.isEmpty()) dht.join(dhtOptions.bootstrap);
            stop.await();
        }
        return 0;
    }
}
