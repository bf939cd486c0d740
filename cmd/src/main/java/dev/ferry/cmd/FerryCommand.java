package dev.ferry.cmd;

import picocli.CommandLine.Command;

/** The top-level {@code ferry} command. */
@Command(name = "ferry",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Ferry: a peer-to-peer secure messaging overlay node.",
        subcommands = {DemoCommand.class, InitCommand.class, NodeCommand.class, IdCommand.class, PingCommand.class, PerfCommand.class, DhtCommand.class,
            PubSubCommand.class, StatusCommand.class, PeersCommand.class, ContactsCommand.class, SendCommand.class, SendFileCommand.class, SaveFileCommand.class,
            InboxCommand.class, OutboxCommand.class, GroupCommand.class, WebCommand.class})
public final class FerryCommand implements Runnable {
    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "missing command");
    }
}
