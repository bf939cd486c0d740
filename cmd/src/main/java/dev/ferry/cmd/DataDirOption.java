package dev.ferry.cmd;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.NodeKeyStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import picocli.CommandLine.Option;

/** {@code --data-dir}: where the node key (and later the node's data) lives. */
public final class DataDirOption {
    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Data directory (default: $FERRY_DATA_DIR, else ~/.ferry).")
    Path dataDir;

    Path resolve() {
        if (dataDir != null) return dataDir;
        String env = System.getenv("FERRY_DATA_DIR");
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".ferry");
    }

    /** The node key of the data directory, created on first use. */
    IdentityKeyPair identity() {
        return NodeKeyStore.loadOrCreate(resolve(), new SecureRandom());
    }
}
