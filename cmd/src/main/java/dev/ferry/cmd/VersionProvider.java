package dev.ferry.cmd;

import dev.ferry.overlay.host.HostConfig;
import picocli.CommandLine.IVersionProvider;

/** Prints the agent version the node announces. */
public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"ferry " + HostConfig.ferryVersion()};
    }
}
