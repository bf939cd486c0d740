package dev.ferry.overlay.host;

import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.PeerInfo;
import dev.ferry.overlay.PeerStore;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The in-memory peer store: least recently touched peers are forgotten past {@code maxPeers}, and
 * each peer keeps at most {@link #MAX_ADDRESSES_PER_PEER} addresses. Thread-safe.
 */
public final class MemoryPeerStore implements PeerStore {
    /** A peer may announce many addresses; we keep the most recent few. */
    public static final int MAX_ADDRESSES_PER_PEER = 16;

    private final int maxPeers;
    private final Map<PeerId, Record> peers = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PeerId, Record> eldest) {
            return size() > maxPeers;
        }
    };

    public MemoryPeerStore(int maxPeers) {
        if (maxPeers < 1) throw new IllegalArgumentException("maxPeers must be at least 1");
        this.maxPeers = maxPeers;
    }

    private static final class Record {
        final LinkedHashSet<Multiaddr> addresses = new LinkedHashSet<>();
        IdentityPublicKey key;
        PeerInfo info;
    }

    @Override
    public synchronized void addAddresses(PeerId peer, List<Multiaddr> addresses) {
        Record e = peers.computeIfAbsent(peer, p -> new Record());
        for (Multiaddr a : addresses) {
            Multiaddr plain = a.withoutPeerId();
            e.addresses.remove(plain);
            e.addresses.add(plain);
        }
        while (e.addresses.size() > MAX_ADDRESSES_PER_PEER) e.addresses.remove(e.addresses.iterator().next());
    }

    @Override
    public synchronized List<Multiaddr> addresses(PeerId peer) {
        Record e = peers.get(peer);
        if (e == null) return List.of();
        List<Multiaddr> newestFirst = new ArrayList<>(e.addresses);
        java.util.Collections.reverse(newestFirst);
        return newestFirst;
    }

    @Override
    public synchronized void putPublicKey(PeerId peer, IdentityPublicKey key) {
        if (!peer.matches(key)) throw new IllegalArgumentException("key does not belong to " + peer);
        peers.computeIfAbsent(peer, p -> new Record()).key = key;
    }

    @Override
    public synchronized Optional<IdentityPublicKey> publicKey(PeerId peer) {
        Record e = peers.get(peer);
        if (e != null && e.key != null) return Optional.of(e.key);
        return peer.extractPublicKey();
    }

    @Override
    public synchronized void putIdentify(PeerId peer, PeerInfo info) {
        Record e = peers.computeIfAbsent(peer, p -> new Record());
        e.info = info;
        if (e.info != null) addAddresses(peer, info.listenAddresses());
    }

    @Override
    public synchronized Optional<PeerInfo> info(PeerId peer) {
        Record e = peers.get(peer);
        return e == null ? Optional.empty() : Optional.ofNullable(e.info);
    }

    @Override
    public synchronized Set<PeerId> peers() {
        return Set.copyOf(peers.keySet());
    }
}
