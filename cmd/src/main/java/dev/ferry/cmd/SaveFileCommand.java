package dev.ferry.cmd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry save-file CONTACT POSITION}: saves a file received from CONTACT ({@code ferry inbox} shows its position). */
@Command(name = "save-file", mixinStandardHelpOptions = true,
        description = {"Save the file CONTACT sent at POSITION of your conversation ('ferry inbox' shows it) to --output, "
                + "by default the sender's file name in the current directory. An existing file is never overwritten."})
final class SaveFileCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "CONTACT")
    String contact;

    @Parameters(index = "1", paramLabel = "POSITION")
    long position;

    @Option(names = {"-o", "--output"}, paramLabel = "PATH", description = "Where to save it (default: the sender's name, here).")
    Path output;

    @Override
    int run(ApiClient api) throws IOException {
        ApiClient.Download download = api.download("/conversations/" + ApiClient.segment(contact) + "/files/" + position);
        Path target = output != null ? output : Path.of(download.suggestedName());
        if (Files.exists(target)) {
            Files.deleteIfExists(download.file());
            throw new IllegalArgumentException(target + " exists; choose another with --output");
        }
        Files.move(download.file(), target, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("saved " + target + " (" + ByteSizeConverter.format(Files.size(target)) + ")");
        return 0;
    }
}
