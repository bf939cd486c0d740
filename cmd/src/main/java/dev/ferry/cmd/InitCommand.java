package dev.ferry.cmd;

import dev.ferry.cmd.api.ApiToken;
import dev.ferry.crypto.NodeKeyStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ferry init}: creates the data directory, the node key (the user's identity) and the API token. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create a data directory with a new identity (node key) and API token; print the PeerId.")
final class InitCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    @Override
    public Integer call() throws Exception {
        Path dir = dataDir.resolve();
        boolean existed = Files.exists(dir.resolve(NodeKeyStore.KEY_FILE_NAME));
        var identity = dataDir.identity();
        ApiToken.loadOrCreate(dir, new SecureRandom());
        System.out.println(identity.peerId());
        System.err.println((existed ? "ferry: " + dir + " already had an identity; kept it" : "ferry: created " + dir)
                + ". Start the node with: ferry node --data-dir " + dir);
        return 0;
    }
}
