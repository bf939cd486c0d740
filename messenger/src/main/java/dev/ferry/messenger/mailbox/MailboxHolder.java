package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import dev.ferry.crypto.x3dh.X3dhException;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.FerryStore;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.PeerBytes;
import dev.ferry.store.Shard;
import dev.ferry.store.ShardPage;
import dev.ferry.store.StoreAccess;
import dev.ferry.store.StoreBatch;
import dev.ferry.store.StoreRefusedException;
import dev.ferry.store.SweepResult;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A mailbox holder's decisions over its store: what a request does and which status it gets.
 * No I/O but the store's; not thread-safe: {@link MailboxServer} calls it from its one thread.
 */
final class MailboxHolder {
    private static final System.Logger LOG = System.getLogger(MailboxHolder.class.getName());

    /** Told of each shard newly stored, so that the mailbox's watchers hear of it. */
    interface NewShards {
        void stored(MailboxKey mailbox, byte[] header, int index);
    }

    /** What an accepted ACK deleted, or why it was refused. */
    private record AckOutcome(MailboxReply reply, EnvelopeHeader header, int deleted) {}

    private final PeerId self;
    private final FerryStore store;
    private final Clock clock;
    private final MailboxConfig config;
    private final MailboxMetrics metrics;
    private final AckListener ackListener;
    private final NewShards newShards;

    MailboxHolder(PeerId self, FerryStore store, Clock clock, MailboxConfig config, MailboxMetrics metrics,
            AckListener ackListener, NewShards newShards) {
        this.self = self;
        this.store = store;
        this.clock = clock;
        this.config = config;
        this.metrics = metrics;
        this.ackListener = ackListener;
        this.newShards = newShards;
    }

    /** The answer to any request but WATCH (which {@link #authoriseWatch} and the server handle). */
    MailboxResponse answer(PeerId from, MailboxRequest request) {
        long id = request.id();
        return switch (request) {
            case MailboxRequest.Store store -> MailboxResponse.plain(id, store(from, store.shard(), false));
            case MailboxRequest.Fetch fetch -> fetch(fetch);
            case MailboxRequest.Ack ack -> MailboxResponse.plain(id, ack(from, ack));
            case MailboxRequest.Has has -> has(has);
            case MailboxRequest.Acked acked -> new MailboxResponse.AckedAnswer(id, MailboxStatus.OK, "",
                    acked.envelopes().stream().map(store.tombstones()::contains).toList());
            case MailboxRequest.Handover handover -> {
                // One store write for all of them, as for a BATCH of STOREs.
                List<MailboxReply> results = new ArrayList<>(handover.shards().size());
                List<Runnable> afterwards = new ArrayList<>();
                store.write(batch -> {
                    for (EnvelopeShard shard : handover.shards()) results.add(store(from, shard, true, batch, afterwards));
                });
                runAfterwards(afterwards);
                yield new MailboxResponse.HandoverResults(id, MailboxStatus.OK, "", results);
            }
            case MailboxRequest.PutPrekeys put -> MailboxResponse.plain(id, putPrekeys(from, put.bundle()));
            case MailboxRequest.GetPrekeys get -> getPrekeys(get);
            case MailboxRequest.Watch watch -> throw new IllegalArgumentException("WATCH is served by the server");
            case MailboxRequest.Batch batch -> throw new IllegalArgumentException("a BATCH is unpacked by the server");
        };
    }

    // ---------------------------------------------------------------- STORE and HANDOVER

    /** Checks a shard against its header and this holder's rules, and stores it charged to {@code from}. */
    MailboxReply store(PeerId from, EnvelopeShard shard, boolean handover) {
        List<Runnable> afterwards = new ArrayList<>();
        MailboxReply reply = store(from, shard, handover, store, afterwards);
        runAfterwards(afterwards);
        return reply;
    }

    /** As above, writing through {@code access} (the store, or a batch); {@code afterwards} gets what to do once it is written. */
    private MailboxReply store(PeerId from, EnvelopeShard shard, boolean handover, StoreAccess access, List<Runnable> afterwards) {
        MailboxReply reply = storeChecked(from, shard, handover, access, afterwards);
        if (!reply.isOk()) metrics.shardRefused(reply.status());
        return reply;
    }

