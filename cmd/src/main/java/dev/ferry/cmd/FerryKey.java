package dev.ferry.cmd;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.record.FerryRecord;

/**
 * The text form of a {@code /ferry/} record key, {@code /ferry/<PeerId>/<name>}: the PeerId in
 * base58 ({@code 12D3KooW...}) or CID ({@code bafz...}) form. On the wire the key holds the
 * PeerId's bytes instead ({@link FerryRecord#keyOf}); this is what people type and read.
 */
record FerryKey(PeerId publisher, String name) {
    private static final String PREFIX = "/" + FerryRecord.NAMESPACE + "/";

    FerryKey {
        FerryRecord.keyOf(publisher, name); // refuses a bad name
    }

    /** Parses {@code /ferry/<PeerId>/<name>}, naming what is wrong with a bad key. */
    static FerryKey parse(String text) {
        if (!text.startsWith(PREFIX)) throw new IllegalArgumentException("'" + text + "' is not a key of the form " + PREFIX + "PEERID/NAME");
        String rest = text.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        if (slash < 0) throw new IllegalArgumentException("'" + text + "' has no /NAME after the PeerId");
        try {
            return new FerryKey(PeerId.parse(rest.substring(0, slash)), rest.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + text + "': " + e.getMessage(), e);
        }
    }

    /** The key as the DHT stores it. */
    byte[] bytes() {
        return FerryRecord.keyOf(publisher, name);
    }

    @Override
    public String toString() {
        return PREFIX + publisher.toBase58() + "/" + name;
    }
}
