package dev.ferry.cmd;

import dev.ferry.cmd.api.ApiEndpoint;
import dev.ferry.cmd.api.ApiServer;
import dev.ferry.cmd.api.ApiToken;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.dht.service.DhtConfig;
import dev.ferry.dht.service.DhtMode;
import dev.ferry.messenger.FerryNode;
import dev.ferry.messenger.MessengerConfig;
import dev.ferry.monitoring.Metrics;
import dev.ferry.monitoring.MetricsServer;
import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.net.URI;
import java.nio.file.Path;
import java.security.SecureRandom;
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

/**
 * {@code ferry node}: runs a whole node ({@link FerryNode}: overlay, DHT, GossipSub, store and
 * messenger) until SIGTERM or SIGINT, with its HTTP API and, if asked, its metrics endpoint.
 */
@Command(name = "node", mixinStandardHelpOptions = true,
        description = "Run a node (relay or personal) until stopped with SIGTERM or Ctrl-C.")
final class NodeCommand implements Callable<Integer> {
    /** The API's address unless told otherwise: loopback, so only this machine's users reach it (and they need the token). */
    static final String DEFAULT_API = "127.0.0.1:7001";

    @Mixin
    DataDirOption dataDir;

    @Option(names = "--listen", paramLabel = "MULTIADDR", converter = MultiaddrConverter.class,
            description = "Address to listen on, repeatable (default: /ip4/0.0.0.0/tcp/4001).")
    List<Multiaddr> listen = List.of();

    @Option(names = "--api", paramLabel = "HOST:PORT", converter = HostPort.Converter.class, defaultValue = DEFAULT_API,
            description = "Serve the HTTP API for 'ferry send', 'ferry inbox', ... here (default: ${DEFAULT-VALUE}; port 0 picks one).")
    HostPort api;

    @Option(names = "--no-api", description = "Serve no HTTP API (a relay nobody uses as a person).")
    boolean noApi;

    @Option(names = "--metrics", paramLabel = "HOST:PORT", converter = HostPort.Converter.class,
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics (default: off).")
    HostPort metrics;

    @Option(names = "--relay-only",
            description = "Hold and forward for others with no user of its own: no prekey bundle, no sending.")
    boolean relayOnly;

    @Option(names = "--enable-perf", description = "Serve /perf/1.0.0 (throughput tests) to anyone who asks.")
    boolean enablePerf;

    @Option(names = "--verbose", description = "Log connection events and protocol violations.")
    boolean verbose;

    @Mixin
    LimitOptions limits;

    @Mixin
    MessengerOptions messengerLimits;

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
        MessengerConfig messengerConfig = messengerLimits.applyTo(MessengerConfig.defaults());
        Path dir = dataDir.resolve();
        IdentityKeyPair identity = dataDir.identity();
        limits.applyTo(HostConfig.builder(identity)); // refuses a nonsense limit before anything starts
        List<Multiaddr> addresses = listen.isEmpty() ? List.of(Multiaddr.parse("/ip4/0.0.0.0/tcp/4001")) : listen;
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());

        FerryNode node = FerryNode.builder()
                .identity(identity)
                .dataDirectory(dir)
                .listen(addresses)
                .bootstrap(dhtOptions.bootstrap)
                .config(messengerConfig)
                .dhtConfig(dhtConfig)
                .host(limits::applyTo)
                .metrics(Metrics.withJvmMetrics())
                .relayOnly(relayOnly)
                .enablePerf(enablePerf)
                .start();
        MetricsServer metricsServer = null;
        ApiServer apiServer = null;
        NetworkJoin join = new NetworkJoin(node, System.out, System.err);
        try {
            // The node relays messages of --topic topics without showing them: its output stays one line per event.
            for (String topic : joined) node.pubsub().subscribe(topic, message -> {}).get();
            for (Multiaddr a : node.addresses()) System.out.println("listening " + a);
            for (String topic : joined) System.out.println("pubsub joined " + PubSubSession.printable(topic));
            if (metrics != null) {
                metricsServer = MetricsServer.start(node.metrics(), metrics.host(), metrics.port());
                System.out.println("metrics " + new HostPort(metrics.host(), metricsServer.address().getPort()).url() + "/metrics");
            }
            if (!noApi) {
                apiServer = ApiServer.start(node, ApiToken.loadOrCreate(dir, new SecureRandom()), api.host(), api.port());
                URI url = URI.create(new HostPort(api.host(), apiServer.port()).url());
                ApiEndpoint.write(dir, url);
                System.out.println("api " + url + " (token in " + dir.resolve(ApiToken.FILE_NAME) + ")");
            }
            System.out.println("node " + node.peerId() + (relayOnly ? " (relay only)" : ""));
            System.out.flush();
            if (dhtOptions.bootstrap.isEmpty()) {
                System.err.println("ferry: warning: no --bootstrap given: this node is alone until others join through it");
                System.err.flush();
                node.join(); // publishes the user's bundle in its own DHT store, served to whoever comes
            } else {
                // after listening, so that the bootstrap peers learn (through identify) where to reach us
                join.start(dhtOptions.bootstrap);
            }
            stop.await();
        } finally {
            join.close();
            if (apiServer != null) {
                ApiEndpoint.remove(dir);
                apiServer.close();
            }
            if (metricsServer != null) metricsServer.close();
            node.close();
        }
        return 0;
    }
}