    private MailboxReply storeChecked(PeerId from, EnvelopeShard shard, boolean handover, StoreAccess access, List<Runnable> afterwards) {
        byte[] headerBytes = shard.header();
        EnvelopeHeader header;
        try {
            header = EnvelopeHeader.decode(headerBytes);
        } catch (EnvelopeException e) {
            return MailboxReply.of(MailboxStatus.BAD_HEADER, e.getMessage());
        }
        int total = header.dataShards() + header.parityShards();
        if (shard.index() >= total) {
            return MailboxReply.of(MailboxStatus.BAD_INDEX, "index " + shard.index() + " of an envelope of " + total + " shards");
        }
        if (header.ciphertextLength() > config.maxEnvelopeBytes()) {
            return MailboxReply.of(MailboxStatus.TOO_LARGE, "an envelope of " + header.ciphertextLength()
                    + " bytes, over this holder's largest of " + config.maxEnvelopeBytes());
        }
        byte[] data = shard.data();
        if (!header.shardMatches(shard.index(), data)) {
            return MailboxReply.of(MailboxStatus.SHARD_MISMATCH, "shard " + shard.index() + " does not hash to the header's hash");
        }
        Instant now = clock.instant();
        if (!header.expires().isAfter(now)) {
            return MailboxReply.of(MailboxStatus.EXPIRED, "expired at " + header.expires());
        }
        if (header.expires().isAfter(now.plus(config.maxTtl()))) {
            return MailboxReply.of(MailboxStatus.TTL_TOO_LONG,
                    "expires at " + header.expires() + ", after this holder's maximum TTL of " + config.maxTtl());
        }
        if (header.created().isAfter(now.plus(config.maxCreationSkew()))) {
            return MailboxReply.of(MailboxStatus.CREATED_IN_FUTURE, "created at " + header.created() + ", in the future");
        }
        MailboxKey mailbox = MailboxKey.of(header.mailbox());
        Shard record = new Shard(EnvelopeId.of(header.envelopeId()), shard.index(), mailbox, PeerBytes.of(from.toBytes()),
                header.expires(), headerBytes, data);
        boolean stored;
        try {
            // Refused before anything is staged: a refusal leaves a surrounding batch as it was.
            stored = access.shards().put(record);
        } catch (StoreRefusedException refused) {
            return MailboxReply.of(MailboxStatus.of(refused.reason()), refused.getMessage());
        }
        if (!stored) return MailboxReply.of(MailboxStatus.OK, "already held");
        afterwards.add(() -> {
            metrics.shardStored(handover);
            newShards.stored(mailbox, headerBytes, shard.index());
        });
        return MailboxReply.OK;
    }

    // ---------------------------------------------------------------- FETCH and WATCH

    private MailboxResponse fetch(MailboxRequest.Fetch fetch) {
        long id = fetch.id();
        MailboxAuthorisation authorisation = fetch.authorisation();
        Instant now = clock.instant();
        MailboxReply allowed = authorisation.verify(MailboxAuthorisation.Purpose.FETCH, self, fetch.cursor(), now,
                config.authorisationSkew());
        if (!allowed.isOk()) return MailboxResponse.plain(id, allowed);
        Optional<ShardPage.Cursor> after;
        byte[] cursor = fetch.cursor();
        if (cursor.length == 0) {
            after = Optional.empty();
        } else if (cursor.length == MailboxLimits.CURSOR_BYTES) {
            after = Optional.of(new ShardPage.Cursor(EnvelopeId.of(Arrays.copyOf(cursor, EnvelopeId.LENGTH)),
                    cursor[EnvelopeId.LENGTH] & 0xff));
        } else {
            return MailboxResponse.plain(id, MailboxReply.of(MailboxStatus.BAD_CURSOR, "a cursor is "
                    + MailboxLimits.CURSOR_BYTES + " bytes, got " + cursor.length));
        }
        int limit = fetch.limit() == 0 ? config.fetchPageShards() : Math.min(fetch.limit(), config.fetchPageShards());
        ShardPage page = store.shards().list(authorisation.mailbox(), after, limit);
        List<EnvelopeShard> shards = new ArrayList<>();
        long bytes = 0;
        Shard last = null;
        boolean cut = false;
        for (Shard shard : page.shards()) {
            if (last != null && bytes + shard.chargedBytes() > config.fetchPageBytes()) {
                cut = true;
                break;
            }
            last = shard;
            if (!shard.expiry().isAfter(now)) continue; // due for the sweep: nobody should rebuild it now
            bytes += shard.chargedBytes();
            shards.add(EnvelopeShard.of(shard));
        }
        Optional<byte[]> next = cut ? Optional.of(cursorBytes(last)) : page.next().map(c -> cursorBytes(c.envelope(), c.index()));
        return new MailboxResponse.Page(id, MailboxStatus.OK, "", shards, next);
    }

    private static byte[] cursorBytes(Shard shard) {
        return cursorBytes(shard.envelope(), shard.index());
    }

