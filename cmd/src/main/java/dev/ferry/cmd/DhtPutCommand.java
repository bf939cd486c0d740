package dev.ferry.cmd;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.dht.record.FerryRecord;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry dht put}: publishes a record signed with the node's own key. */
@Command(name = "put",
        description = {"Sign VALUE as NAME with the node key of --data-dir and store it in the DHT under "
                + "/ferry/<PeerId>/NAME. Prints 'key <key>', 'sequence <n>' and 'peers <n>': how many peers stored it.",
            "The sequence is the time in milliseconds: it grows from run to run with no state kept, so the latest put "
                + "wins wherever two versions meet. A put from a clock set behind an earlier put's loses to it."})
final class DhtPutCommand extends DhtClientCommand {
    @Mixin
    DataDirOption dataDir;

    @Parameters(index = "0", paramLabel = "NAME", description = "1 to " + FerryRecord.MAX_NAME_LENGTH + " characters of a-z 0-9 . _ -")
    String name;

    @Parameters(index = "1", paramLabel = "VALUE",
            description = "UTF-8 text, or hex bytes with --hex; at most " + FerryRecord.MAX_VALUE_LENGTH + " bytes.")
    String value;

    @Option(names = "--hex", description = "VALUE is hex bytes (e.g. 00ff), not text.")
    boolean hex;

    private FerryRecord record;

    @Override
    void check(IdentityKeyPair identity, List<Multiaddr> seeds) {
        byte[] bytes;
        if (hex) {
            try {
                bytes = HexFormat.of().parseHex(value.startsWith("0x") ? value.substring(2) : value);
            } catch (IllegalArgumentException e) {
                throw usageError("VALUE '" + value + "' is not hex bytes (an even number of 0-9 a-f)");
            }
        } else {
            bytes = value.getBytes(StandardCharsets.UTF_8);
        }
        try {
            // Signed by the user's key, whatever identity the short-lived node connects as.
            record = FerryRecord.sign(dataDir.identity(), name, bytes, System.currentTimeMillis());
        } catch (IllegalArgumentException e) {
            throw usageError(e.getMessage());
        }
    }

    @Override
    int run(DhtSession session) throws Exception {
        FerryKey key = new FerryKey(record.publisher(), record.name());
        int peers = session.await(session.dht.putValue(record.key(), record.encoded()), "storing " + key);
        if (peers == 0) throw new IllegalStateException("no DHT peer stored " + key);
        System.out.println("key " + key);
        System.out.println("sequence " + Long.toUnsignedString(record.sequence()));
        System.out.println("peers " + peers);
        return 0;
    }
}
