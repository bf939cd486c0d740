package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.envelope.EnvelopeHeader;

/**
 * A shard a FETCH returned, already checked by the client: its header decoded (so its envelope id
 * is right), belongs to the mailbox fetched, and lists this shard's SHA-256 at its index.
 *
 * @param header the envelope header
 * @param index the shard's index
 * @param data the shard bytes
 */
public record FetchedShard(EnvelopeHeader header, int index, byte[] data) {
    public FetchedShard {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public String toString() {
        return "FetchedShard[" + header + " #" + index + ", " + data.length + " bytes]";
    }
}
