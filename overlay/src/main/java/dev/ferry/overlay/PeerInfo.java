package dev.ferry.overlay;

import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.List;
import java.util.Optional;

/** What a peer told us about itself through identify. */
public record PeerInfo(
        String agentVersion,
        String protocolVersion,
        List<String> protocols,
        List<Multiaddr> listenAddresses,
        Optional<Multiaddr> observedAddress) {
    public PeerInfo {
        protocols = List.copyOf(protocols);
        listenAddresses = List.copyOf(listenAddresses);
    }
}
