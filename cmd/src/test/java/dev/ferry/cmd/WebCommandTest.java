package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.cmd.api.ApiEndpoint;
import dev.ferry.cmd.api.ApiToken;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ferry web} prints the page's link with the data directory's token in the fragment. */
class WebCommandTest {
    @TempDir
    Path dataDir;

    @Test
    void printsThePageLinkWithTheTokenInTheFragment() {
        ApiToken token = ApiToken.loadOrCreate(dataDir, new SecureRandom());
        ApiEndpoint.write(dataDir, URI.create("http://127.0.0.1:7123"));

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream stdout = System.out;
        int code;
        try (PrintStream capture = new PrintStream(out, true, StandardCharsets.UTF_8)) {
            System.setOut(capture);
            code = new CommandLine(new WebCommand()).execute("--data-dir", dataDir.toString());
        } finally {
            System.setOut(stdout);
        }

        assertThat(code).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8).lines()).containsExactly("http://127.0.0.1:7123/#token=" + token.value());
    }

    @Test
    void saysNoNodeRunsWhenTheDataDirectoryHasNoApiAddress() {
        ApiToken.loadOrCreate(dataDir, new SecureRandom());
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new WebCommand());
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((e, c, p) -> {
            c.getErr().println(e.getMessage());
            return Main.EXIT_FAILURE;
        });

        int code = cli.execute("--data-dir", dataDir.toString());

        assertThat(code).isEqualTo(Main.EXIT_FAILURE);
        assertThat(err.toString()).contains("no node is running with data directory " + dataDir);
    }
}
