package dev.ferry.overlay;

import dev.ferry.crypto.IdentityPublicKey;
import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the host knows of other peers: addresses to dial them at, their keys and what identify
 * told us. Bounded: it forgets the least recently seen peers past its capacity.
 */
public interface PeerStore {
    /** Adds dialable addresses (without {@code /p2p/}) for {@code peer}. */
    void addAddresses(PeerId peer, List<Multiaddr> addresses);

    List<Multiaddr> addresses(PeerId peer);

    void putPublicKey(PeerId peer, IdentityPublicKey key);

    Optional<IdentityPublicKey> publicKey(PeerId peer);

    /** Records what identify told us, and adds the listen addresses it announced. */
    void putIdentify(PeerId peer, PeerInfo info);

    Optional<PeerInfo> info(PeerId peer);

    Set<PeerId> peers();
}
