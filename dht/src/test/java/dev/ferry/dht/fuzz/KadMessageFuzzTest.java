package dev.ferry.dht.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.dht.message.DecodeResult;
import dev.ferry.dht.message.DecodeResult.Decoded;
import dev.ferry.dht.message.DhtMessage;
import dev.ferry.dht.message.DhtMessage.AddProvider;
import dev.ferry.dht.message.DhtMessage.FindNode;
import dev.ferry.dht.message.DhtMessage.GetProviders;
import dev.ferry.dht.message.DhtMessage.GetValue;
import dev.ferry.dht.message.DhtMessage.Ping;
import dev.ferry.dht.message.DhtMessage.PutValue;
import dev.ferry.dht.message.DhtMessages;
import dev.ferry.dht.message.DhtPeer;
import dev.ferry.dht.message.DhtProtocol;
import dev.ferry.dht.message.DhtRecord;
import dev.ferry.dht.message.Dropped;
import dev.ferry.dht.record.Validators;
import dev.ferry.dht.store.ProviderStore;
import dev.ferry.dht.store.RecordStore;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * kad-dht messages arrive from any peer (requests at a server, answers to our lookups): any bytes
 * give a {@link DecodeResult}, never an exception; what is accepted holds no more peers, addresses
 * or key bytes than {@link DhtProtocol} allows, and encodes to bytes that decode to the same
 * message with nothing dropped. A PUT_VALUE or ADD_PROVIDER request is then given to the
 * stores a server keeps it in ({@link RecordStore}, which validates it, and {@link ProviderStore}),
 * which must take or refuse it without an exception.
 */
class KadMessageFuzzTest {
    /** The requests an answer can be for; the first input byte picks one. */
    static final List<DhtMessage> REQUESTS = List.of(
            FindNode.request(bytes("peer-key")),
            GetValue.request(bytes("/pk/x")),
            PutValue.request(DhtRecord.of(bytes("/pk/x"), new byte[] {1})),
            AddProvider.request(bytes("cid"), List.of()),
            GetProviders.request(bytes("cid")),
            new Ping());

    private static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    private static final DhtMessages CODEC = DhtMessages.withDefaultLimit();

    @FuzzTest
    void requests(byte[] input) {
        DecodeResult result = CODEC.decodeRequest(input);
        check(result, null);
        // What a server does with what it stores: validate and keep a record, keep providers.
        if (result instanceof Decoded(PutValue put, Dropped dropped)) {
            new RecordStore(Validators.standard()).put(put.key(), put.record().value(), NOW);
        }
        if (result instanceof Decoded(AddProvider add, Dropped dropped)) {
            ProviderStore providers = new ProviderStore();
            for (DhtPeer provider : add.providers()) providers.add(add.key(), provider, NOW);
            providers.get(add.key(), NOW, DhtProtocol.K);
        }
    }

    /** The first byte picks the request answered, the rest is the answer. */
    @FuzzTest
    void responses(byte[] input) {
        if (input.length == 0) return;
        DhtMessage request = REQUESTS.get(Byte.toUnsignedInt(input[0]) % REQUESTS.size());
        check(CODEC.decodeResponse(Arrays.copyOfRange(input, 1, input.length), request), request);
    }

    private static void check(DecodeResult result, DhtMessage request) {
        if (result == null) throw new AssertionError("no result");
        if (!(result instanceof Decoded decoded)) return;
        DhtMessage message = decoded.message();
        switch (message) {
            case FindNode m -> within(m.key(), m.closerPeers(), DhtProtocol.MAX_CLOSER_PEERS);
            case GetValue m -> within(m.key(), m.closerPeers(), DhtProtocol.MAX_CLOSER_PEERS);
            case PutValue m -> within(m.key(), List.of(), 0);
            case AddProvider m -> within(m.key(), m.providers(), DhtProtocol.MAX_PROVIDER_PEERS);
            case GetProviders m -> {
                within(m.key(), m.providerPeers(), DhtProtocol.MAX_PROVIDER_PEERS);
                within(m.key(), m.closerPeers(), DhtProtocol.MAX_CLOSER_PEERS);
            }
            case Ping m -> { }
        }
        byte[] again = CODEC.encode(message);
        DecodeResult second = request == null ? CODEC.decodeRequest(again) : CODEC.decodeResponse(again, request);
        if (!second.equals(new Decoded(message, Dropped.NONE))) {
            throw new AssertionError("accepted message does not round-trip: " + message + " then " + second);
        }
    }

    private static void within(byte[] key, List<DhtPeer> peers, int maxPeers) {
        if (key.length > DhtProtocol.MAX_KEY_LENGTH) throw new AssertionError("key of " + key.length + " bytes accepted");
        if (peers.size() > maxPeers) throw new AssertionError(peers.size() + " peers accepted, at most " + maxPeers);
        for (DhtPeer peer : peers) {
            if (peer.addresses().size() > DhtProtocol.MAX_ADDRESSES_PER_PEER) {
                throw new AssertionError(peer.addresses().size() + " addresses accepted for one peer");
            }
        }
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
