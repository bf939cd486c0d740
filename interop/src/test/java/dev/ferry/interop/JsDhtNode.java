package dev.ferry.interop;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A js-libp2p kad-dht node ({@code peer.mjs listen --dht}) that takes JSON commands on its stdin
 * and answers each with one {@code dht:result} or {@code dht:error} event carrying the command's
 * {@code id}. The process itself is a {@link JsPeer}; {@link #close()} always ends it.
 */
final class JsDhtNode implements AutoCloseable {
    static final Duration START_TIMEOUT = JsPeer.START_TIMEOUT;
    /** A DHT command on a handful of loopback nodes; generous for a loaded CI box. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    /** Answers such as a routing table list many peers: more than a plain peer's lines. */
    private static final int MAX_LINE_CHARS = 256 * 1024;

    private final String label;
    private final JsPeer peer;
    private final AtomicLong nextId = new AtomicLong(1);
    private final PeerId peerId;
    private final Multiaddr address;

    private JsDhtNode(String label, String protocol, List<Multiaddr> bootstrap) {
        this.label = label;
        Path dir = Path.of(System.getProperty("ferry.interop.jsDir", "js")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("node_modules/@libp2p/kad-dht"))) {
            throw new AssertionError("@libp2p/kad-dht is not installed: run `npm ci` in " + dir);
        }
        List<String> args = new ArrayList<>(List.of("listen", "--dht", "--dht-protocol", protocol));
        for (Multiaddr m : bootstrap) args.addAll(List.of("--bootstrap", m.toString()));
        this.peer = JsPeer.start(args, MAX_LINE_CHARS);
        JsEvent ready;
        try {
            ready = peer.awaitEvent("dht:ready", START_TIMEOUT);
        } catch (AssertionError e) {
            peer.close();
            throw e;
        }
        this.peerId = ready.peer("peer");
        this.address = peer.events("listening").getFirst().address("addr");
    }

    /** Starts a js kad-dht server on loopback that first dials {@code bootstrap} (and waits until each is in its table). */
    static JsDhtNode start(String label, String protocol, List<Multiaddr> bootstrap) {
        return new JsDhtNode(label, protocol, bootstrap);
    }

    PeerId peerId() {
        return peerId;
    }

    /** Its listen address, with {@code /p2p/}. */
    Multiaddr address() {
        return address;
    }

    /** The {@code dht:bootstrapped} events: the bootstrap peers it reached. */
    List<JsEvent> bootstrapped() {
        return peer.events("dht:bootstrapped");
    }

    /**
     * Sends {@code {"id":N,"cmd":cmd,<fields>}} ({@code fields} is JSON object members without
     * braces, may be empty) and waits for the answer; fails on a {@code dht:error}.
     */
    JsEvent call(String cmd, String fields) {
        long id = nextId.getAndIncrement();
        String line = "{\"id\":" + id + ",\"cmd\":\"" + cmd + "\"" + (fields.isEmpty() ? "" : "," + fields) + "}";
        peer.send(line);
        Predicate<JsEvent> answer = e -> (e.name().equals("dht:result") || e.name().equals("dht:error"))
                && e.fields().get("id") instanceof Number n && n.longValue() == id;
        JsEvent got = peer.awaitMatching("answer " + line + " (js node " + label + ")", answer, COMMAND_TIMEOUT.plusSeconds(10));
        if (got.name().equals("dht:error")) {
            throw new AssertionError("js node " + label + " failed " + line + ": " + got + "\n" + peer.describe());
        }
        return got;
    }

    static String str(String name, Object value) {
        return "\"" + name + "\":\"" + value + "\"";
    }

    /** SIGTERM (the node stops cleanly), then SIGKILL if it lingers. */
    @Override
    public void close() {
        peer.close();
    }
}
