package dev.ferry.messenger.session;

import dev.ferry.messenger.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import dev.ferry.crypto.x3dh.PrekeyRing;
import dev.ferry.store.FerryStore;
import dev.ferry.store.PeerBytes;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.memory.InMemoryFerryStore;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** One side of a conversation in these tests: a node key, a messaging identity, prekeys, a store and a session layer. */
final class SessionParty {
    static final Duration TTL = Duration.ofDays(1);

    final String name;
    final IdentityKeyPair nodeKey;
    final ManualClock clock;
    final SecureRandom random;
    private final Supplier<FerryStore> storeFactory;
    MessagingIdentity identity;
    PrekeyRing ring;
    FerryStore store;
    SessionLayer layer;
    /** Messages delivered to this party, in delivery order. */
    final List<ReceivedMessage> inbox = new ArrayList<>();

    SessionParty(String name, ManualClock clock, SecureRandom random, Supplier<FerryStore> storeFactory) {
        this.name = name;
        this.clock = clock;
        this.random = random;
        this.storeFactory = storeFactory;
        this.nodeKey = IdentityKeyPair.generate(random);
        this.identity = MessagingIdentity.create(nodeKey, random);
        this.ring = PrekeyRing.create(nodeKey, clock.instant(), random);
        this.store = storeFactory.get();
        this.layer = newLayer();
    }

    static SessionParty inMemory(String name, ManualClock clock, SecureRandom random) {
        return new SessionParty(name, clock, random, () -> InMemoryFerryStore.create(StoreLimits.DEFAULTS));
    }

    private SessionLayer newLayer() {
        return new SessionLayer(identity, () -> ring, PrekeyPolicy.DEFAULT, store, clock, random);
    }

    PeerId peerId() {
        return nodeKey.peerId();
    }

    PrekeyBundle bundle() {
        return PrekeyBundle.of(identity, ring.current());
    }

    /** Seals {@code text} for {@code to} and writes the change; the envelope may then leave. */
    SealedMessage sealAndCommit(SessionParty to, String text, long floor) {
        SealedMessage sealed = seal(to, text, floor);
        store.write(sealed.commit());
        return sealed;
    }

    SealedMessage seal(SessionParty to, String text, long floor) {
        try {
            Optional<PrekeyBundle> bundle = layer.hasSession(to.peerId()) ? Optional.empty() : Optional.of(to.bundle());
            return layer.seal(to.peerId(), bundle, ContentType.TEXT, text.getBytes(StandardCharsets.UTF_8),
                    clock.instant().plus(TTL), floor);
        } catch (SessionException e) {
            throw new AssertionError(e);
        }
    }

    /** Seals and commits {@code text} for {@code to} with floor 0: every earlier message may still be in flight. */
    Envelope send(SessionParty to, String text) {
        return Envelope.of(sealAndCommit(to, text, 0).sealed());
    }

    /** Opens {@code envelope}; when accepted, writes the change and takes the deliverable messages into the inbox. */
    OpenResult receive(Envelope envelope) {
        OpenResult result = layer.open(envelope.header(), envelope.ciphertext());
        if (result instanceof OpenResult.Accepted accepted) {
            store.write(accepted.commit());
            inbox.addAll(accepted.deliverable());
        }
        return result;
    }

    OpenResult.Accepted accept(Envelope envelope) {
        OpenResult result = receive(envelope);
        assertThat(result).as(name + " accepts").isInstanceOf(OpenResult.Accepted.class);
        return (OpenResult.Accepted) result;
    }

    OpenResult.Refused refuse(Envelope envelope) {
        byte[] before = recordBytes(envelope);
        OpenResult result = layer.open(envelope.header(), envelope.ciphertext());
        assertThat(result).as(name + " refuses").isInstanceOf(OpenResult.Refused.class);
        assertThat(recordBytes(envelope)).as("a refusal changes nothing").isEqualTo(before);
        return (OpenResult.Refused) result;
    }

    private byte[] recordBytes(Envelope ignored) {
        StringBuilder all = new StringBuilder();
        store.sessions().list(Optional.empty(), 1000).forEach(e -> all.append(e.getKey()).append(java.util.HexFormat.of().formatHex(e.getValue())));
        return all.toString().getBytes(StandardCharsets.UTF_8);
    }

    List<String> inboxTexts() {
        return inbox.stream().map(m -> new String(m.body(), StandardCharsets.UTF_8)).toList();
    }

    SessionRecord record(SessionParty peer) {
        return SessionRecord.decode(store.sessions().get(PeerBytes.of(peer.peerId().toBytes())).orElseThrow());
    }

    /** The process restarts: a new session layer over the same store. */
    void restart() {
        layer = newLayer();
    }

    /** The process restarts: the store is closed and reopened by {@code reopen} (a store on disk), with a new session layer. */
    void restart(Supplier<FerryStore> reopen) {
        store.close();
        store = reopen.get();
        layer = newLayer();
    }

    /** Everything but the node key is lost: a new store, messaging identity and prekeys. */
    void loseState() {
        store.close();
        store = storeFactory.get();
        identity = MessagingIdentity.create(nodeKey, random);
        ring = PrekeyRing.create(nodeKey, clock.instant(), random);
        inbox.clear();
        layer = newLayer();
    }

    @Override
    public String toString() {
        return name;
    }
}
