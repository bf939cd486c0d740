package dev.ferry.cmd;

import dev.ferry.dht.message.DhtProtocol;
import dev.ferry.dht.service.DhtConfig;
import dev.ferry.dht.service.DhtMode;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --bootstrap} and {@code --dht-protocol}: which DHT to join and through whom; {@code ferry node} and {@code ferry dht} share them. */
final class DhtOptions {
    /** Longest protocol id taken: ids are short paths, and multistream-select caps a message at 1 KiB. */
    static final int MAX_PROTOCOL_ID_LENGTH = 256;

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--bootstrap", paramLabel = "MULTIADDR", converter = MultiaddrConverter.class,
            description = "A DHT server to join through, repeatable, e.g. /ip4/192.0.2.1/tcp/4001/p2p/12D3KooW...")
    List<Multiaddr> bootstrap = List.of();

    @Option(names = "--dht-protocol", paramLabel = "ID", defaultValue = DhtProtocol.DEFAULT_PROTOCOL_ID,
            description = "DHT protocol id (default: ${DEFAULT-VALUE}; " + DhtProtocol.IPFS_PROTOCOL_ID + " for an IPFS network).")
    String protocolId;

    /** The DHT configuration these options ask for, in {@code mode}; refuses a protocol id that cannot be one. */
    DhtConfig config(DhtMode mode) {
        if (!protocolId.startsWith("/") || protocolId.length() > MAX_PROTOCOL_ID_LENGTH
                || protocolId.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new ParameterException(spec.commandLine(), "--dht-protocol must be a path such as "
                    + DhtProtocol.DEFAULT_PROTOCOL_ID + " (printable ASCII, no spaces, at most " + MAX_PROTOCOL_ID_LENGTH
                    + " characters)");
        }
        return DhtConfig.defaults().withProtocolId(protocolId).withMode(mode);
    }

    /** The seeds, at least one: a DHT client that knows nobody cannot look anything up. */
    List<Multiaddr> requiredBootstrap() {
        if (bootstrap.isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                    "no --bootstrap given: name at least one DHT server, e.g. --bootstrap /ip4/192.0.2.1/tcp/4001/p2p/12D3KooW...");
        }
        return bootstrap;
    }
}
