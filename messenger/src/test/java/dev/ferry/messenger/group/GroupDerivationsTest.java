package dev.ferry.messenger.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.crypto.Hkdf;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.X25519;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.messenger.group.GroupNetwork.Member;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The keys and names derived from a group id and its epoch secrets. */
class GroupDerivationsTest {
    private final GroupNetwork network = new GroupNetwork();

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] info(String label, byte[] groupId, long epoch) {
        byte[] l = ascii(label);
        return ByteBuffer.allocate(l.length + groupId.length + 8).put(l).put(groupId).putLong(epoch).array();
    }

    @Test
    void shouldNameTheTopicByTheHashOfTheGroupIdOnlyTheSameInEveryEpoch() throws Exception {
        Member owner = network.member("owner");
        owner.create("a name that must not leak");
        byte[] id = owner.state().groupId();
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        sha256.update(ascii("ferry/group/v1/topic"));
        String expected = HexFormat.of().formatHex(sha256.digest(id));

        String before = owner.state().topic();
        owner.invite(network.member("bob"));

        assertThat(before).isEqualTo(expected).hasSize(64).doesNotContain("name");
        assertThat(owner.state().topic()).isEqualTo(before);
        assertThat(GroupTopic.of(id)).isEqualTo(expected);
    }

    @Test
    void shouldDeriveTheGroupMailboxAndSealKeysFromTheEpochSecretWithSeparatedDomains() {
        Member owner = network.member("owner");
        owner.create("keys");
        byte[] id = owner.state().groupId();
        EpochSecret epoch0 = owner.state().currentSecret();
        byte[] secret = epoch0.secret();
        byte[] salt = ascii("ferry/group/v1/epoch");

        IdentityKeyPair mailboxOwner = IdentityKeyPair.fromSeed(Hkdf.sha256(secret, salt, info("ferry/group/v1/mailbox-identity", id, 0), 32));
        X25519.KeyPair seal = X25519.fromPrivateKey(Hkdf.sha256(secret, salt, info("ferry/group/v1/seal-key", id, 0), 32));

        assertThat(epoch0.mailboxIdentity().peerId()).isEqualTo(mailboxOwner.peerId());
        assertThat(epoch0.mailboxKey()).isEqualTo(Mailbox.keyFor(mailboxOwner.peerId()));
        assertThat(epoch0.sealKeyPair()).isEqualTo(seal);
        assertThat(epoch0.sealKeyPair().privateKey()).isNotEqualTo(epoch0.mailboxIdentity().marshalPrivateKey());
    }

    @Test
    void shouldGiveEveryEpochItsOwnMailboxAndEveryMemberTheSameOne() {
        Member owner = network.member("owner");
        owner.create("epochs");
        Member bob = network.member("bob");
        byte[] epoch0 = owner.state().currentSecret().mailboxKey();
        owner.invite(bob);
        network.deliverAll();

        assertThat(owner.state().currentSecret().mailboxKey()).isNotEqualTo(epoch0);
        assertThat(bob.state().currentSecret()).isEqualTo(owner.state().currentSecret());
        assertThat(bob.state().currentSecret().mailboxKey()).isEqualTo(owner.state().currentSecret().mailboxKey());
        assertThat(owner.state().keptSecrets()).hasSize(2);
        assertThat(bob.state().keptSecrets()).hasSize(1);
    }

    @Test
    void shouldShowNoSecretInAnyToString() {
        Member owner = network.member("owner");
        owner.create("secrets");
        Member bob = network.member("bob");
        GroupChange change = owner.groups.invite(owner.state(), bob.publicIdentity()).orElseThrow();
        EpochSecret secret = change.state().currentSecret();
        String hex = HexFormat.of().formatHex(secret.secret());
        String seed = HexFormat.of().formatHex(secret.mailboxIdentity().marshalPrivateKey(), 0, 32);

        for (Object shown : new Object[] {secret, change.state(), change, change.outgoing().getFirst(), change.state().roster()}) {
            assertThat(shown.toString()).doesNotContain(hex).doesNotContain(seed);
        }
        assertThat(change.outgoing().getFirst().toString()).doesNotContain(HexFormat.of().formatHex(change.outgoing().getFirst().control()));
    }
}