    private static byte[] cursorBytes(EnvelopeId envelope, int index) {
        byte[] out = Arrays.copyOf(envelope.bytes(), MailboxLimits.CURSOR_BYTES);
        out[EnvelopeId.LENGTH] = (byte) index;
        return out;
    }

    /** Whether a WATCH's authorisation lets its sender watch the mailbox. */
    MailboxReply authoriseWatch(MailboxAuthorisation authorisation) {
        return authorisation.verify(MailboxAuthorisation.Purpose.WATCH, self, new byte[0], clock.instant(),
                config.authorisationSkew());
    }

    // ---------------------------------------------------------------- ACK and HAS

    /**
     * Deletes every shard of the envelope and writes its tombstone in one batch, if the secret
     * hashes to the envelope's ACK hash; then tells the ACK listener.
     */
    MailboxReply ack(PeerId from, MailboxRequest.Ack ack) {
        List<Runnable> afterwards = new ArrayList<>();
        MailboxReply reply = store.writeReturning(batch -> ack(from, ack, batch, afterwards));
        runAfterwards(afterwards);
        return reply;
    }

    /** As above, in {@code batch}; {@code afterwards} gets what to do once it is written. */
    private MailboxReply ack(PeerId from, MailboxRequest.Ack ack, StoreBatch batch, List<Runnable> afterwards) {
        AckSecret ackSecret = AckSecret.of(ack.secret());
        List<PeerId> notified = ack.notified();
        AckOutcome outcome = ackIn(batch, ack.envelope(), ackSecret, ack.shardCount());
        if (outcome.header() != null) {
            afterwards.add(() -> {
                metrics.acknowledged(outcome.deleted());
                try {
                    ackListener.acknowledged(outcome.header(), ackSecret, from, notified);
                } catch (RuntimeException e) {
                    // The ACK stands; only its forwarding failed, and that is the listener's bug.
                    LOG.log(System.Logger.Level.WARNING, "the ACK listener failed", e);
                }
            });
        }
        return outcome.reply();
    }

    private AckOutcome ackIn(StoreBatch batch, EnvelopeId envelope, AckSecret ackSecret, int shardCount) {
        // The store never keeps a shard beside its envelope's tombstone: the tombstone is looked
        // up only when there is no shard. Given the shard count, the shards are read by key
        // (seeking them, to check and again to delete, was over a third of a holder's work while
        // recipients fetched).
        List<Shard> shards = shardCount > 0 ? batch.shards().getAll(envelope, shardCount) : batch.shards().getAll(envelope);
        if (shards.isEmpty()) {
            return batch.tombstones().contains(envelope)
                    ? new AckOutcome(MailboxReply.of(MailboxStatus.ALREADY_ACKNOWLEDGED, envelope + " was acknowledged"), null, 0)
                    : new AckOutcome(MailboxReply.of(MailboxStatus.NOT_FOUND, "no shard of " + envelope + " is held"), null, 0);
        }
        EnvelopeHeader header;
        try {
            header = EnvelopeHeader.decode(shards.getFirst().header());
        } catch (EnvelopeException e) {
            throw new IllegalStateException("a stored header does not decode: " + e.getMessage(), e);
        }
        if (!ackSecret.matches(header.ackHash())) {
            return new AckOutcome(MailboxReply.of(MailboxStatus.BAD_SECRET,
                    "the secret does not hash to the envelope's ACK hash"), null, 0);
        }
        int total = header.dataShards() + header.parityShards();
        // A count short of the header's may have missed some: read them all by the header's.
        if (shardCount > 0 && shardCount < total) shards = batch.shards().getAll(envelope, total);
        int deleted = batch.shards().delete(shards);
        batch.tombstones().put(envelope, header.expires());
        return new AckOutcome(MailboxReply.OK, header, deleted);
    }

    /**
     * The answers to a BATCH's requests, in order. Its STOREs and ACKs are written in one store
     * write (one log append for them all, not one each); the rest are answered after it, one by
     * one, so a HAS or ACKED behind a STORE or ACK of the same batch sees it.
     */
    List<MailboxResponse> answerBatch(PeerId from, List<MailboxRequest> requests) {
        MailboxResponse[] answers = new MailboxResponse[requests.size()];
        List<Runnable> afterwards = new ArrayList<>();
        store.write(batch -> {
            for (int i = 0; i < answers.length; i++) {
                MailboxRequest request = requests.get(i);
                answers[i] = switch (request) {
                    case MailboxRequest.Store st -> MailboxResponse.plain(st.id(), store(from, st.shard(), false, batch, afterwards));
                    case MailboxRequest.Ack ack -> MailboxResponse.plain(ack.id(), ack(from, ack, batch, afterwards));
                    default -> null;
                };
            }
        });
        runAfterwards(afterwards);
        for (int i = 0; i < answers.length; i++) {
            if (answers[i] == null) answers[i] = answer(from, requests.get(i));
        }
        return List.of(answers);
    }

