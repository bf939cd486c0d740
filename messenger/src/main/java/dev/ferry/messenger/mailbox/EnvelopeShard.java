package dev.ferry.messenger.mailbox;

import dev.ferry.store.Shard;
import java.util.Arrays;
import java.util.Objects;

/**
 * One shard as it travels between peers: the encoded envelope header it belongs to, its index and
 * its bytes. Nothing here is checked; a holder checks it against the header when it arrives.
 * Arrays are copied in and out.
 *
 * @param header the encoded {@link dev.ferry.crypto.envelope.EnvelopeHeader}
 * @param index the shard's index in the envelope's code
 * @param data the shard bytes
 */
public record EnvelopeShard(byte[] header, int index, byte[] data) {
    /** Copies the arrays. */
    public EnvelopeShard {
        header = header.clone();
        data = data.clone();
    }

    /** The shard a store holds, as it is handed over. */
    public static EnvelopeShard of(Shard shard) {
        return new EnvelopeShard(shard.header(), shard.index(), shard.data());
    }

    @Override
    public byte[] header() {
        return header.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Header and data bytes. */
    long bytes() {
        return (long) header.length + data.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EnvelopeShard that && index == that.index && Arrays.equals(header, that.header)
                && Arrays.equals(data, that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, Arrays.hashCode(header), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "EnvelopeShard[#" + index + ", " + header.length + "+" + data.length + " bytes]";
    }
}
