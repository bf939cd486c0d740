package dev.ferry.cmd;

import dev.ferry.overlay.host.HostConfig;
import dev.ferry.overlay.host.OverlayNode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
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

    @Override
    public Integer call() throws Exception {
        if (verbose) Main.configureLogging(java.util.logging.Level.INFO);
        HostConfig config = limits.applyTo(HostConfig.builder(dataDir.identity())).build();
        List<Multiaddr> addresses = listen.isEmpty() ? List.of(Multiaddr.parse("/ip4/0.0.0.0/tcp/4001")) : listen;
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try (OverlayNode node = OverlayNode.create(config, enablePerf)) {
            for (Multiaddr a : addresses) node.host().listen(a).join();
            for (Multiaddr a : node.host().listenAddresses()) {
                System.out.println("listening " + a.withPeerId(node.host().peerId()));
            }
            System.out.flush();
            stop.await();
        }
        return 0;
    }
}
