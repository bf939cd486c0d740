package dev.ferry.cmd;

import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry dht find-peer}: a peer's addresses, from the DHT. */
@Command(name = "find-peer",
        description = "Find a peer's addresses in the DHT and print them, one per line, each ending in /p2p/PEERID.")
final class DhtFindPeerCommand extends DhtClientCommand {
    @Parameters(index = "0", paramLabel = "PEERID", converter = PeerIdConverter.class,
            description = "The peer, base58 (12D3KooW...) or CID (bafz...).")
    PeerId peer;

    @Override
    int run(DhtSession session) throws Exception {
        List<Multiaddr> found = session.await(session.dht.findPeer(peer), "finding " + peer);
        if (found.isEmpty()) throw new NotFoundException(peer + " not found in the DHT");
        for (Multiaddr address : found) System.out.println(dialable(address, peer));
        return 0;
    }

    /** {@code address} with {@code /p2p/peer}, ready for {@code ferry ping}; as it is if it has no room left. */
    static Multiaddr dialable(Multiaddr address, PeerId peer) {
        try {
            return address.withPeerId(peer);
        } catch (IllegalArgumentException tooLong) {
            return address;
        }
    }
}
