package dev.ferry.messenger;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import dev.ferry.crypto.x3dh.X3dhException;
import dev.ferry.dht.record.FerryRecord;
import dev.ferry.dht.service.DhtService;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Prekey bundles in the DHT, as {@code /ferry/} records named {@value #RECORD_NAME}: this node
 * publishes its own (signed twice: the bundle by the node key, the record by the node key too,
 * so a record cannot move to another name or PeerId), and looks others' up, trusting a bundle only
 * after it verified for the PeerId asked for and is fresh by the prekey policy.
 */
final class PrekeyDirectory {
    /** The record name of a bundle. */
    static final String RECORD_NAME = "prekeys";

    private final DhtService dht;
    private final IdentityKeyPair nodeKey;
    private final Clock clock;
    private final PrekeyPolicy policy;

    PrekeyDirectory(DhtService dht, IdentityKeyPair nodeKey, Clock clock, PrekeyPolicy policy) {
        this.dht = dht;
        this.nodeKey = nodeKey;
        this.clock = clock;
        this.policy = policy;
    }

    /**
     * Publishes {@code bundle}; its sequence is the prekey's creation time, so a rotated bundle
     * replaces the previous one everywhere.
     *
     * @return how many peers stored it
     */
    CompletableFuture<Integer> publish(PrekeyBundle bundle) {
        FerryRecord record = FerryRecord.sign(nodeKey, RECORD_NAME, bundle.encode(), bundle.prekeyCreated().toEpochMilli());
        return dht.putValue(record.key(), record.encoded());
    }

    /** {@code peer}'s bundle from the DHT, if one is found that verifies for {@code peer} and is fresh. */
    CompletableFuture<Optional<PrekeyBundle>> lookup(PeerId peer) {
        byte[] key = FerryRecord.keyOf(peer, RECORD_NAME);
        return dht.getValue(key).thenApply(found -> found.flatMap(value -> verified(peer, key, value)));
    }

    private Optional<PrekeyBundle> verified(PeerId peer, byte[] key, byte[] value) {
        if (!(FerryRecord.open(key, value) instanceof FerryRecord.Opening.Verified verified)) return Optional.empty();
        return verifiedBundle(peer, verified.record().value());
    }

    /** {@code bytes} as a bundle of {@code peer} that is fresh now, or empty. */
    Optional<PrekeyBundle> verifiedBundle(PeerId peer, byte[] bytes) {
        try {
            PrekeyBundle bundle = PrekeyBundle.decode(bytes);
            bundle.checkFor(peer, clock.instant(), policy);
            return Optional.of(bundle);
        } catch (X3dhException e) {
            return Optional.empty();
        }
    }
}
