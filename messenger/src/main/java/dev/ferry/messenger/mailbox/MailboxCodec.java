package dev.ferry.messenger.mailbox;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.EnvelopeLimits;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.messenger.proto.MailboxProto;
import dev.ferry.overlay.framing.LengthPrefixed;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.MailboxKey;
import dev.ferry.store.Shard;
import dev.ferry.store.ShardStore;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Encodes and decodes the messages of {@code /ferry/mailbox/1.0.0}. Decoding checks structure
 * only (that fields are there, of the right size and within the counts of {@link MailboxLimits});
 * it throws nothing but {@link MailboxCodecException}. What a message costs to parse is bounded by
 * {@link MailboxLimits#MAX_MESSAGE_BYTES}, which the framing enforces before a byte is parsed.
 */
final class MailboxCodec {
    /** Indices in a HAS answer: one per shard of an envelope, and a shard index is one byte. */
    private static final int MAX_HELD_INDICES = Shard.MAX_INDEX + 1;

    private MailboxCodec() {}

    // ---------------------------------------------------------------- framing

    /** {@code message} with its length prefix, for a stream. */
    static ByteBuf frame(ByteBufAllocator alloc, byte[] message) {
        if (message.length > MailboxLimits.MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException(
                    "message of " + message.length + " bytes exceeds " + MailboxLimits.MAX_MESSAGE_BYTES);
        }
        return LengthPrefixed.encode(alloc, message);
    }

    // ---------------------------------------------------------------- requests

    static byte[] encode(MailboxRequest request) {
        return requestProto(request).toByteArray();
    }

    private static MailboxProto.MailboxRequest requestProto(MailboxRequest request) {
        MailboxProto.MailboxRequest.Builder out = MailboxProto.MailboxRequest.newBuilder().setId(request.id());
        switch (request) {
            case MailboxRequest.Store store -> out.setStore(MailboxProto.MailboxStore.newBuilder().setShard(shard(store.shard())));
            case MailboxRequest.Fetch fetch -> out.setFetch(MailboxProto.MailboxFetch.newBuilder()
                    .setAuthorisation(authorisation(fetch.authorisation()))
                    .setCursor(ByteString.copyFrom(fetch.cursor()))
                    .setLimit(fetch.limit()));
            case MailboxRequest.Watch watch -> out.setWatch(MailboxProto.MailboxWatch.newBuilder()
                    .setAuthorisation(authorisation(watch.authorisation())));
            case MailboxRequest.Ack ack -> {
                MailboxProto.MailboxAck.Builder body = MailboxProto.MailboxAck.newBuilder()
                        .setEnvelopeId(ByteString.copyFrom(ack.envelope().bytes()))
                        .setSecret(ByteString.copyFrom(ack.secret()));
                ack.notified().forEach(peer -> body.addNotified(ByteString.copyFrom(peer.toBytes())));
                if (ack.shardCount() > 0) body.setShardCount(ack.shardCount());
                out.setAck(body);
            }
            case MailboxRequest.Batch batch -> {
                MailboxProto.MailboxBatch.Builder body = MailboxProto.MailboxBatch.newBuilder();
                for (MailboxRequest inner : batch.requests()) body.addRequests(requestProto(inner));
                out.setBatch(body);
            }
            case MailboxRequest.Acked acked -> {
                MailboxProto.MailboxAcked.Builder body = MailboxProto.MailboxAcked.newBuilder();
                acked.envelopes().forEach(e -> body.addEnvelopeIds(ByteString.copyFrom(e.bytes())));
                out.setAcked(body);
            }
            case MailboxRequest.Has has -> {
                MailboxProto.MailboxHas.Builder body = MailboxProto.MailboxHas.newBuilder()
                        .setEnvelopeId(ByteString.copyFrom(has.envelope().bytes()));
                has.wantShard().ifPresent(body::setWantShard);
                out.setHas(body);
            }
            case MailboxRequest.Handover handover -> {
                MailboxProto.MailboxHandover.Builder shards = MailboxProto.MailboxHandover.newBuilder();
                handover.shards().forEach(s -> shards.addShards(shard(s)));
                out.setHandover(shards);
            }
            case MailboxRequest.PutPrekeys put -> out.setPrekeysPut(MailboxProto.MailboxPrekeysPut.newBuilder()
                    .setBundle(ByteString.copyFrom(put.bundle())));
            case MailboxRequest.GetPrekeys get -> out.setPrekeysGet(MailboxProto.MailboxPrekeysGet.newBuilder()
                    .setMailbox(ByteString.copyFrom(get.mailbox().bytes())));
        }
        return out.build();
    }

    static MailboxRequest decodeRequest(byte[] bytes) throws MailboxCodecException {
        MailboxProto.MailboxRequest in;
        try {
            in = MailboxProto.MailboxRequest.parseFrom(checkSize(bytes));
        } catch (InvalidProtocolBufferException e) {
            throw new MailboxCodecException("not a mailbox request: " + e.getMessage());
        }
        return request(in, true);
    }

    private static MailboxRequest request(MailboxProto.MailboxRequest in, boolean outermost) throws MailboxCodecException {
        long id = in.getId();
        return switch (in.getBodyCase()) {
            case STORE -> {
                if (!in.getStore().hasShard()) throw new MailboxCodecException("STORE without a shard");
                yield new MailboxRequest.Store(id, shard(in.getStore().getShard()));
            }
            case FETCH -> {
                MailboxProto.MailboxFetch fetch = in.getFetch();
                if (!fetch.hasAuthorisation()) throw new MailboxCodecException("FETCH without an authorisation");
                byte[] cursor = bounded(fetch.getCursor(), 0, MailboxLimits.CURSOR_BYTES, "cursor");
                yield new MailboxRequest.Fetch(id, authorisation(fetch.getAuthorisation()), cursor,
                        (int) Math.min(Integer.toUnsignedLong(fetch.getLimit()), ShardStore.MAX_LIST));
            }
            case WATCH -> {
                if (!in.getWatch().hasAuthorisation()) throw new MailboxCodecException("WATCH without an authorisation");
                yield new MailboxRequest.Watch(id, authorisation(in.getWatch().getAuthorisation()));
            }
            case ACK -> new MailboxRequest.Ack(id, envelopeId(in.getAck().getEnvelopeId()),
                    exact(in.getAck().getSecret(), 32, "ACK secret"), notified(in.getAck().getNotifiedList()),
                    shardCount(in.getAck().getShardCount()));
            case HAS -> new MailboxRequest.Has(id, envelopeId(in.getHas().getEnvelopeId()),
                    in.getHas().hasWantShard() ? java.util.OptionalInt.of(index(in.getHas().getWantShard())) : java.util.OptionalInt.empty());
            case HANDOVER -> {
                List<MailboxProto.MailboxShard> shards = in.getHandover().getShardsList();
                if (shards.isEmpty() || shards.size() > MailboxLimits.MAX_HANDOVER_SHARDS) {
                    throw new MailboxCodecException("HANDOVER of " + shards.size() + " shards, allowed 1.."
                            + MailboxLimits.MAX_HANDOVER_SHARDS);
                }
                List<EnvelopeShard> out = new ArrayList<>(shards.size());
                for (MailboxProto.MailboxShard s : shards) out.add(shard(s));
                yield new MailboxRequest.Handover(id, out);
            }
            case PREKEYS_PUT -> new MailboxRequest.PutPrekeys(id,
                    bounded(in.getPrekeysPut().getBundle(), 1, PrekeyBundle.MAX_ENCODED_LENGTH, "prekey bundle"));
            case PREKEYS_GET -> new MailboxRequest.GetPrekeys(id, mailbox(in.getPrekeysGet().getMailbox()));
            case BATCH -> {
                List<MailboxProto.MailboxRequest> inner = in.getBatch().getRequestsList();
                if (!outermost) throw new MailboxCodecException("a BATCH inside a BATCH");
                if (inner.isEmpty() || inner.size() > MailboxLimits.MAX_BATCH_REQUESTS) {
                    throw new MailboxCodecException("BATCH of " + inner.size() + " requests, allowed 1.." + MailboxLimits.MAX_BATCH_REQUESTS);
                }
                List<MailboxRequest> requests = new ArrayList<>(inner.size());
                for (MailboxProto.MailboxRequest one : inner) {
                    MailboxRequest decoded = request(one, false);
                    if (!MailboxRequest.batchable(decoded)) throw new MailboxCodecException(decoded.type() + " inside a BATCH");
                    requests.add(decoded);
                }
                yield new MailboxRequest.Batch(id, requests);
            }
            case ACKED -> {
                List<ByteString> ids = in.getAcked().getEnvelopeIdsList();
                if (ids.isEmpty() || ids.size() > MailboxLimits.MAX_ACKED_QUERY) {
                    throw new MailboxCodecException("ACKED of " + ids.size() + " envelopes, allowed 1.." + MailboxLimits.MAX_ACKED_QUERY);
                }
                List<EnvelopeId> envelopes = new ArrayList<>(ids.size());
                for (ByteString envelope : ids) envelopes.add(envelopeId(envelope));
                yield new MailboxRequest.Acked(id, envelopes);
            }
            case BODY_NOT_SET -> throw new MailboxCodecException("request without a body");
        };
    }

    // ---------------------------------------------------------------- responses

    static byte[] encode(MailboxResponse response) {
        return responseProto(response).toByteArray();
    }

    private static MailboxProto.MailboxResponse responseProto(MailboxResponse response) {
        MailboxProto.MailboxResponse.Builder out = MailboxProto.MailboxResponse.newBuilder()
                .setId(response.id())
                .setStatus(response.status().code())
                .setDetail(response.detail());
        switch (response) {
            case MailboxResponse.Plain plain -> { }
            case MailboxResponse.Page page -> {
                MailboxProto.MailboxPage.Builder body = MailboxProto.MailboxPage.newBuilder();
                page.shards().forEach(s -> body.addShards(shard(s)));
                page.next().ifPresent(next -> body.setNextCursor(ByteString.copyFrom(next)));
                out.setPage(body);
            }
            case MailboxResponse.Notice notice -> out.setNotice(MailboxProto.MailboxNotice.newBuilder()
                    .setHeader(ByteString.copyFrom(notice.header())).setIndex(notice.index()));
            case MailboxResponse.Held held -> {
                MailboxProto.MailboxHeld.Builder body = MailboxProto.MailboxHeld.newBuilder()
                        .setAcknowledged(held.acknowledged()).addAllIndices(held.indices());
                held.shard().ifPresent(shard -> body.setShard(shard(shard)));
                out.setHeld(body);
            }
            case MailboxResponse.HandoverResults results -> {
                MailboxProto.MailboxHandoverResult.Builder body = MailboxProto.MailboxHandoverResult.newBuilder();
                results.results().forEach(r -> body.addResults(MailboxProto.MailboxShardResult.newBuilder()
                        .setStatus(r.status().code()).setDetail(r.detail())));
                out.setHandover(body);
            }
            case MailboxResponse.Bundle bundle -> out.setPrekeyBundle(ByteString.copyFrom(bundle.bundle()));
            case MailboxResponse.AckedAnswer answer -> {
                byte[] bits = new byte[(answer.acknowledged().size() + 7) / 8];
                for (int i = 0; i < answer.acknowledged().size(); i++) {
                    if (answer.acknowledged().get(i)) bits[i / 8] |= (byte) (1 << (i % 8));
                }
                out.setAcked(MailboxProto.MailboxAckedAnswer.newBuilder().setAcknowledged(ByteString.copyFrom(bits)));
            }
            case MailboxResponse.BatchAnswers answers -> {
                MailboxProto.MailboxBatchAnswer.Builder body = MailboxProto.MailboxBatchAnswer.newBuilder();
                for (MailboxResponse inner : answers.responses()) body.addResponses(responseProto(inner));
                out.setBatch(body);
            }
        }
        return out.build();
    }

    static MailboxResponse decodeResponse(byte[] bytes) throws MailboxCodecException {
        MailboxProto.MailboxResponse in;
        try {
            in = MailboxProto.MailboxResponse.parseFrom(checkSize(bytes));
        } catch (InvalidProtocolBufferException e) {
            throw new MailboxCodecException("not a mailbox response: " + e.getMessage());
        }
        return response(in, true);
    }

    private static MailboxResponse response(MailboxProto.MailboxResponse in, boolean outermost) throws MailboxCodecException {
        long id = in.getId();
        if (in.getStatus() == 0) throw new MailboxCodecException("response without a status");
        MailboxStatus status = MailboxStatus.ofCode(in.getStatus());
        String detail = new MailboxReply(status, in.getDetail()).detail();
        if (in.getBodyCase() != MailboxProto.MailboxResponse.BodyCase.BODY_NOT_SET && !status.isOk()) {
            throw new MailboxCodecException("a refusal (" + status + ") with a body");
        }
        return switch (in.getBodyCase()) {
            case BODY_NOT_SET -> new MailboxResponse.Plain(id, status, detail);
            case PAGE -> {
                MailboxProto.MailboxPage page = in.getPage();
                if (page.getShardsCount() > ShardStore.MAX_LIST) {
                    throw new MailboxCodecException("page of " + page.getShardsCount() + " shards");
                }
                List<EnvelopeShard> shards = new ArrayList<>(page.getShardsCount());
                for (MailboxProto.MailboxShard s : page.getShardsList()) shards.add(shard(s));
                byte[] next = bounded(page.getNextCursor(), 0, MailboxLimits.CURSOR_BYTES, "next cursor");
                yield new MailboxResponse.Page(id, status, detail, shards,
                        next.length == 0 ? Optional.empty() : Optional.of(next));
            }
            case NOTICE -> new MailboxResponse.Notice(id, status, detail,
                    bounded(in.getNotice().getHeader(), 1, EnvelopeLimits.MAX_HEADER_LENGTH, "header"),
                    index(in.getNotice().getIndex()));
            case HELD -> {
                MailboxProto.MailboxHeld held = in.getHeld();
                if (held.getIndicesCount() > MAX_HELD_INDICES) {
                    throw new MailboxCodecException(held.getIndicesCount() + " held indices");
                }
                List<Integer> indices = new ArrayList<>(held.getIndicesCount());
                for (int index : held.getIndicesList()) indices.add(index(index));
                yield new MailboxResponse.Held(id, status, detail, held.getAcknowledged(), indices,
                        held.hasShard() ? Optional.of(shard(held.getShard())) : Optional.empty());
            }
            case HANDOVER -> {
                List<MailboxProto.MailboxShardResult> results = in.getHandover().getResultsList();
                if (results.size() > MailboxLimits.MAX_HANDOVER_SHARDS) {
                    throw new MailboxCodecException(results.size() + " handover results");
                }
                List<MailboxReply> replies = new ArrayList<>(results.size());
                for (MailboxProto.MailboxShardResult r : results) {
                    if (r.getStatus() == 0) throw new MailboxCodecException("handover result without a status");
                    replies.add(MailboxReply.of(MailboxStatus.ofCode(r.getStatus()), r.getDetail()));
                }
                yield new MailboxResponse.HandoverResults(id, status, detail, replies);
            }
            case PREKEY_BUNDLE -> new MailboxResponse.Bundle(id, status, detail,
                    bounded(in.getPrekeyBundle(), 1, PrekeyBundle.MAX_ENCODED_LENGTH, "prekey bundle"));
            case BATCH -> {
                List<MailboxProto.MailboxResponse> inner = in.getBatch().getResponsesList();
                if (!outermost) throw new MailboxCodecException("a BATCH answer inside a BATCH answer");
                if (inner.size() > MailboxLimits.MAX_BATCH_REQUESTS) throw new MailboxCodecException(inner.size() + " batch answers");
                List<MailboxResponse> responses = new ArrayList<>(inner.size());
                for (MailboxProto.MailboxResponse one : inner) responses.add(response(one, false));
                yield new MailboxResponse.BatchAnswers(id, status, detail, responses);
            }
            case ACKED -> {
                // Whole bytes of bits: the asker knows how many of them answer its envelopes.
                byte[] bits = bounded(in.getAcked().getAcknowledged(), 1, MailboxLimits.MAX_ACKED_QUERY / 8, "acknowledged bits");
                List<Boolean> acknowledged = new ArrayList<>(bits.length * 8);
                for (int i = 0; i < bits.length * 8; i++) acknowledged.add((bits[i / 8] & (1 << (i % 8))) != 0);
                yield new MailboxResponse.AckedAnswer(id, status, detail, acknowledged);
            }
        };
    }

    // ---------------------------------------------------------------- parts

    private static MailboxProto.MailboxShard shard(EnvelopeShard shard) {
        return MailboxProto.MailboxShard.newBuilder()
                .setHeader(ByteString.copyFrom(shard.header()))
                .setIndex(shard.index())
                .setData(ByteString.copyFrom(shard.data()))
                .build();
    }

    private static EnvelopeShard shard(MailboxProto.MailboxShard in) throws MailboxCodecException {
        return new EnvelopeShard(bounded(in.getHeader(), 1, EnvelopeLimits.MAX_HEADER_LENGTH, "header"),
                index(in.getIndex()), bounded(in.getData(), 1, MailboxLimits.MAX_MESSAGE_BYTES, "shard"));
    }

    private static MailboxProto.MailboxAuthorisation authorisation(MailboxAuthorisation a) {
        return MailboxProto.MailboxAuthorisation.newBuilder()
                .setOwnerPublicKey(ByteString.copyFrom(a.ownerPublicKey()))
                .setMailbox(ByteString.copyFrom(a.mailbox().bytes()))
                .setTimestampMillis(a.timestampMillis())
                .setSignature(ByteString.copyFrom(a.signature()))
                .build();
    }

    private static MailboxAuthorisation authorisation(MailboxProto.MailboxAuthorisation in) throws MailboxCodecException {
        return new MailboxAuthorisation(
                bounded(in.getOwnerPublicKey(), 1, MailboxLimits.MAX_PUBLIC_KEY_BYTES, "owner public key"),
                mailbox(in.getMailbox()), in.getTimestampMillis(),
                exact(in.getSignature(), IdentityPublicKey.SIGNATURE_LENGTH, "signature"));
    }

    private static int index(int wire) throws MailboxCodecException {
        if (wire < 0 || wire > Shard.MAX_INDEX) {
            throw new MailboxCodecException("shard index " + Integer.toUnsignedString(wire) + " is over " + Shard.MAX_INDEX);
        }
        return wire;
    }

    private static int shardCount(int wire) throws MailboxCodecException {
        // No envelope has more; a larger count would only make the holder look for shards in vain.
        if (wire < 0 || wire > EnvelopeLimits.MAX_TOTAL_SHARDS) {
            throw new MailboxCodecException("shard count " + Integer.toUnsignedString(wire) + " is over " + EnvelopeLimits.MAX_TOTAL_SHARDS);
        }
        return wire;
    }

    private static EnvelopeId envelopeId(ByteString in) throws MailboxCodecException {
        return EnvelopeId.of(exact(in, EnvelopeId.LENGTH, "envelope id"));
    }

    private static MailboxKey mailbox(ByteString in) throws MailboxCodecException {
        return MailboxKey.of(exact(in, MailboxKey.LENGTH, "mailbox"));
    }

    private static List<PeerId> notified(List<ByteString> in) throws MailboxCodecException {
        if (in.size() > MailboxLimits.MAX_ACK_NOTIFIED) {
            throw new MailboxCodecException("ACK names " + in.size() + " notified holders, at most " + MailboxLimits.MAX_ACK_NOTIFIED);
        }
        List<PeerId> peers = new ArrayList<>(in.size());
        for (ByteString bytes : in) {
            try {
                peers.add(PeerId.fromBytes(bounded(bytes, 1, MailboxLimits.MAX_PUBLIC_KEY_BYTES, "notified holder")));
            } catch (IllegalArgumentException e) {
                throw new MailboxCodecException("notified holder: " + e.getMessage());
            }
        }
        return peers;
    }

    private static byte[] exact(ByteString in, int length, String what) throws MailboxCodecException {
        if (in.size() != length) {
            throw new MailboxCodecException(what + " must be " + length + " bytes, got " + in.size());
        }
        return in.toByteArray();
    }

    private static byte[] bounded(ByteString in, int min, int max, String what) throws MailboxCodecException {
        if (in.size() < min || in.size() > max) {
            throw new MailboxCodecException(what + " must be " + min + ".." + max + " bytes, got " + in.size());
        }
        return in.toByteArray();
    }

    private static byte[] checkSize(byte[] bytes) throws MailboxCodecException {
        if (bytes.length > MailboxLimits.MAX_MESSAGE_BYTES) {
            throw new MailboxCodecException("message of " + bytes.length + " bytes exceeds " + MailboxLimits.MAX_MESSAGE_BYTES);
        }
        return bytes;
    }
}