    private MailboxResponse has(MailboxRequest.Has has) {
        boolean acknowledged = store.tombstones().contains(has.envelope());
        List<Shard> held = store.shards().getAll(has.envelope());
        List<Integer> indices = held.stream().map(Shard::index).toList();
        // The shard's bytes are ciphertext and its envelope id is known only to those involved,
        // so handing it to whoever names both is no leak: it is how other holders repair.
        java.util.Optional<EnvelopeShard> wanted = has.wantShard().isPresent()
                ? held.stream().filter(s -> s.index() == has.wantShard().getAsInt()).findFirst().map(EnvelopeShard::of)
                : java.util.Optional.empty();
        return new MailboxResponse.Held(has.id(), MailboxStatus.OK, "", acknowledged, indices, wanted);
    }

    // ---------------------------------------------------------------- PREKEYS

    /** Holds the sending peer's own bundle under its mailbox, if it is newer than the one held. */
    MailboxReply putPrekeys(PeerId from, byte[] encoded) {
        PrekeyBundle bundle;
        try {
            bundle = PrekeyBundle.decode(encoded);
        } catch (X3dhException e) {
            return MailboxReply.of(MailboxStatus.BAD_BUNDLE, e.getMessage());
        }
        if (!bundle.identity().peerId().equals(from)) {
            return MailboxReply.of(MailboxStatus.WRONG_PEER, "the bundle is " + bundle.identity().peerId() + "'s, not the sender's");
        }
        Instant now = clock.instant();
        Instant created = bundle.prekeyCreated();
        Instant expiry = created.plus(config.heldBundleLifetime());
        if (created.isAfter(now.plus(PrekeyPolicy.MAX_CLOCK_SKEW)) || !expiry.isAfter(now)) {
            return MailboxReply.of(MailboxStatus.STALE_BUNDLE, "the prekey was created at " + created);
        }
        MailboxKey mailbox = MailboxKey.of(Mailbox.keyFor(from));
        try {
            return store.writeReturning(batch -> {
                Optional<byte[]> held = batch.heldPrekeyBundles().get(mailbox);
                if (held.isPresent()) {
                    Optional<PrekeyBundle> heldBundle = decodeHeld(held.get());
                    if (heldBundle.isPresent() && !created.isAfter(heldBundle.get().prekeyCreated())) {
                        return Arrays.equals(held.get(), encoded)
                                ? MailboxReply.of(MailboxStatus.OK, "already held")
                                : MailboxReply.of(MailboxStatus.OUTDATED_BUNDLE,
                                        "a bundle of " + heldBundle.get().prekeyCreated() + " is held");
                    }
                }
                batch.heldPrekeyBundles().put(mailbox, encoded, expiry);
                return MailboxReply.OK;
            });
        } catch (StoreRefusedException refused) {
            return MailboxReply.of(MailboxStatus.of(refused.reason()), refused.getMessage());
        }
    }

    private static Optional<PrekeyBundle> decodeHeld(byte[] held) {
        try {
            return Optional.of(PrekeyBundle.decode(held));
        } catch (X3dhException e) {
            return Optional.empty(); // cannot happen for what was checked on the way in; replace it
        }
    }

    private MailboxResponse getPrekeys(MailboxRequest.GetPrekeys get) {
        Instant now = clock.instant();
        boolean live = store.heldPrekeyBundles().expiry(get.mailbox()).map(now::isBefore).orElse(false);
        Optional<byte[]> bundle = live ? store.heldPrekeyBundles().get(get.mailbox()) : Optional.empty();
        return bundle.<MailboxResponse>map(b -> new MailboxResponse.Bundle(get.id(), MailboxStatus.OK, "", b))
                .orElseGet(() -> MailboxResponse.plain(get.id(),
                        MailboxReply.of(MailboxStatus.NOT_FOUND, "no prekey bundle is held for " + get.mailbox())));
    }

    // ---------------------------------------------------------------- expiry

    /** One bounded sweep of what expired. */
    SweepResult sweep() {
        SweepResult result = store.sweepExpired(clock.instant(), config.sweepBatch());
        metrics.swept(result.shards(), result.tombstones(), result.prekeyBundles());
        return result;
    }

    /** Runs what a write left to do once it was written. */
    private static void runAfterwards(List<Runnable> afterwards) {
        afterwards.forEach(Runnable::run);
    }
}
