package dev.ferry.cmd;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ferry id}: prints the node's PeerId. */
@Command(name = "id", mixinStandardHelpOptions = true,
        description = "Print this node's PeerId (creates the node key on first use).")
final class IdCommand implements Callable<Integer> {
    @Mixin
    DataDirOption dataDir;

    @Override
    public Integer call() {
        System.out.println(dataDir.identity().peerId());
        return 0;
    }
}
