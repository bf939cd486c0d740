package dev.ferry.overlay.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.PeerId;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BanListTest {
    private static final Duration WINDOW = Duration.ofMinutes(10);

    private final ManualClock clock = new ManualClock();

    @Test
    void shouldBanAPeerOnItsLastAllowedStrikeForTheWindow() {
        BanList bans = new BanList(3, WINDOW, clock);
        PeerId peer = peer(1);

        assertThat(bans.strike(peer)).isFalse();
        assertThat(bans.strike(peer)).isFalse();
        assertThat(bans.bannedUntil(peer)).isEmpty();
        Instant now = clock.instant();
        assertThat(bans.strike(peer)).isTrue();

        assertThat(bans.bannedUntil(peer)).contains(now.plus(WINDOW));
    }

    @Test
    void shouldBanOnTheFirstStrikeWhenOneIsAllowedNone() {
        BanList bans = new BanList(1, WINDOW, clock);

        assertThat(bans.strike(peer(1))).isTrue();
    }

    @Test
    void shouldLiftABanWhenTheWindowHasPassed() {
        BanList bans = new BanList(1, WINDOW, clock);
        PeerId peer = peer(1);
        bans.strike(peer);

        clock.advance(WINDOW.minusMillis(1));
        assertThat(bans.bannedUntil(peer)).isPresent();
        clock.advance(Duration.ofMillis(1));
        assertThat(bans.bannedUntil(peer)).isEmpty();
    }

    @Test
    void shouldForgetStrikesOlderThanTheWindow() {
        BanList bans = new BanList(2, WINDOW, clock);
        PeerId peer = peer(1);
        bans.strike(peer);

        clock.advance(WINDOW.plusSeconds(1));

        assertThat(bans.strike(peer)).isFalse();
        clock.advance(Duration.ofSeconds(1));
        assertThat(bans.strike(peer)).isTrue();
    }

    @Test
    void shouldStartCountingAfreshAfterABanEnds() {
        BanList bans = new BanList(2, WINDOW, clock);
        PeerId peer = peer(1);
        bans.strike(peer);
        bans.strike(peer);

        clock.advance(WINDOW);

        assertThat(bans.bannedUntil(peer)).isEmpty();
        assertThat(bans.strike(peer)).isFalse();
    }

    @Test
    void shouldCountEachPeerApart() {
        BanList bans = new BanList(2, WINDOW, clock);

        bans.strike(peer(1));

        assertThat(bans.strike(peer(2))).isFalse();
        assertThat(bans.bannedUntil(peer(2))).isEmpty();
        assertThat(bans.strike(peer(1))).isTrue();
        assertThat(bans.bannedUntil(peer(2))).isEmpty();
    }

    @Test
    void shouldForgetThePeerStruckLongestAgoPastTheTrackingLimit() {
        BanList bans = new BanList(2, WINDOW, clock, 3);
        for (int i = 1; i <= 3; i++) bans.strike(peer(i));
        bans.strike(peer(1)); // now a ban: peer 1 leaves the strike table

        for (int i = 4; i <= 6; i++) bans.strike(peer(i)); // pushes out 2 and 3

        assertThat(bans.strike(peer(2))).as("peer 2's first strike was forgotten").isFalse();
        assertThat(bans.bannedUntil(peer(1))).isPresent();
    }

    @Test
    void shouldNeverForgetThePeerJustStruck() {
        BanList bans = new BanList(2, WINDOW, clock, 1);
        bans.strike(peer(1));
        bans.strike(peer(2));

        assertThat(bans.strike(peer(2))).isTrue();
    }

    @Test
    void shouldHoldAtMostTheTrackingLimitOfBansDroppingTheOldest() {
        BanList bans = new BanList(1, WINDOW, clock, 3);

        for (int i = 1; i <= 5; i++) {
            bans.strike(peer(i));
            clock.advance(Duration.ofSeconds(1));
        }

        assertThat(bans.bannedUntil(peer(1))).isEmpty();
        assertThat(bans.bannedUntil(peer(2))).isEmpty();
        for (int i = 3; i <= 5; i++) assertThat(bans.bannedUntil(peer(i))).isPresent();
    }

    @Test
    void shouldStayWithinItsBoundsUnderAFloodOfFreshIdentities() {
        BanList bans = new BanList(1, WINDOW, clock);

        for (int i = 0; i < 3 * BanList.MAX_TRACKED; i++) bans.strike(peer(i));

        assertThat(bans.bannedUntil(peer(3 * BanList.MAX_TRACKED - 1))).isPresent();
        assertThat(bans.bannedUntil(peer(2 * BanList.MAX_TRACKED - 1))).isEmpty();
    }

    @Test
    void shouldRefuseNonsenseLimits() {
        assertThatThrownBy(() -> new BanList(0, WINDOW, clock)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new BanList(1, WINDOW, clock, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** A distinct PeerId for each {@code n}, as a sha2-256 multihash, without making keys. */
    static PeerId peer(int n) {
        byte[] bytes = new byte[34];
        bytes[0] = 0x12;
        bytes[1] = 32;
        ByteBuffer.wrap(bytes, 2, 4).putInt(n);
        return PeerId.fromBytes(bytes);
    }
}
