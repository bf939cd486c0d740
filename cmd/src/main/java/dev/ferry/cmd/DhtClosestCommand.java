package dev.ferry.cmd;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.service.LookupResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry dht closest}: the peers closest to a key, and how many hops the lookup took. */
@Command(name = "closest",
        description = {"Look up the peers closest to KEY (those that would store a record under it) and print their "
                + "PeerIds, closest first, one per line, then 'hops N': the rounds of requests the lookup took."})
final class DhtClosestCommand extends DhtClientCommand {
    @Parameters(index = "0", paramLabel = "KEY", converter = LookupKeyConverter.class,
            description = {"Tried in this order: 0x-prefixed hex bytes; a /ferry/PEERID/NAME record key; a PeerId "
                    + "(where its peer record lives); a CID (its multihash, where its provider records live); "
                    + "plain hex bytes. Write 0x to be sure hex is read as hex: some hex is also a base16 CID (f01...)."})
    LookupKey key;

    @Override
    int run(DhtSession session) throws Exception {
        LookupResult result = session.await(session.dht.findClosest(key.bytes()), "the lookup");
        if (result.closest().isEmpty()) throw new NotFoundException("no peer answered the lookup");
        for (PeerId peer : result.closest()) System.out.println(peer);
        System.out.println("hops " + result.hops());
        return 0;
    }
}
