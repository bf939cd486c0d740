package dev.ferry.cmd;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import sun.misc.Signal;

/** {@code ferry pubsub sub}: prints the messages of a topic until stopped. */
@Command(name = "sub",
        description = {"Subscribe to TOPIC and print one line per message received, 'msg TOPIC DATA', until stopped with "
                + "SIGTERM or Ctrl-C (exit 0). It prints 'joined TOPIC' once a --bootstrap peer is in the topic's mesh; "
                + "when none is within --timeout it warns on stderr (a ferry node joins a topic only when run with "
                + "--topic TOPIC) and keeps waiting. It fails when its last connection to a --bootstrap peer closes.",
            EscapedText.HELP + " TOPIC is printed the same way. Each line is flushed at once."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM or Ctrl-C",
            "1:failed: no --bootstrap peer reached, or every connection lost",
            "2:bad arguments"})
final class PubSubSubCommand extends PubSubClientCommand {
    /** Messages waiting to be printed; beyond that (stdout not keeping up) they are dropped and counted. */
    static final int MAX_PENDING = 10_000;
    /** How often the router and the connections are looked at between messages. */
    private static final long CHECK_MILLIS = 250;

    @Override
    int run(PubSubSession session) throws Exception {
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        // The subscriber runs on the router thread and must not block: printing (which may) happens here.
        BlockingQueue<byte[]> pending = new ArrayBlockingQueue<>(MAX_PENDING);
        AtomicLong dropped = new AtomicLong();
        session.deadline.await(session.router.subscribe(topic, m -> {
            if (!pending.offer(m.data())) dropped.incrementAndGet();
        }), "subscribing");
        String prefix = "msg " + PubSubSession.printable(topic) + " ";
        boolean joined = false;
        boolean warned = false;
        long droppedReported = 0;
        long checkedAt = System.nanoTime();
        while (stop.getCount() > 0) {
            byte[] data = pending.poll(CHECK_MILLIS, TimeUnit.MILLISECONDS);
            if (data != null) {
                System.out.println(prefix + EscapedText.of(data));
                System.out.flush();
            }
            if (data != null && System.nanoTime() - checkedAt < TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS)) continue;
            checkedAt = System.nanoTime();
            long lost = dropped.get();
            if (lost > droppedReported) {
                System.err.println("ferry: warning: " + (lost - droppedReported) + " messages dropped: stdout is not keeping up");
                System.err.flush();
                droppedReported = lost;
            }
            if (!joined && !session.router.meshPeers(topic).get().isEmpty()) {
                joined = true;
                System.out.println("joined " + PubSubSession.printable(topic));
                System.out.flush();
            } else if (!joined && !warned && session.deadline.remainingNanos() <= 0) {
                warned = true;
                System.err.println("ferry: warning: no --bootstrap peer is on topic " + PubSubSession.printable(topic)
                        + " after --timeout " + DurationConverter.format(timeout)
                        + " (a ferry node relays a topic only when run with --topic); still waiting");
                System.err.flush();
            }
            if (session.node.node.host().connections().isEmpty()) {
                throw new IllegalStateException("lost the connection to every --bootstrap peer");
            }
        }
        return 0;
    }
}
