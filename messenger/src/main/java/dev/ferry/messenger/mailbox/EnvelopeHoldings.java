package dev.ferry.messenger.mailbox;

import java.util.List;

/**
 * A holder's answer to HAS: what it keeps of one envelope.
 *
 * @param acknowledged whether it holds the envelope's ACK tombstone
 * @param indices the indices of the shards it holds, ascending
 */
public record EnvelopeHoldings(boolean acknowledged, List<Integer> indices) {
    public EnvelopeHoldings {
        indices = List.copyOf(indices);
    }
}
