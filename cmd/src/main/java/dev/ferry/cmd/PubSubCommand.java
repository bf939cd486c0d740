package dev.ferry.cmd;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ferry pubsub}: GossipSub diagnostics, each a short-lived node. */
@Command(name = "pubsub", mixinStandardHelpOptions = true,
        description = {"Publish to and subscribe to GossipSub topics. Each command starts a short-lived node with a fresh "
                + "identity, connects to the --bootstrap peers and talks pubsub only with them. A ferry node relays a topic "
                + "(forwards its messages) only when it runs with --topic TOPIC."},
        subcommands = {PubSubSubCommand.class, PubSubPubCommand.class})
final class PubSubCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command: sub or pub");
    }
}
