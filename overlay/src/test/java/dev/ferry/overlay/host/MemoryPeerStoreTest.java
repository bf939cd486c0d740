package dev.ferry.overlay.host;

import static dev.ferry.overlay.host.TestNetwork.RANDOM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.overlay.PeerInfo;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MemoryPeerStoreTest {
    private final PeerId alice = IdentityKeyPair.generate(RANDOM).peerId();

    @Test
    void shouldForgetTheLeastRecentlyTouchedPeerPastItsCapacity() {
        MemoryPeerStore store = new MemoryPeerStore(3);
        PeerId p1 = BanListTest.peer(1);
        PeerId p2 = BanListTest.peer(2);
        PeerId p3 = BanListTest.peer(3);
        PeerId p4 = BanListTest.peer(4);
        store.addAddresses(p1, List.of(address(1)));
        store.addAddresses(p2, List.of(address(2)));
        store.addAddresses(p3, List.of(address(3)));
        store.addresses(p1); // reading a peer touches it: p2 is now the least recently touched

        store.addAddresses(p4, List.of(address(4)));

        assertThat(store.peers()).containsExactlyInAnyOrder(p1, p3, p4);
        assertThat(store.addresses(p2)).isEmpty();
    }

    @Test
    void shouldKeepTheNewestAddressesOfAPeerNewestFirst() {
        MemoryPeerStore store = new MemoryPeerStore(10);
        List<Multiaddr> many = new ArrayList<>();
        for (int i = 0; i < MemoryPeerStore.MAX_ADDRESSES_PER_PEER + 4; i++) many.add(address(i));

        store.addAddresses(alice, many);

        List<Multiaddr> kept = store.addresses(alice);
        assertThat(kept).hasSize(MemoryPeerStore.MAX_ADDRESSES_PER_PEER);
        assertThat(kept.getFirst()).isEqualTo(many.getLast());
        assertThat(kept).doesNotContain(many.get(0), many.get(3)).contains(many.get(4));
    }

    @Test
    void shouldMoveAnAddressAddedAgainToTheFrontWithoutDuplicatingIt() {
        MemoryPeerStore store = new MemoryPeerStore(10);
        store.addAddresses(alice, List.of(address(1), address(2)));

        store.addAddresses(alice, List.of(address(1)));

        assertThat(store.addresses(alice)).containsExactly(address(1), address(2));
    }

    @Test
    void shouldStoreAddressesWithoutTheirPeerId() {
        MemoryPeerStore store = new MemoryPeerStore(10);

        store.addAddresses(alice, List.of(address(1).withPeerId(alice)));

        assertThat(store.addresses(alice)).containsExactly(address(1));
    }

    @Test
    void shouldRefuseAPublicKeyThatIsNotThePeers() {
        MemoryPeerStore store = new MemoryPeerStore(10);
        IdentityKeyPair other = IdentityKeyPair.generate(RANDOM);

        assertThatThrownBy(() -> store.putPublicKey(alice, other.publicKey()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.peers()).isEmpty();
    }

    @Test
    void shouldKnowTheKeyOfAnEd25519PeerFromItsPeerIdAlone() {
        MemoryPeerStore store = new MemoryPeerStore(10);
        IdentityKeyPair bob = IdentityKeyPair.generate(RANDOM);

        assertThat(store.publicKey(bob.peerId())).contains(bob.publicKey());
    }

    @Test
    void shouldRecordIdentifyAndAddTheAnnouncedAddressesWithinTheBound() {
        MemoryPeerStore store = new MemoryPeerStore(10);
        List<Multiaddr> announced = new ArrayList<>();
        for (int i = 0; i < 100; i++) announced.add(address(i));
        PeerInfo info = new PeerInfo("ferry/test", "ferry/1.0.0", List.of("/ipfs/ping/1.0.0"), announced, Optional.empty());

        store.putIdentify(alice, info);

        assertThat(store.info(alice)).contains(info);
        assertThat(store.addresses(alice)).hasSize(MemoryPeerStore.MAX_ADDRESSES_PER_PEER).startsWith(address(99));
    }

    @Test
    void shouldRefuseACapacityBelowOne() {
        assertThatThrownBy(() -> new MemoryPeerStore(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static Multiaddr address(int n) {
        return Multiaddr.parse("/ip4/10.0." + (n / 250) + "." + (n % 250 + 1) + "/tcp/4001");
    }
}
