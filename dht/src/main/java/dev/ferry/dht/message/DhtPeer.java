package dev.ferry.dht.message;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.List;
import java.util.Objects;

/**
 * A peer as a DHT message lists it: its id, the addresses the sender knows for it (at most
 * {@link DhtProtocol#MAX_ADDRESSES_PER_PEER}, none of them naming another peer) and what the
 * sender says about its connection to it.
 */
public record DhtPeer(PeerId id, List<Multiaddr> addresses, ConnectionType connection) {
    public DhtPeer {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(connection, "connection");
        addresses = List.copyOf(addresses);
        if (addresses.size() > DhtProtocol.MAX_ADDRESSES_PER_PEER) {
            throw new IllegalArgumentException(addresses.size() + " addresses for one peer, more than "
                    + DhtProtocol.MAX_ADDRESSES_PER_PEER);
        }
        for (Multiaddr address : addresses) {
            if (namesAnotherPeer(id, address)) {
                throw new IllegalArgumentException("address " + address + " names another peer than " + id);
            }
        }
    }

    /** A peer with no connection information. */
    public static DhtPeer of(PeerId id, List<Multiaddr> addresses) {
        return new DhtPeer(id, addresses, ConnectionType.NOT_CONNECTED);
    }

    /** True if {@code address} ends in {@code /p2p/} of a peer other than {@code id}. */
    static boolean namesAnotherPeer(PeerId id, Multiaddr address) {
        return address.peerId().map(named -> !named.equals(id)).orElse(false);
    }
}
