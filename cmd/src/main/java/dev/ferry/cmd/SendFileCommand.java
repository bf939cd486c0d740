package dev.ferry.cmd;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry send-file CONTACT PATH}: sends a file of up to 64 MiB through the running node. */
@Command(name = "send-file", mixinStandardHelpOptions = true,
        description = {"Send the file at PATH (at most 64 MiB) to CONTACT. The node cuts it into pieces sent as messages, in order; "
                + "prints 'queued FILE-ID NAME (SIZE in N envelopes)'.",
            "With --wait it prints each delivery state of the file (its last piece's) until delivered or the time is up."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:queued (with --wait: delivered)", "1:refused, unreadable, or --wait ran out", "2:bad arguments",
            "3:no such contact"})
final class SendFileCommand extends ApiCommand {
    private static final Duration POLL = Duration.ofMillis(250);
    private static final long MAX_FILE_BYTES = 64L << 20;

    @Parameters(index = "0", paramLabel = "CONTACT")
    String contact;

    @Parameters(index = "1", paramLabel = "PATH")
    Path path;

    @Option(names = "--wait", paramLabel = "DURATION", converter = DurationConverter.class, arity = "0..1", fallbackValue = "10m",
            description = "Wait for delivery, at most DURATION (default 10m when given without one), printing each state.")
    Duration wait;

    @Override
    int run(ApiClient api) throws IOException, InterruptedException {
        long size;
        try {
            if (!Files.isRegularFile(path)) throw new IllegalArgumentException(path + " is not a file");
            size = Files.size(path);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("no file " + path);
        }
        if (size > MAX_FILE_BYTES) throw new IllegalArgumentException(path + " has " + size + " bytes; a file has at most 64 MiB");
        String mediaType = URLConnection.guessContentTypeFromName(path.getFileName().toString());
        System.err.println("sending " + path.getFileName() + " (" + ByteSizeConverter.format(size) + ")");
        JsonObject sent = api.upload("/files?to=" + ApiClient.segment(contact) + "&name=" + ApiClient.segment(path.getFileName().toString()),
                path, mediaType == null ? "application/octet-stream" : mediaType);
        JsonObject file = sent.getJsonObject("file");
        String last = sent.getString("lastEnvelope");
        System.out.println(sent.getString("state") + " " + file.getString("id") + " " + printable(file.getString("name")) + " ("
                + ByteSizeConverter.format(file.getLong("size")) + " in " + sent.getJsonArray("envelopes").size() + " envelopes)");
        System.out.flush();
        if (wait == null) return 0;
        return DeliveryWatch.until(api, last, sent.getString("state"), wait, POLL);
    }
}
