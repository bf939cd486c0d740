package dev.ferry.messenger.delivery;

import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.erasure.ErasureParameters;
import dev.ferry.store.erasure.NotEnoughShardsException;
import dev.ferry.store.erasure.RebuiltData;
import dev.ferry.store.erasure.ReedSolomonCodec;
import dev.ferry.store.erasure.ShardManifest;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The recipient's side of erasure coding: shards of many envelopes arrive from many holders, in
 * any order; each is checked against its envelope's header (whose id commits to every shard hash,
 * so a shard that matches is authentic), and as soon as k of an envelope are in hand the envelope
 * is rebuilt. A holder that serves a tampered shard is noticed and the shard ignored.
 *
 * <p>Bounded: at most {@code maxEnvelopes} envelopes and {@code maxBytes} of shards wait at once;
 * past that the oldest incomplete envelope is dropped (it is fetched again on the next round).
 * Pure and mutable, owned by one thread.
 */
public final class ShardCollector {
    /** What became of one offered shard. */
    public sealed interface Outcome {}

    /** The shard was kept; the envelope needs more. */
    public record Kept(int have, int need) implements Outcome {}

    /** The shard is already here, or its envelope was rebuilt already. */
    public record Duplicate() implements Outcome {}

    /** The shard does not match the hash its header commits to: the holder served bad bytes. */
    public record Tampered(int index) implements Outcome {}

    /** The shard's index is outside its header's k + m, or the header's code is not one this node decodes. */
    public record Malformed(String reason) implements Outcome {}

    /** The envelope is rebuilt: {@code ciphertext} is what was sealed. */
    public record Complete(EnvelopeHeader header, byte[] ciphertext) implements Outcome {}

    private static final class Pending {
        final EnvelopeHeader header;
        final Map<Integer, byte[]> shards = new HashMap<>();
        long bytes;

        Pending(EnvelopeHeader header) {
            this.header = header;
        }
    }

    private final int maxEnvelopes;
    private final long maxBytes;
    private final Map<EnvelopeId, Pending> pending = new LinkedHashMap<>();
    /** Recently rebuilt envelopes, oldest first, so that their late shards are not collected again. */
    private final Map<EnvelopeId, Boolean> completed = new LinkedHashMap<>();
    private long pendingBytes;

    /**
     * @param maxEnvelopes most incomplete envelopes held at once
     * @param maxBytes most shard bytes held at once
     */
    public ShardCollector(int maxEnvelopes, long maxBytes) {
        if (maxEnvelopes < 1 || maxBytes < 1) throw new IllegalArgumentException("limits must be positive");
        this.maxEnvelopes = maxEnvelopes;
        this.maxBytes = maxBytes;
    }

    /**
     * Offers one shard, with the header it came with (decoded, so its id is verified).
     * {@link Complete} is returned once per envelope; later shards of it are {@link Duplicate}s
     * for as long as it is among the recently completed (the caller keeps the durable record of
     * delivered envelopes and checks it first).
     */
    public Outcome offer(EnvelopeHeader header, int index, byte[] shard) {
        int k = header.dataShards();
        int m = header.parityShards();
        if (k < 1 || m < 0 || k + m > ErasureParameters.MAX_TOTAL_SHARDS) return new Malformed("bad code " + k + " + " + m);
        if (index < 0 || index >= k + m) return new Malformed("shard index " + index + " outside 0.." + (k + m - 1));
        if (header.ciphertextLength() > ErasureParameters.MAX_DATA_LENGTH) return new Malformed("envelope too large");
        if (!header.shardMatches(index, shard)) return new Tampered(index);

        EnvelopeId id = EnvelopeId.of(header.envelopeId());
        if (completed.containsKey(id)) return new Duplicate();
        Pending entry = pending.get(id);
        if (entry == null) {
            entry = new Pending(header);
            pending.put(id, entry);
        }
        if (entry.shards.containsKey(index)) return new Duplicate();
        entry.shards.put(index, shard);
        entry.bytes += shard.length;
        pendingBytes += shard.length;

        if (entry.shards.size() >= k) {
            drop(id);
            completed.put(id, Boolean.TRUE);
            if (completed.size() > 4 * maxEnvelopes) completed.remove(completed.keySet().iterator().next());
            ErasureParameters parameters = new ErasureParameters(k, m);
            ReedSolomonCodec codec = ReedSolomonCodec.of(parameters);
            ShardManifest manifest = new ShardManifest(parameters, (int) header.ciphertextLength(), header.shardHashes());
            try {
                RebuiltData rebuilt = codec.decode(manifest, entry.shards);
                return new Complete(header, rebuilt.data());
            } catch (NotEnoughShardsException e) {
                // Every kept shard matched its hash, so this cannot happen; keep the rule visible anyway.
                return new Malformed("rebuild failed: " + e.getMessage());
            }
        }
        evictBeyondLimits(id);
        return new Kept(entry.shards.size(), k);
    }

    /** Forgets an envelope's shards (after it was delivered, or when giving up on it). */
    public void forget(EnvelopeId envelope) {
        drop(envelope);
    }

    /** Forgets that an envelope was rebuilt, so that its shards are collected again (it could not be opened yet). */
    public void forgetCompleted(EnvelopeId envelope) {
        completed.remove(envelope);
    }

    /** Envelopes waiting for more shards. */
    public int pendingEnvelopes() {
        return pending.size();
    }

    /** Bytes of shards held. */
    public long pendingBytes() {
        return pendingBytes;
    }

    private void drop(EnvelopeId id) {
        Pending removed = pending.remove(id);
        if (removed != null) pendingBytes -= removed.bytes;
    }

    private void evictBeyondLimits(EnvelopeId keep) {
        Iterator<Map.Entry<EnvelopeId, Pending>> oldestFirst = pending.entrySet().iterator();
        while ((pending.size() > maxEnvelopes || pendingBytes > maxBytes) && oldestFirst.hasNext()) {
            Map.Entry<EnvelopeId, Pending> oldest = oldestFirst.next();
            if (oldest.getKey().equals(keep)) continue;
            pendingBytes -= oldest.getValue().bytes;
            oldestFirst.remove();
        }
    }
}
