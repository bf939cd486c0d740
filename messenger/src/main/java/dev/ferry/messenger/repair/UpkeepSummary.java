package dev.ferry.messenger.repair;

/**
 * What one upkeep round did.
 *
 * @param mailboxes mailboxes walked (in full or in part)
 * @param envelopes envelopes checked with HAS
 * @param skippedRecent envelopes not asked about: found complete or unrecoverable recently
 * @param requests mailbox requests sent (HAS, shard fetches, STOREs, HANDOVERs)
 * @param acknowledged envelopes dropped (with a tombstone) because another holder saw their ACK
 * @param handedOver shards a closer peer took from this node
 * @param surplusDropped envelopes whose shards this node dropped, the closest peers holding them all
 * @param repaired shards rebuilt and stored on their new holder
 * @param repairsFailed shards that could not be rebuilt or stored
 * @param unrecoverable envelopes with fewer than k shards left among the closest
 * @param cut whether a per-round limit ended the round before the walk was done
 */
public record UpkeepSummary(int mailboxes, int envelopes, int skippedRecent, int requests, int acknowledged,
        int handedOver, int surplusDropped, int repaired, int repairsFailed, int unrecoverable, boolean cut) {}
