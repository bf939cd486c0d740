package dev.ferry.messenger.mailbox;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.monitoring.Metrics;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.StoreUsage;
import dev.ferry.store.memory.InMemoryFerryStore;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

/**
 * {@code /ferry/mailbox/1.0.0} messages arrive from any peer: any bytes decode to a request or
 * response, or are refused with {@link MailboxCodecException}, nothing else; what decodes
 * re-encodes to bytes that decode to the same. A request that decodes is then answered by the
 * holder's decision part ({@link MailboxHolder}, on an empty in-memory store), which must not
 * throw (the server would take that for a store failure) and whose answer is a response the
 * asker can decode.
 *
 * <p>Lives in the codec's package: the codec and the holder are package-private.
 */
class MailboxProtocolFuzzTest {
    /** The day the seed envelopes were made: the holder judges their times against it. */
    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    static final PeerId SELF = IdentityKeyPair.fromSeed(filled(32, 1)).peerId();
    static final PeerId ASKER = IdentityKeyPair.fromSeed(filled(32, 2)).peerId();
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final MailboxMetrics METRICS = new MailboxMetrics(Metrics.create(), StoreLimits.DEFAULTS.maxTotalBytes(), () -> StoreUsage.NONE);

    @FuzzTest
    void requests(byte[] input) throws MailboxCodecException {
        MailboxRequest request;
        try {
            request = MailboxCodec.decodeRequest(input);
        } catch (MailboxCodecException refused) {
            return;
        }
        byte[] encoded = MailboxCodec.encode(request);
        if (!Arrays.equals(MailboxCodec.encode(MailboxCodec.decodeRequest(encoded)), encoded)) {
            throw new AssertionError("request does not round-trip: " + request);
        }

        MailboxHolder holder = new MailboxHolder(SELF, InMemoryFerryStore.create(StoreLimits.DEFAULTS), CLOCK,
                MailboxConfig.DEFAULTS, METRICS, AckListener.NONE, (mailbox, header, index) -> { });
        List<MailboxResponse> answers = switch (request) {
            case MailboxRequest.Watch watch -> {
                holder.authoriseWatch(watch.authorisation());
                yield List.of();
            }
            case MailboxRequest.Batch batch -> holder.answerBatch(ASKER, batch.requests());
            default -> List.of(holder.answer(ASKER, request));
        };
        for (MailboxResponse answer : answers) MailboxCodec.decodeResponse(MailboxCodec.encode(answer));
    }

    @FuzzTest
    void responses(byte[] input) throws MailboxCodecException {
        MailboxResponse response;
        try {
            response = MailboxCodec.decodeResponse(input);
        } catch (MailboxCodecException refused) {
            return;
        }
        byte[] encoded = MailboxCodec.encode(response);
        if (!Arrays.equals(MailboxCodec.encode(MailboxCodec.decodeResponse(encoded)), encoded)) {
            throw new AssertionError("response does not round-trip: " + response);
        }
    }

    static byte[] filled(int length, int value) {
        byte[] out = new byte[length];
        Arrays.fill(out, (byte) value);
        return out;
    }
}
