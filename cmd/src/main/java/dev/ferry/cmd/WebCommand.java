package dev.ferry.cmd;

import dev.ferry.cmd.api.ApiEndpoint;
import dev.ferry.cmd.api.ApiToken;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code ferry web}: prints the link to the running node's web page, with the API token in the
 * URL fragment. Browsers never send a fragment to the server, and the page moves the token into
 * the tab's session storage and off the address bar as soon as it loads.
 */
@Command(name = "web", mixinStandardHelpOptions = true,
        description = {"Print the link that opens the running node's web page, signed in.",
            "The link carries the API token: whoever has it may act as you, so do not share it."})
public final class WebCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    @Override
    public Integer call() {
        Path dir = dataDir.resolve();
        System.out.println(link(ApiEndpoint.read(dir), ApiToken.load(dir)));
        return 0;
    }

    /** The page at {@code api}'s root, with {@code token} in the fragment the page reads it from. */
    static String link(URI api, ApiToken token) {
        String base = api.toString();
        while (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        // base64url needs no escaping in a fragment
        return base + "/#token=" + token.value();
    }
}
