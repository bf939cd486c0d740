package dev.ferry.messenger.mailbox;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.AckSecret;
import dev.ferry.crypto.envelope.EnvelopeException;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.X3dhException;
import dev.ferry.overlay.Host;
import dev.ferry.overlay.framing.PipelinedRequests;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.MailboxKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of {@code /ferry/mailbox/1.0.0}: one method per request, each future completing
 * with the holder's answer or failing with a {@link MailboxException} (or a
 * {@link TimeoutException} after {@link MailboxConfig#requestTimeout()}). A holder's refusal is a
 * value ({@link MailboxReply}), not a failure. Requests to one holder share a couple of
 * long-lived streams, pipelined ({@link PipelinedRequests}); a WATCH and a HANDOVER get a stream
 * of their own. One client serves a whole node from any thread.
 */
public final class MailboxClient implements AutoCloseable {
    /** The first request id of a stream of its own (a WATCH, a HANDOVER's batches). */
    private static final long FIRST_ID = 1;
    /** Streams to one holder: a sender storing at full speed keeps both busy. */
    private static final int STREAMS_PER_HOLDER = 2;
    /** Requests waiting for room on a holder's streams before more fail at once. */
    private static final int MAX_WAITING_PER_HOLDER = 1024;
    /** Sends to one holder on their way before further requests wait to go together in a BATCH. */
    private static final int UNBATCHED_IN_FLIGHT = 4;
    /** A pooled stream with nothing on its way is closed after this long. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    private final Host host;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final MailboxConfig config;
    private final PipelinedRequests requests;
    /** Ids of pooled requests, unique per client, so an answer is matched to the request it answers. */
    private final AtomicLong nextId = new AtomicLong(1);
    /** Per holder, what is on its way and what waits to be batched; an entry goes when both are empty. */
    private final Map<PeerId, Outgoing> outgoing = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A client on {@code host}; {@code clock} stamps FETCH and WATCH signatures, {@code scheduler}
     * (shared, not owned) times requests out.
     */
    public MailboxClient(Host host, Clock clock, ScheduledExecutorService scheduler, MailboxConfig config) {
        this.host = Objects.requireNonNull(host, "host");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.config = Objects.requireNonNull(config, "config");
        this.requests = new PipelinedRequests(host, MailboxProtocol.ID, new PipelinedRequests.Settings(MailboxLimits.MAX_MESSAGE_BYTES,
                MailboxLimits.MAX_QUEUED_REQUESTS_PER_STREAM, STREAMS_PER_HOLDER, MAX_WAITING_PER_HOLDER, IDLE_TIMEOUT), scheduler);
    }

    /** Resets the pooled streams: requests on their way fail. */
    @Override
    public void close() {
        requests.close();
    }

    /** Asks {@code holder} to keep shard {@code index} of the envelope of {@code header}. */
    public CompletableFuture<MailboxReply> store(PeerId holder, EnvelopeHeader header, int index, byte[] shard) {
        MailboxRequest request = new MailboxRequest.Store(nextId(), new EnvelopeShard(header.encode(), index, shard));
        return one(holder, request).thenApply(MailboxClient::plain);
    }

    /**
     * Lists one page of the mailbox of {@code owner} (the key pair whose PeerId names it: the
     * recipient's, or a group's shared one) at {@code holder}, from {@code cursor} (empty: from the
     * start), at most {@code limit} shards (0: the holder's page size). Each shard is checked
     * against its header before it is returned.
     */
    public CompletableFuture<FetchedPage> fetch(PeerId holder, IdentityKeyPair owner, Optional<byte[]> cursor, int limit) {
        if (limit < 0) throw new IllegalArgumentException("limit must not be negative, got " + limit);
        MailboxKey mailbox = mailboxOf(owner.peerId());
        byte[] cursorBytes = cursor.map(byte[]::clone).orElse(new byte[0]);
        MailboxAuthorisation authorisation = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.FETCH, owner, holder,
                mailbox, cursorBytes, clock.instant());
        return one(holder, new MailboxRequest.Fetch(nextId(), authorisation, cursorBytes, limit))
                .thenApply(answer -> page(answer, mailbox));
    }

    /**
     * Opens a WATCH of the mailbox of {@code owner} at {@code holder}: completes with the open
     * watch once the holder accepted it, or fails with a {@link MailboxRefusedException}.
     */
    public CompletableFuture<MailboxWatch> watch(PeerId holder, IdentityKeyPair owner, WatchListener listener) {
        Objects.requireNonNull(listener, "listener");
        MailboxKey mailbox = mailboxOf(owner.peerId());
        MailboxAuthorisation authorisation = MailboxAuthorisation.sign(MailboxAuthorisation.Purpose.WATCH, owner, holder,
                mailbox, new byte[0], clock.instant());
        MailboxRequest.Watch request = new MailboxRequest.Watch(FIRST_ID, authorisation);
        CompletableFuture<MailboxWatch> started = withTimeout(new CompletableFuture<>(), RequestType.WATCH);
        ClientWatch watch = new ClientWatch(holder, mailbox, FIRST_ID, listener, started);
        host.newStream(holder, MailboxProtocol.ID).whenComplete((stream, failure) -> {
            if (failure != null) started.completeExceptionally(new MailboxException("no stream to " + holder, failure));
            else watch.start(stream, request);
        });
        return started;
    }

    /** Acknowledges the envelope {@code envelope} at {@code holder} with its secret. */
    public CompletableFuture<MailboxReply> ack(PeerId holder, EnvelopeId envelope, AckSecret secret) {
        return ack(holder, envelope, secret, List.of());
    }

    /**
     * Acknowledges the envelope {@code envelope} at {@code holder} with its secret, saying that
     * the holders {@code notified} (at most {@link MailboxLimits#MAX_ACK_NOTIFIED}; the rest are
     * left out) are acknowledged too, so that {@code holder} does not forward the ACK to them; only
     * the holder named first forwards it at all.
     */
    public CompletableFuture<MailboxReply> ack(PeerId holder, EnvelopeId envelope, AckSecret secret, Collection<PeerId> notified) {
        return ack(holder, envelope, secret, notified, 0);
    }

    /**
     * As above, telling the holder the envelope's shard count (k + m, from its header; 0 for not
     * said), with which it reads its shards by key instead of seeking them.
     */
    public CompletableFuture<MailboxReply> ack(PeerId holder, EnvelopeId envelope, AckSecret secret, Collection<PeerId> notified,
            int shardCount) {
        List<PeerId> named = notified.stream().distinct().limit(MailboxLimits.MAX_ACK_NOTIFIED).toList();
        return one(holder, new MailboxRequest.Ack(nextId(), envelope, secret.bytes(), named, shardCount)).thenApply(MailboxClient::plain);
    }

    /** What {@code holder} keeps of {@code envelope}: its shard indices, or that it was acknowledged. */
    public CompletableFuture<EnvelopeHoldings> has(PeerId holder, EnvelopeId envelope) {
        return one(holder, new MailboxRequest.Has(nextId(), envelope)).thenApply(answer -> {
            if (answer instanceof MailboxResponse.Held held && held.status().isOk()) {
                return new EnvelopeHoldings(held.acknowledged(), held.indices());
            }
            throw unexpected(answer);
        });
    }

    /**
     * Which of {@code envelopes} (at most {@link MailboxLimits#MAX_ACKED_QUERY}) {@code holder}
     * knows were acknowledged: the ones it keeps a tombstone of.
     */
    public CompletableFuture<Set<EnvelopeId>> acknowledged(PeerId holder, List<EnvelopeId> envelopes) {
        MailboxRequest.Acked request = new MailboxRequest.Acked(nextId(), envelopes);
        return one(holder, request).thenApply(answer -> {
            if (!(answer instanceof MailboxResponse.AckedAnswer acked) || !acked.status().isOk()) throw unexpected(answer);
            int asked = request.envelopes().size();
            if (acked.acknowledged().size() < asked || acked.acknowledged().size() >= asked + 8) {
                throw new MailboxException(acked.acknowledged().size() + " answers to " + asked + " envelopes");
            }
            Set<EnvelopeId> yes = new HashSet<>();
            for (int i = 0; i < asked; i++) if (acked.acknowledged().get(i)) yes.add(request.envelopes().get(i));
            return yes;
        });
    }

    /**
     * Shard {@code index} of {@code envelope} from {@code holder}, checked against the header it
     * comes with; empty if the holder does not hold it (or served bytes that do not match).
     */
    public CompletableFuture<Optional<FetchedShard>> shard(PeerId holder, EnvelopeId envelope, int index) {
        return one(holder, new MailboxRequest.Has(nextId(), envelope, java.util.OptionalInt.of(index))).thenApply(answer -> {
            if (!(answer instanceof MailboxResponse.Held held) || !held.status().isOk()) throw unexpected(answer);
            return held.shard().flatMap(shard -> verified(envelope, shard));
        });
    }

    private static Optional<FetchedShard> verified(EnvelopeId envelope, EnvelopeShard shard) {
        try {
            EnvelopeHeader header = EnvelopeHeader.decode(shard.header());
            if (!java.util.Arrays.equals(header.envelopeId(), envelope.bytes()) || !header.shardMatches(shard.index(), shard.data())) {
                return Optional.empty();
            }
            return Optional.of(new FetchedShard(header, shard.index(), shard.data()));
        } catch (dev.ferry.crypto.envelope.EnvelopeException e) {
            return Optional.empty();
        }
    }

    /**
     * Hands {@code shards} to {@code holder} (which now is among a mailbox's closest), in batches
     * of at most {@link MailboxLimits#MAX_HANDOVER_SHARDS} and a message's bytes, all on one
     * stream. Completes with one reply per shard, in order.
     *
     * @throws IllegalArgumentException if a single shard cannot fit a message
     */
    public CompletableFuture<List<MailboxReply>> handover(PeerId holder, List<EnvelopeShard> shards) {
        if (shards.isEmpty()) return CompletableFuture.completedFuture(List.of());
        List<MailboxRequest> requests = new ArrayList<>();
        List<EnvelopeShard> batch = new ArrayList<>();
        long bytes = 0;
        long budget = MailboxLimits.MAX_MESSAGE_BYTES - MailboxLimits.MESSAGE_OVERHEAD_BYTES;
        for (EnvelopeShard shard : shards) {
            if (shard.bytes() > budget) {
                throw new IllegalArgumentException(shard + " does not fit in a message of " + MailboxLimits.MAX_MESSAGE_BYTES);
            }
            if (batch.size() == MailboxLimits.MAX_HANDOVER_SHARDS || bytes + shard.bytes() > budget) {
                requests.add(new MailboxRequest.Handover(FIRST_ID + requests.size(), batch));
                batch = new ArrayList<>();
                bytes = 0;
            }
            batch.add(shard);
            bytes += shard.bytes();
        }
        requests.add(new MailboxRequest.Handover(FIRST_ID + requests.size(), batch));
        return exchange(holder, requests).thenApply(answers -> {
            List<MailboxReply> replies = new ArrayList<>(shards.size());
            for (int i = 0; i < answers.size(); i++) {
                MailboxResponse answer = answers.get(i);
                int sent = ((MailboxRequest.Handover) requests.get(i)).shards().size();
                if (answer instanceof MailboxResponse.HandoverResults results && results.results().size() == sent) {
                    replies.addAll(results.results());
                } else if (answer instanceof MailboxResponse.Plain plain && !plain.status().isOk()) {
                    for (int j = 0; j < sent; j++) replies.add(new MailboxReply(plain.status(), plain.detail()));
                } else {
                    throw unexpected(answer);
                }
            }
            return replies;
        });
    }

    /** Asks {@code holder} to hold our own prekey bundle under our mailbox. */
    public CompletableFuture<MailboxReply> putPrekeys(PeerId holder, PrekeyBundle bundle) {
        return one(holder, new MailboxRequest.PutPrekeys(nextId(), bundle.encode())).thenApply(MailboxClient::plain);
    }

    /**
     * The prekey bundle {@code holder} keeps for {@code owner}, verified and checked to be
     * {@code owner}'s; empty if none is held. Fails with a {@link MailboxRefusedException} for
     * another refusal and a {@link MailboxException} for a bundle that is not {@code owner}'s.
     */
    public CompletableFuture<Optional<PrekeyBundle>> getPrekeys(PeerId holder, PeerId owner) {
        return one(holder, new MailboxRequest.GetPrekeys(nextId(), mailboxOf(owner))).thenApply(answer -> {
            if (answer.status() == MailboxStatus.NOT_FOUND) return Optional.empty();
            if (!(answer instanceof MailboxResponse.Bundle bundle)) throw unexpected(answer);
            PrekeyBundle decoded;
            try {
                decoded = PrekeyBundle.decode(bundle.bundle());
            } catch (X3dhException e) {
                throw new MailboxException("the holder returned a bundle that does not verify: " + e.getMessage());
            }
            if (!decoded.identity().peerId().equals(owner)) {
                throw new MailboxException("the holder returned " + decoded.identity().peerId() + "'s bundle for " + owner);
            }
            return Optional.of(decoded);
        });
    }

    // ---------------------------------------------------------------- plumbing

    private long nextId() {
        return nextId.getAndIncrement();
    }

    /**
     * Sends {@code request} to {@code holder}; completes with its answer. While
     * {@link #UNBATCHED_IN_FLIGHT} sends to the holder are on their way, a request that may go in
     * a BATCH waits, and those waiting go together when one comes back: one at a time when
     * traffic is light, in batches when it is heavy, with no timer either way.
     */
    private CompletableFuture<MailboxResponse> one(PeerId holder, MailboxRequest request) {
        byte[] encoded = MailboxCodec.encode(request);
        if (encoded.length > MailboxLimits.MAX_MESSAGE_BYTES - MailboxLimits.MESSAGE_OVERHEAD_BYTES) {
            return CompletableFuture.failedFuture(new MailboxException("request too large: " + encoded.length + " bytes exceeds "
                    + (MailboxLimits.MAX_MESSAGE_BYTES - MailboxLimits.MESSAGE_OVERHEAD_BYTES)));
        }
        if (!MailboxRequest.batchable(request)) return send(holder, request, encoded);
        Queued queued = new Queued(request, encoded, withTimeout(new CompletableFuture<>(), request.type()));
        Outgoing out = outgoing.computeIfAbsent(holder, h -> new Outgoing());
        boolean now;
        synchronized (out) {
            now = out.inFlight < UNBATCHED_IN_FLIGHT && out.waiting.isEmpty();
            if (now) out.inFlight++;
            else out.waiting.add(queued);
        }
        if (now) sendTracked(holder, out, List.of(queued));
        return queued.answer;
    }

    /** Sends {@code group} (one request, or a BATCH of them), then whatever queued up meanwhile. */
    private void sendTracked(PeerId holder, Outgoing out, List<Queued> group) {
        CompletableFuture<MailboxResponse> sent;
        if (group.size() == 1) {
            sent = send(holder, group.getFirst().request, group.getFirst().encoded);
        } else {
            MailboxRequest.Batch batch = new MailboxRequest.Batch(nextId(), group.stream().map(Queued::request).toList());
            sent = send(holder, batch, MailboxCodec.encode(batch));
        }
        sent.whenComplete((answer, failure) -> {
            settle(group, answer, failure);
            List<Queued> next = new ArrayList<>();
            synchronized (out) {
                out.inFlight--;
                long bytes = 0;
                long budget = MailboxLimits.MAX_MESSAGE_BYTES - MailboxLimits.MESSAGE_OVERHEAD_BYTES;
                while (!out.waiting.isEmpty() && next.size() < MailboxLimits.MAX_BATCH_REQUESTS
                        && (next.isEmpty() || bytes + out.waiting.getFirst().encoded.length + 16 <= budget)) {
                    Queued taken = out.waiting.removeFirst();
                    if (taken.answer.isDone()) continue; // timed out while it waited
                    next.add(taken);
                    bytes += taken.encoded.length + 16;
                }
                if (!next.isEmpty()) out.inFlight++;
                else if (out.inFlight == 0 && out.waiting.isEmpty()) outgoing.remove(holder, out);
            }
            if (!next.isEmpty()) sendTracked(holder, out, next);
        });
    }

    /** Completes each request of {@code group} with its answer (from a BATCH's answers, for several). */
    private static void settle(List<Queued> group, MailboxResponse answer, Throwable failure) {
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            group.forEach(q -> q.answer.completeExceptionally(cause));
        } else if (group.size() == 1) {
            group.getFirst().answer.complete(answer);
        } else if (answer instanceof MailboxResponse.BatchAnswers answers && answers.responses().size() == group.size()) {
            for (int i = 0; i < group.size(); i++) {
                Queued q = group.get(i);
                MailboxResponse inner = answers.responses().get(i);
                if (inner.id() == q.request.id()) q.answer.complete(inner);
                else q.answer.completeExceptionally(new MailboxException("answer with id " + inner.id() + " to request " + q.request.id()));
            }
        } else if (answer instanceof MailboxResponse.Plain plain && !plain.status().isOk()) {
            // The holder refused the whole batch (busy, shutting down): so each request in it.
            group.forEach(q -> q.answer.complete(MailboxResponse.plain(q.request.id(), new MailboxReply(plain.status(), plain.detail()))));
        } else {
            MailboxException wrong = unexpected(answer);
            group.forEach(q -> q.answer.completeExceptionally(wrong));
        }
    }

    /** A request waiting to be sent with others. */
    private record Queued(MailboxRequest request, byte[] encoded, CompletableFuture<MailboxResponse> answer) {}

    /** The sends on their way to one holder and the requests waiting to go in the next batch; guarded by itself. */
    private static final class Outgoing {
        int inFlight;
        final java.util.ArrayDeque<Queued> waiting = new java.util.ArrayDeque<>();
    }

    /** Sends {@code request} on a pooled stream to {@code holder}; completes with its answer. */
    private CompletableFuture<MailboxResponse> send(PeerId holder, MailboxRequest request, byte[] encoded) {
        return requests.request(holder, encoded, config.requestTimeout()).handle((bytes, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                if (cause instanceof TimeoutException timeout) {
                    throw new CompletionException(new TimeoutException(request.type() + " timed out: " + timeout.getMessage()));
                }
                throw new MailboxException(request.type() + " to " + holder + " failed: " + cause.getMessage(), cause);
            }
            MailboxResponse answer;
            try {
                answer = MailboxCodec.decodeResponse(bytes);
            } catch (MailboxCodecException e) {
                throw new MailboxException("malformed answer: " + e.getMessage());
            }
            if (answer.id() != request.id()) {
                throw new MailboxException("answer with id " + answer.id() + " to request " + request.id());
            }
            return answer;
        });
    }

    /** Sends {@code requests} on one new stream to {@code holder}; completes with their answers. Tests use it directly. */
    CompletableFuture<List<MailboxResponse>> exchange(PeerId holder, List<MailboxRequest> requests) {
        CompletableFuture<List<MailboxResponse>> result = withTimeout(new CompletableFuture<>(), requests.getFirst().type());
        host.newStream(holder, MailboxProtocol.ID).whenComplete((stream, failure) -> {
            if (failure != null) result.completeExceptionally(new MailboxException("no stream to " + holder, failure));
            else ClientExchange.start(stream, requests, result);
        });
        return result;
    }

    private <T> CompletableFuture<T> withTimeout(CompletableFuture<T> future, RequestType type) {
        try {
            ScheduledFuture<?> timeout = scheduler.schedule(
                    () -> future.completeExceptionally(new TimeoutException(type + " timed out after " + config.requestTimeout())),
                    config.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
            future.whenComplete((v, e) -> timeout.cancel(false));
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new MailboxException("the scheduler is shut down"));
        }
        return future;
    }

    private static MailboxKey mailboxOf(PeerId owner) {
        return MailboxKey.of(Mailbox.keyFor(owner));
    }

    private static MailboxReply plain(MailboxResponse answer) {
        if (!(answer instanceof MailboxResponse.Plain)) throw unexpected(answer);
        return new MailboxReply(answer.status(), answer.detail());
    }

    private static FetchedPage page(MailboxResponse answer, MailboxKey mailbox) {
        if (answer instanceof MailboxResponse.Plain plain && !plain.status().isOk()) {
            return new FetchedPage(new MailboxReply(plain.status(), plain.detail()), List.of(), Optional.empty(), 0);
        }
        if (!(answer instanceof MailboxResponse.Page page)) throw unexpected(answer);
        List<FetchedShard> shards = new ArrayList<>(page.shards().size());
        int rejected = 0;
        for (EnvelopeShard shard : page.shards()) {
            Optional<FetchedShard> checked = check(shard, mailbox);
            if (checked.isPresent()) shards.add(checked.get());
            else rejected++;
        }
        return new FetchedPage(new MailboxReply(page.status(), page.detail()), shards, page.next(), rejected);
    }

    /** The shard, if its header decodes, names {@code mailbox} and lists the shard's hash at its index. */
    private static Optional<FetchedShard> check(EnvelopeShard shard, MailboxKey mailbox) {
        EnvelopeHeader header;
        try {
            header = EnvelopeHeader.decode(shard.header());
        } catch (EnvelopeException e) {
            return Optional.empty();
        }
        byte[] data = shard.data();
        if (!Arrays.equals(header.mailbox(), mailbox.bytes()) || !header.shardMatches(shard.index(), data)) {
            return Optional.empty();
        }
        return Optional.of(new FetchedShard(header, shard.index(), data));
    }

    private static MailboxException unexpected(MailboxResponse answer) {
        return new MailboxException("unexpected answer " + answer.getClass().getSimpleName() + " with status "
                + answer.status() + (answer.detail().isEmpty() ? "" : ": " + answer.detail()));
    }
}
