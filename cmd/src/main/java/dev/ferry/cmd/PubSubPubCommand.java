package dev.ferry.cmd;

import dev.ferry.pubsub.router.GossipSubConfig;
import dev.ferry.pubsub.router.PublishResult;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry pubsub pub}: publishes one message and exits once a peer has it. */
@Command(name = "pub",
        description = {"Publish TEXT on TOPIC, signed by a fresh identity, and print 'peers N': how many peers it was "
                + "sent to. Waits (up to --timeout, connecting included) until a --bootstrap peer has announced that it "
                + "is on TOPIC: a subscriber, or a ferry node run with --topic TOPIC, which relays it to the others."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:sent to at least one peer",
            "1:failed: no --bootstrap peer reached, or none on TOPIC within --timeout",
            "2:bad arguments"})
final class PubSubPubCommand extends PubSubClientCommand {

    @Parameters(index = "1", paramLabel = "TEXT", description = "UTF-8 text, or hex bytes with --hex; at most 1 MiB.")
    String text;

    @Option(names = "--hex", description = "TEXT is hex bytes (e.g. 00ff), not text.")
    boolean hex;

    private byte[] data;

    @Override
    void check() {
        if (hex) {
            try {
                data = HexFormat.of().parseHex(text.startsWith("0x") ? text.substring(2) : text);
            } catch (IllegalArgumentException e) {
                throw usageError("TEXT '" + text + "' is not hex bytes (an even number of 0-9 a-f)");
            }
        } else {
            data = text.getBytes(StandardCharsets.UTF_8);
        }
        int max = GossipSubConfig.defaults().rpcLimits().maxMessageDataBytes();
        if (data.length > max) throw usageError("TEXT is " + data.length + " bytes, over the limit of " + max);
    }

    @Override
    int run(PubSubSession session) throws Exception {
        // A peer is on the topic once its subscription announcement arrived, soon after connecting.
        while (session.router.topicPeers(topic).get().isEmpty()) {
            if (session.deadline.remainingNanos() <= 0) {
                throw new IllegalStateException("no --bootstrap peer is on topic " + PubSubSession.printable(topic)
                        + " after --timeout " + DurationConverter.format(timeout)
                        + " (a ferry node relays a topic only when run with --topic)");
            }
            Thread.sleep(PubSubSession.POLL.toMillis());
        }
        PublishResult result = session.deadline.await(session.router.publish(topic, data), "publishing");
        if (result.peers() == 0) throw new IllegalStateException("no peer on topic " + PubSubSession.printable(topic) + " took the message");
        // Closing the session closes the router, which sends what is queued before it ends the streams.
        System.out.println("peers " + result.peers());
        return 0;
    }
}
