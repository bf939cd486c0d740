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
 * A js-libp2p GossipSub node ({@code peer.mjs listen --pubsub}, {@code @libp2p/gossipsub}) that
 * takes {@code pubsub.*} JSON commands on its stdin, answers each with one {@code pubsub:result}
 * or {@code pubsub:error} event carrying the command's {@code id}, and prints a {@code
 * pubsub:message} event ({@code topic}, {@code data}, {@code dataHex}, {@code msgId} in base64,
 * {@code receivedFrom}, and under StrictSign {@code from} and {@code seqno}) for every message
 * handed to its subscriptions. The process itself is a {@link JsPeer}; {@link #close()} always
 * ends it.
 */
final class JsPubSubNode implements AutoCloseable {
    static final Duration START_TIMEOUT = JsPeer.START_TIMEOUT;
    /** A pubsub command on a handful of loopback nodes; generous for a loaded CI box. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(20);

    /** js gossipsub's {@code globalSignaturePolicy} values. */
    enum Policy {
        STRICT_SIGN("StrictSign"),
        STRICT_NO_SIGN("StrictNoSign");

        final String jsName;

        Policy(String jsName) {
            this.jsName = jsName;
        }
    }

    private final String label;
    private final JsPeer peer;
    private final AtomicLong nextId = new AtomicLong(1);
    private PeerId peerId;
    private Multiaddr address;

    private JsPubSubNode(String label, Policy policy, List<String> topics) {
        this.label = label;
        Path dir = Path.of(System.getProperty("ferry.interop.jsDir", "js")).toAbsolutePath().normalize();
        if (!Files.isDirectory(dir.resolve("node_modules/@libp2p/gossipsub"))) {
            throw new AssertionError("@libp2p/gossipsub is not installed: run `npm ci` in " + dir);
        }
        List<String> args = new ArrayList<>(List.of("listen", "--pubsub", "--sign-policy", policy.jsName));
        for (String topic : topics) args.addAll(List.of("--topic", topic));
        this.peer = JsPeer.start(args, 64 * 1024);
    }

    /** Starts a js GossipSub node on loopback under {@code policy}, subscribed to {@code topics}. */
    static JsPubSubNode start(String label, Policy policy, List<String> topics) {
        return startAll(List.of(label), policy, topics).getFirst();
    }

    /**
     * Starts one node per label, all at once (Node takes a while to load libp2p), and waits until
     * each is ready; on a failure every one of them is stopped.
     */
    static List<JsPubSubNode> startAll(List<String> labels, Policy policy, List<String> topics) {
        List<JsPubSubNode> nodes = new ArrayList<>();
        try {
            for (String label : labels) nodes.add(new JsPubSubNode(label, policy, topics));
            for (JsPubSubNode node : nodes) node.awaitReady(policy);
            return nodes;
        } catch (RuntimeException | Error e) {
            nodes.forEach(JsPubSubNode::close);
            throw e;
        }
    }

    private void awaitReady(Policy policy) {
        JsEvent ready = peer.awaitEvent("pubsub:ready", START_TIMEOUT);
        if (!policy.jsName.equals(ready.string("signaturePolicy"))) {
            throw new AssertionError("js node " + label + " runs " + ready + ", not " + policy.jsName);
        }
        this.peerId = ready.peer("peer");
        this.address = peer.events("listening").getFirst().address("addr");
    }

    String label() {
        return label;
    }

    PeerId peerId() {
        return peerId;
    }

    /** Its listen address, with {@code /p2p/}. */
    Multiaddr address() {
        return address;
    }

    // ------------------------------------------------------------------ commands

    /** Dials {@code target}; returns the PeerId it reached. */
    PeerId connect(Multiaddr target) {
        return call("pubsub.connect", str("addr", target)).peer("peer");
    }

    void subscribe(String topic) {
        call("pubsub.subscribe", str("topic", topic));
    }

    void unsubscribe(String topic) {
        call("pubsub.unsubscribe", str("topic", topic));
    }

    /** Publishes {@code text} (UTF-8) on {@code topic}; returns the peers js sent it to. */
    List<PeerId> publish(String topic, String text) {
        return peers(call("pubsub.publish", str("topic", topic) + "," + str("data", text)), "recipients");
    }

    /** Its mesh for {@code topic}. */
    List<PeerId> meshPeers(String topic) {
        return peers(call("pubsub.meshPeers", str("topic", topic)), "peers");
    }

    /** The peers it knows subscribed to {@code topic}. */
    List<PeerId> subscribers(String topic) {
        return peers(call("pubsub.subscribers", str("topic", topic)), "peers");
    }

    // ------------------------------------------------------------------ messages

    /** The {@code pubsub:message} events on {@code topic} so far, in arrival order. */
    List<JsEvent> messages(String topic) {
        return peer.events("pubsub:message").stream().filter(e -> topic.equals(e.fields().get("topic"))).toList();
    }

    /** The first {@code pubsub:message} on {@code topic} whose text is {@code text}, once printed. */
    JsEvent awaitMessage(String topic, String text, Duration timeout) {
        return peer.awaitEvent("pubsub:message",
                e -> topic.equals(e.fields().get("topic")) && text.equals(e.fields().get("data")), timeout);
    }

    /** Everything the process printed so far, for failure messages. */
    String describe() {
        return peer.describe();
    }

    // ------------------------------------------------------------------ plumbing

    /**
     * Sends {@code {"id":N,"cmd":cmd,<fields>}} ({@code fields} is JSON object members without
     * braces, may be empty) and waits for the answer; fails on a {@code pubsub:error}.
     */
    JsEvent call(String cmd, String fields) {
        long id = nextId.getAndIncrement();
        String line = "{\"id\":" + id + ",\"cmd\":\"" + cmd + "\"" + (fields.isEmpty() ? "" : "," + fields) + "}";
        peer.send(line);
        Predicate<JsEvent> answer = e -> (e.name().equals("pubsub:result") || e.name().equals("pubsub:error"))
                && e.fields().get("id") instanceof Number n && n.longValue() == id;
        JsEvent got = peer.awaitMatching("answer " + line + " (js node " + label + ")", answer, COMMAND_TIMEOUT);
        if (got.name().equals("pubsub:error")) {
            throw new AssertionError("js node " + label + " failed " + line + ": " + got + "\n" + peer.describe());
        }
        return got;
    }

    /** {@code "name":"value"}, {@code value} as a JSON string. */
    static String str(String name, Object value) {
        return quote(name) + ":" + quote(String.valueOf(value));
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
                    else out.append(c);
                }
            }
        }
        return out.append('"').toString();
    }

    private static List<PeerId> peers(JsEvent event, String key) {
        return event.strings(key).stream().map(PeerId::parse).toList();
    }

    /** SIGTERM (the node stops cleanly), then SIGKILL if it lingers. */
    @Override
    public void close() {
        peer.close();
    }
}
