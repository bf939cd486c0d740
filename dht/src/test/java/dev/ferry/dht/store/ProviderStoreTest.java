package dev.ferry.dht.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.PeerId;
import dev.ferry.dht.message.DhtFixtures;
import dev.ferry.dht.message.DhtPeer;
import dev.ferry.dht.message.DhtProtocol;
import dev.ferry.overlay.multiaddr.Multiaddr;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProviderStoreTest {
    private static final Duration VALIDITY = Duration.ofHours(48);
    private static final byte[] KEY = multihash(1);
    private static final byte[] OTHER_KEY = multihash(2);

    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    /** A sha2-256 multihash with every digest byte {@code n}. */
    private static byte[] multihash(int n) {
        byte[] key = new byte[34];
        key[0] = 0x12;
        key[1] = 32;
        Arrays.fill(key, 2, 34, (byte) n);
        return key;
    }

    private static DhtPeer peer(int n) {
        return DhtFixtures.peer(n);
    }

    private static List<PeerId> ids(List<DhtPeer> peers) {
        return peers.stream().map(DhtPeer::id).toList();
    }

    private static ProviderStore store(int maxKeys, int maxPerKey, int maxProviders) {
        return new ProviderStore(new ProviderStore.Config(maxKeys, maxPerKey, maxProviders, VALIDITY));
    }

    private void advance(Duration by) {
        now = now.plus(by);
    }

    @Test
    void anAddedProviderIsReturnedWithItsAddresses() {
        ProviderStore store = new ProviderStore();

        assertThat(store.add(KEY, peer(1), now)).isInstanceOf(AddProviderResult.Added.class);

        assertThat(store.get(KEY, now, 20)).containsExactly(peer(1));
        assertThat(store.get(OTHER_KEY, now, 20)).isEmpty();
        assertThat(store.keyCount()).isEqualTo(1);
        assertThat(store.providerCount()).isEqualTo(1);
    }

    @Test
    void providersComeMostRecentlyAddedFirstAndNoMoreThanAsked() {
        ProviderStore store = new ProviderStore();
        for (int i = 1; i <= 4; i++) {
            store.add(KEY, peer(i), now);
            advance(Duration.ofSeconds(1));
        }

        assertThat(ids(store.get(KEY, now, 20))).containsExactly(
                peer(4).id(), peer(3).id(), peer(2).id(), peer(1).id());
        assertThat(ids(store.get(KEY, now, 2))).containsExactly(peer(4).id(), peer(3).id());
        assertThat(store.get(KEY, now, 0)).isEmpty();
    }

    @Test
    void addingAKnownProviderAgainRefreshesItsAddressesAndExpiryAndMakesItTheMostRecent() {
        ProviderStore store = new ProviderStore();
        store.add(KEY, peer(1), now);
        store.add(KEY, peer(2), now);
        advance(Duration.ofHours(22));
        DhtPeer moved = DhtPeer.of(peer(1).id(), List.of(DhtFixtures.tcp(99)));

        assertThat(store.add(KEY, moved, now)).isInstanceOf(AddProviderResult.Refreshed.class);

        assertThat(store.get(KEY, now, 20)).containsExactly(moved, peer(2));
        Instant pastTheFirstValidity = now.minus(Duration.ofHours(22)).plus(VALIDITY);
        assertThat(store.get(KEY, pastTheFirstValidity, 20)).containsExactly(moved);
        assertThat(store.providerCount()).isEqualTo(2);
    }

    @Test
    void anExpiredProviderIsHiddenEvenBeforeItIsSwept() {
        ProviderStore store = new ProviderStore();
        store.add(KEY, peer(1), now);

        assertThat(store.get(KEY, now.plus(VALIDITY).minusNanos(1), 20)).hasSize(1);
        assertThat(store.get(KEY, now.plus(VALIDITY), 20)).isEmpty();
        assertThat(store.providerCount()).isEqualTo(1);
    }

    @Test
    void sweepDeletesExpiredProvidersInBoundedBatchesAndDropsKeysLeftEmpty() {
        ProviderStore store = new ProviderStore();
        for (int i = 1; i <= 3; i++) store.add(KEY, peer(i), now);
        store.add(OTHER_KEY, peer(4), now);
        advance(Duration.ofHours(1));
        store.add(OTHER_KEY, peer(5), now);
        Instant firstFourExpired = now.minus(Duration.ofHours(1)).plus(VALIDITY);

        assertThat(store.sweep(firstFourExpired, 3)).isEqualTo(3);
        assertThat(store.sweep(firstFourExpired, 3)).isEqualTo(1);
        assertThat(store.sweep(firstFourExpired, 3)).isZero();

        assertThat(store.keyCount()).isEqualTo(1);
        assertThat(store.providerCount()).isEqualTo(1);
        assertThat(store.get(OTHER_KEY, firstFourExpired, 20)).containsExactly(peer(5));
    }

    @Test
    void anExpiredProviderAnnouncingAgainIsAddedAfresh() {
        ProviderStore store = new ProviderStore();
        store.add(KEY, peer(1), now);
        advance(VALIDITY);

        assertThat(store.add(KEY, peer(1), now)).isInstanceOf(AddProviderResult.Added.class);
        assertThat(store.get(KEY, now, 20)).containsExactly(peer(1));
        assertThat(store.providerCount()).isEqualTo(1);
    }

    @Test
    void aFullKeyRefreshesTheProvidersItHoldsButRefusesNewOnes() {
        ProviderStore store = store(10, 2, 100);
        store.add(KEY, peer(1), now);
        store.add(KEY, peer(2), now);

        AddProviderResult refused = store.add(KEY, peer(3), now);
        AddProviderResult refreshed = store.add(KEY, peer(1), now.plusSeconds(1));

        assertThat(refused).isInstanceOfSatisfying(AddProviderResult.Refused.class, r ->
                assertThat(r.reason()).isEqualTo(AddProviderResult.Reason.TOO_MANY_PROVIDERS_FOR_KEY));
        assertThat(refreshed).isInstanceOf(AddProviderResult.Refreshed.class);
        assertThat(ids(store.get(KEY, now.plusSeconds(1), 20))).containsExactly(peer(1).id(), peer(2).id());
    }

    @Test
    void aFullStoreRefusesANewKeyButStillTakesProvidersOfKeysItHolds() {
        ProviderStore store = store(1, 10, 100);
        store.add(KEY, peer(1), now);

        assertThat(store.add(OTHER_KEY, peer(2), now)).isInstanceOfSatisfying(AddProviderResult.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(AddProviderResult.Reason.TOO_MANY_KEYS));
        assertThat(store.add(KEY, peer(2), now)).isInstanceOf(AddProviderResult.Added.class);
        assertThat(store.get(OTHER_KEY, now, 20)).isEmpty();
        assertThat(store.keyCount()).isEqualTo(1);
    }

    @Test
    void theTotalProviderLimitRefusesNewProvidersAndEvictsNone() {
        ProviderStore store = store(10, 10, 3);
        store.add(KEY, peer(1), now);
        store.add(KEY, peer(2), now);
        store.add(OTHER_KEY, peer(3), now);

        assertThat(store.add(OTHER_KEY, peer(4), now)).isInstanceOfSatisfying(AddProviderResult.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(AddProviderResult.Reason.TOO_MANY_PROVIDERS));
        assertThat(store.add(OTHER_KEY, peer(3), now)).isInstanceOf(AddProviderResult.Refreshed.class);
        assertThat(store.providerCount()).isEqualTo(3);
        assertThat(store.get(KEY, now, 20)).hasSize(2);
    }

    @Test
    void expiredProvidersMakeRoomBeforeTheNextSweep() {
        ProviderStore store = store(1, 1, 1);
        store.add(KEY, peer(1), now);
        advance(VALIDITY);

        assertThat(store.add(OTHER_KEY, peer(2), now)).isInstanceOf(AddProviderResult.Added.class);
        assertThat(store.get(OTHER_KEY, now, 20)).containsExactly(peer(2));
        assertThat(store.keyCount()).isEqualTo(1);
    }

    @Test
    void keysLongerThanTheProtocolAllowsOrEmptyAreRefused() {
        ProviderStore store = new ProviderStore();

        assertThat(store.add(new byte[DhtProtocol.MAX_PROVIDER_KEY_LENGTH + 1], peer(1), now))
                .isInstanceOfSatisfying(AddProviderResult.Refused.class,
                        r -> assertThat(r.reason()).isEqualTo(AddProviderResult.Reason.KEY_TOO_LONG));
        assertThat(store.add(new byte[0], peer(1), now)).isInstanceOfSatisfying(AddProviderResult.Refused.class,
                r -> assertThat(r.reason()).isEqualTo(AddProviderResult.Reason.EMPTY_KEY));
        assertThat(store.add(new byte[DhtProtocol.MAX_PROVIDER_KEY_LENGTH], peer(1), now))
                .isInstanceOf(AddProviderResult.Added.class);
        assertThat(store.keyCount()).isEqualTo(1);
    }

    @Test
    void addressesPastThePerProviderByteBudgetAreDropped() {
        ProviderStore store = new ProviderStore();
        List<Multiaddr> many = new ArrayList<>();
        for (int i = 0; i < DhtProtocol.MAX_ADDRESSES_PER_PEER; i++) {
            many.add(Multiaddr.parse("/dns4/" + "h".repeat(60) + i + ".example/tcp/4001"));
        }
        store.add(KEY, DhtPeer.of(peer(1).id(), many), now);

        List<Multiaddr> kept = store.get(KEY, now, 1).get(0).addresses();

        int keptBytes = kept.stream().mapToInt(a -> a.toBytes().length).sum();
        assertThat(keptBytes).isLessThanOrEqualTo(ProviderStore.MAX_ADDRESS_BYTES_PER_PROVIDER);
        assertThat(kept).isNotEmpty().hasSizeLessThan(many.size()).isEqualTo(many.subList(0, kept.size()));
    }

    @Test
    void theValidityIsConfigurableAndDefaultsToFortyEightHours() {
        assertThat(ProviderStore.Config.defaults().validity()).isEqualTo(Duration.ofHours(48));
        ProviderStore store = new ProviderStore(new ProviderStore.Config(10, 10, 10, Duration.ofMinutes(5)));
        store.add(KEY, peer(1), now);
        assertThat(store.get(KEY, now.plus(Duration.ofMinutes(5)), 20)).isEmpty();
    }

    @Test
    void nonsenseLimitsAndArgumentsAreRejected() {
        assertThatThrownBy(() -> new ProviderStore.Config(0, 1, 1, VALIDITY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProviderStore.Config(1, 0, 1, VALIDITY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProviderStore.Config(1, 1, 0, VALIDITY)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProviderStore.Config(1, 1, 1, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProviderStore().sweep(now, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProviderStore().get(KEY, now, -1)).isInstanceOf(IllegalArgumentException.class);
    }
}
