package dev.ferry.cmd;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ferry dht provide}: announces the node of {@code --data-dir} as a provider of a CID. */
@Command(name = "provide",
        description = {"Announce the node of --data-dir as a provider of CID to the peers closest to it. Prints "
                + "'provider <PeerId>' and 'peers <n>': how many took the announcement.",
            "Only a peer itself may announce that it provides, so this command connects as the node's PeerId: "
                + "bootstrap from a peer other than the node itself. The announcement carries the addresses the DHT "
                + "knows for that PeerId, so run it while the node is up; peers keep it for 48 hours."})
final class DhtProvideCommand extends DhtClientCommand {
    @Mixin
    DataDirOption dataDir;

    @Parameters(index = "0", paramLabel = "CID", converter = ContentIdConverter.class,
            description = "The content: CIDv1 (bafy...) or CIDv0 (Qm...).")
    ContentId cid;

    @Override
    IdentityKeyPair identity() {
        return dataDir.identity();
    }

    @Override
    void check(IdentityKeyPair identity, List<Multiaddr> seeds) {
        for (Multiaddr seed : seeds) {
            if (seed.peerId().filter(identity.peerId()::equals).isPresent()) {
                throw usageError("--bootstrap " + seed + " is this node itself (--data-dir), which cannot dial itself; "
                        + "bootstrap from another peer");
            }
        }
    }

    @Override
    int run(DhtSession session) throws Exception {
        int peers = session.await(session.dht.provide(cid.multihash()), "announcing " + cid);
        if (peers == 0) throw new IllegalStateException("no DHT peer took the announcement of " + cid);
        System.out.println("provider " + session.dht.peerId());
        System.out.println("peers " + peers);
        return 0;
    }
}
