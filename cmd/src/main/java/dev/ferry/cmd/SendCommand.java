package dev.ferry.cmd;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry send CONTACT TEXT}: sends a text message through the running node. */
@Command(name = "send", mixinStandardHelpOptions = true,
        description = {"Send TEXT to CONTACT (a contact name or a PeerId). Prints 'queued ENVELOPE' once the node has sealed it; "
                + "the node then delivers it directly, or stores it with the recipient's mailbox holders while they are away.",
            "With --wait it prints each delivery state (stored, delivered) as it changes, until delivered or the time is up."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:queued (with --wait: delivered)", "1:refused, or --wait ran out before delivery", "2:bad arguments",
            "3:no such contact"})
final class SendCommand extends ApiCommand {
    /** How often --wait asks for the state. */
    private static final Duration POLL = Duration.ofMillis(250);

    @Parameters(index = "0", paramLabel = "CONTACT")
    String contact;

    @Parameters(index = "1", paramLabel = "TEXT")
    String text;

    @Option(names = "--wait", paramLabel = "DURATION", converter = DurationConverter.class, arity = "0..1", fallbackValue = "5m",
            description = "Wait for delivery, at most DURATION (default 5m when given without one), printing each state.")
    Duration wait;

    @Override
    int run(ApiClient api) throws InterruptedException {
        JsonObject sent = api.post("/messages", new JsonObject().put("to", contact).put("text", text));
        String envelope = sent.getString("envelope");
        System.out.println(sent.getString("state") + " " + envelope);
        System.out.flush();
        if (wait == null) return 0;
        return DeliveryWatch.until(api, envelope, sent.getString("state"), wait, POLL);
    }
}
