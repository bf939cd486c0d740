package dev.ferry.messenger.group;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.PeerId;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.monitoring.Metrics;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Group control messages (epoch updates, sender keys, leave, removed, ended) arrive over the
 * pairwise session of any peer: whatever the bytes, {@link Groups#groupOfControl} and
 * {@link Groups#handle} answer with a {@link GroupResult}, a change or a refusal, never an
 * exception; a state that results encodes to bytes that decode to it again.
 *
 * <p>The receiver is Bob, a member of Olive's group (or a peer holding no group). The first
 * input byte picks who sent the rest (Olive the owner, Carol a member, or a stranger) and whether
 * Bob's state is given; the fixture is built from fixed seeds, so the seed corpus stays valid.
 */
class GroupControlFuzzTest {
    static final Instant NOW = Instant.parse("2026-12-06T10:00:00Z");
    static final MessagingIdentity OLIVE = identity(1);
    static final MessagingIdentity BOB = identity(2);
    static final MessagingIdentity CAROL = identity(3);
    static final MessagingIdentity STRANGER = identity(4);
    static final List<PeerId> SENDERS = List.of(peer(OLIVE), peer(CAROL), peer(STRANGER));

    /** Olive's state after creating the group and inviting Bob; the update that invited him; and Bob's state once he took it. */
    static final GroupState OLIVE_STATE;
    static final byte[] INVITE;
    static final GroupState BOB_STATE;

    static {
        Groups olive = groups(OLIVE, 10);
        GroupChange invited = olive.invite(olive.create("fuzz"), BOB.publicIdentity()).orElseThrow();
        OLIVE_STATE = invited.state();
        INVITE = invited.outgoing().stream().filter(o -> o.recipientPeerId().equals(peer(BOB))).findFirst().orElseThrow().control();
        BOB_STATE = groups(BOB, 11).handle(Optional.empty(), INVITE, peer(OLIVE)).orElseThrow().state();
    }

    @FuzzTest
    void control(byte[] input) {
        if (input.length == 0) return;
        int choice = Byte.toUnsignedInt(input[0]);
        PeerId sender = SENDERS.get(choice % SENDERS.size());
        Optional<GroupState> current = (choice / SENDERS.size()) % 2 == 0 ? Optional.empty() : Optional.of(BOB_STATE);
        byte[] control = Arrays.copyOfRange(input, 1, input.length);

        Groups.groupOfControl(control);
        GroupResult<GroupChange> result = groups(BOB, 12).handle(current, control, sender);
        if (result instanceof GroupResult.Ok<GroupChange> ok) {
            GroupState state = ok.value().state();
            if (!GroupState.decode(state.encode()).orElseThrow().equals(state)) {
                throw new AssertionError("the state a control message left does not round-trip");
            }
        }
    }

    /** Group logic for {@code identity} with a random of fixed seed and a fixed clock. */
    static Groups groups(MessagingIdentity identity, long seed) {
        return new Groups(identity, seeded(seed), InstantSource.fixed(NOW), new GroupMetrics(Metrics.create()));
    }

    static PeerId peer(MessagingIdentity identity) {
        return identity.publicIdentity().peerId();
    }

    private static MessagingIdentity identity(int n) {
        byte[] seed = new byte[IdentityKeyPair.SEED_LENGTH];
        Arrays.fill(seed, (byte) n);
        return MessagingIdentity.create(IdentityKeyPair.fromSeed(seed), seeded(n));
    }

    /** A SecureRandom that gives the same bytes for the same seed (SHA1PRNG seeded before first use). */
    private static SecureRandom seeded(long seed) {
        try {
            SecureRandom random = SecureRandom.getInstance("SHA1PRNG");
            random.setSeed(seed);
            return random;
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
