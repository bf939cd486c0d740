package dev.ferry.cmd;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.dht.message.DhtPeer;
import dev.ferry.dht.message.DhtProtocol;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry dht providers}: who announced that they provide a CID, and where to reach them. */
@Command(name = "providers",
        description = {"Find the providers of CID in the DHT and print one line per provider: its PeerId, then its "
                + "addresses separated by spaces. A provider announced without addresses is looked up with find-peer; "
                + "one not found there has its PeerId alone on its line."})
final class DhtProvidersCommand extends DhtClientCommand {
    @Parameters(index = "0", paramLabel = "CID", converter = ContentIdConverter.class,
            description = "The content: CIDv1 (bafy...) or CIDv0 (Qm...).")
    ContentId cid;

    @Option(names = "--max", paramLabel = "N", defaultValue = "20",
            description = "Stop after this many providers, 1 to " + DhtProtocol.MAX_PROVIDER_PEERS + " (default: ${DEFAULT-VALUE}).")
    int max;

    @Override
    void check(IdentityKeyPair identity, List<Multiaddr> seeds) {
        if (max < 1 || max > DhtProtocol.MAX_PROVIDER_PEERS) {
            throw usageError("--max must be between 1 and " + DhtProtocol.MAX_PROVIDER_PEERS);
        }
    }

    @Override
    int run(DhtSession session) throws Exception {
        List<DhtPeer> providers = session.await(session.dht.findProviders(cid.multihash(), max), "the lookup of " + cid);
        if (providers.isEmpty()) throw new NotFoundException("no provider of " + cid + " found in the DHT");
        // Look up every provider without addresses at once: one slow lookup must not hold up the others.
        List<CompletableFuture<List<Multiaddr>>> addresses = new ArrayList<>();
        for (DhtPeer p : providers) {
            addresses.add(p.addresses().isEmpty()
                    ? session.dht.findPeer(p.id()).exceptionally(e -> List.of())
                    : CompletableFuture.completedFuture(p.addresses()));
        }
        for (int i = 0; i < providers.size(); i++) {
            List<Multiaddr> known;
            try {
                known = session.await(addresses.get(i), "finding the addresses of " + providers.get(i).id());
            } catch (TimeoutException e) {
                known = List.of(); // the provider is still worth printing
            }
            String line = providers.get(i).id() + known.stream().map(a -> " " + withoutPeerId(a)).collect(Collectors.joining());
            System.out.println(line);
        }
        return 0;
    }

    /** The PeerId starts the line already. */
    private static Multiaddr withoutPeerId(Multiaddr address) {
        return address.peerId().isPresent() && address.components().size() > 1 ? address.withoutPeerId() : address;
    }
}
