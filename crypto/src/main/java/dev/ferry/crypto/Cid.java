package dev.ferry.crypto;

import dev.ferry.crypto.multiformats.Multibase;
import dev.ferry.crypto.multiformats.UnsignedVarint;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;

/** The CIDv1 form of a PeerId: {@code multibase(varint(1) varint(0x72 libp2p-key) multihash)}. */
final class Cid {
    static final int VERSION_1 = 1;
    static final int LIBP2P_KEY = 0x72;

    private Cid() {}

    static String peerIdToCid(PeerId peerId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        UnsignedVarint.write(VERSION_1, out);
        UnsignedVarint.write(LIBP2P_KEY, out);
        out.writeBytes(peerId.toBytes());
        return Multibase.encodeBase32(out.toByteArray());
    }

    static PeerId parsePeerId(String text) {
        try {
            byte[] raw = Multibase.decode(text);
            UnsignedVarint.Decoded version = UnsignedVarint.decode(raw, 0);
            if (version.value() != VERSION_1) {
                throw new IllegalArgumentException("CID version " + version.value() + " is not 1");
            }
            UnsignedVarint.Decoded codec = UnsignedVarint.decode(raw, version.length());
            if (codec.value() != LIBP2P_KEY) {
                throw new IllegalArgumentException("CID codec 0x" + Long.toHexString(codec.value()) + " is not libp2p-key (0x72)");
            }
            return PeerId.fromBytes(Arrays.copyOfRange(raw, version.length() + codec.length(), raw.length));
        } catch (IllegalArgumentException e) {
            String reason = e.getMessage().startsWith("invalid PeerId: ")
                    ? e.getMessage().substring("invalid PeerId: ".length()) : e.getMessage();
            throw new IllegalArgumentException("invalid PeerId '" + text + "': " + reason, e);
        }
    }
}
