package dev.ferry.cmd;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ferry dht}: the DHT diagnostics, each a short-lived DHT client. */
@Command(name = "dht", mixinStandardHelpOptions = true,
        description = {"Look things up in and publish to the DHT. Each command starts a short-lived node in DHT client "
                + "mode (it never enters other peers' routing tables), joins through --bootstrap, does its one job and exits."},
        subcommands = {DhtFindPeerCommand.class, DhtClosestCommand.class, DhtPutCommand.class, DhtGetCommand.class,
            DhtProvideCommand.class, DhtProvidersCommand.class})
final class DhtCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: find-peer, closest, put, get, provide or providers");
    }
}
