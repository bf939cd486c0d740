package dev.ferry.crypto.x3dh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.IdentityKeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PrekeyRingTest {
    private final SecureRandom random = new SecureRandom();
    private final IdentityKeyPair nodeKey = IdentityKeyPair.generate(random);
    private final Instant start = Instant.parse("2026-12-01T10:00:00Z");

    @Test
    void rotatesOnScheduleAndKeepsReplacedPrekeysForTheGracePeriodOnly() {
        PrekeyPolicy policy = new PrekeyPolicy(Duration.ofDays(7), Duration.ofDays(10));
        PrekeyRing ring = PrekeyRing.create(nodeKey, start, random);
        int first = ring.current().id();

        assertThat(ring.rotateIfDue(nodeKey, start.plus(Duration.ofDays(6)), policy, random)).isSameAs(ring);
        Instant week1 = start.plus(Duration.ofDays(7));
        ring = ring.rotateIfDue(nodeKey, week1, policy, random);
        int second = ring.current().id();
        assertThat(second).isEqualTo(first + 1);
        assertThat(ring.current().created()).isEqualTo(week1);

        Instant week2 = week1.plus(Duration.ofDays(7));
        ring = ring.rotateIfDue(nodeKey, week2, policy, random);
        int third = ring.current().id();
        assertThat(ring.prekeys()).extracting(SignedPrekey::id).containsExactly(third, second, first);
        assertThat(ring.find(first, week2, policy)).isPresent();

        // The first prekey was replaced in week 1: gone 10 days later; the second stays longer.
        Instant dayAfterGrace = week1.plus(Duration.ofDays(10)).plusMillis(1);
        assertThat(ring.find(first, dayAfterGrace, policy)).isEmpty();
        assertThat(ring.find(second, dayAfterGrace, policy)).isPresent();
        ring = ring.rotateIfDue(nodeKey, dayAfterGrace, policy, random);
        assertThat(ring.prekeys()).extracting(SignedPrekey::id).containsExactly(third, second);
    }

    @Test
    void neverKeepsMoreThanTheCapHoweverLongTheGracePeriod() {
        PrekeyPolicy policy = new PrekeyPolicy(Duration.ofHours(1), Duration.ofDays(365));
        PrekeyRing ring = PrekeyRing.create(nodeKey, start, random);
        for (int hour = 1; hour <= 40; hour++) {
            ring = ring.rotateIfDue(nodeKey, start.plus(Duration.ofHours(hour)), policy, random);
        }
        assertThat(ring.prekeys()).hasSize(PrekeyPolicy.MAX_KEPT_PREKEYS);
    }

    @Test
    void roundTripsThroughItsEncodingAndRefusesAnotherIdentitysRing() throws Exception {
        PrekeyPolicy policy = PrekeyPolicy.DEFAULT;
        PrekeyRing ring = PrekeyRing.create(nodeKey, start, random)
                .rotateIfDue(nodeKey, start.plus(policy.rotationInterval()), policy, random);
        PrekeyRing restored = PrekeyRing.decode(ring.encode(), nodeKey);
        assertThat(restored.encode()).isEqualTo(ring.encode());
        assertThat(restored.current().keyPair()).isEqualTo(ring.current().keyPair());
        assertThat(restored.prekeys()).hasSize(2);

        IdentityKeyPair other = IdentityKeyPair.generate(random);
        assertThatThrownBy(() -> PrekeyRing.decode(ring.encode(), other))
                .isInstanceOfSatisfying(X3dhException.class, e -> assertThat(e.reason()).isEqualTo(X3dhException.Reason.BAD_SIGNATURE));
        assertThatThrownBy(() -> PrekeyRing.decode(new byte[] {1, 2, 3}, nodeKey)).isInstanceOf(X3dhException.class);
    }

    @Test
    void theMessagingIdentityRestoresOnlyForItsOwnNodeKey() throws Exception {
        MessagingIdentity identity = MessagingIdentity.create(nodeKey, random);
        MessagingIdentity restored = MessagingIdentity.restore(nodeKey, identity.secretsToBytes());
        assertThat(restored.publicIdentity()).isEqualTo(identity.publicIdentity());
        assertThat(restored.dhKeyPair()).isEqualTo(identity.dhKeyPair());
        assertThatThrownBy(() -> MessagingIdentity.restore(IdentityKeyPair.generate(random), identity.secretsToBytes()))
                .isInstanceOfSatisfying(X3dhException.class, e -> assertThat(e.reason()).isEqualTo(X3dhException.Reason.BAD_SIGNATURE));
    }

    @Test
    void refusesAPolicyThatCannotRotate() {
        assertThatThrownBy(() -> new PrekeyPolicy(Duration.ZERO, Duration.ofDays(1)))
                .hasMessageContaining("rotation interval must be positive");
        assertThatThrownBy(() -> new PrekeyPolicy(Duration.ofDays(1), Duration.ofDays(-1)))
                .hasMessageContaining("grace period must not be negative");
    }
}
