package dev.ferry.crypto.fuzz;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.envelope.ContentType;
import dev.ferry.crypto.envelope.EnvelopeHeader;
import dev.ferry.crypto.envelope.InnerContent;
import dev.ferry.crypto.envelope.Mailbox;
import dev.ferry.crypto.envelope.SealedEnvelope;
import dev.ferry.crypto.ratchet.RatchetSession;
import dev.ferry.crypto.senderkey.GroupSenderKeys;
import dev.ferry.crypto.x3dh.MessagingIdentity;
import dev.ferry.crypto.x3dh.PrekeyBundle;
import dev.ferry.crypto.x3dh.PrekeyPolicy;
import dev.ferry.crypto.x3dh.PrekeyRing;
import dev.ferry.crypto.x3dh.X3dh;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the valid seeds of this module's fuzz targets, made by the project's own encoders with
 * the fixed keys of {@link FuzzFixtures}. Run from the module directory after an encoding
 * changes: {@code java -cp <test classpath> dev.ferry.crypto.fuzz.SeedCorpus}. Crash inputs and
 * hand-made edge cases sit next to these seeds and are not written here.
 */
final class SeedCorpus {
    private static final Path ROOT = Path.of("src/test/resources/dev/ferry/crypto/fuzz");

    public static void main(String[] args) throws Exception {
        IdentityKeyPair node = FuzzFixtures.nodeKey(7);
        write("PeerIdFuzzTest", "peerIdBytes", "ed25519", node.peerId().toBytes());
        write("PeerIdFuzzTest", "peerIdText", "base58", node.peerId().toString().getBytes(StandardCharsets.UTF_8));
        write("PeerIdFuzzTest", "publicKeyProtobuf", "ed25519", node.publicKey().marshal());

        // envelopes: one sealed to EnvelopeFuzzTest.RECIPIENT, direct and coded headers
        byte[] mailbox = Mailbox.keyFor(node.peerId());
        InnerContent content = InnerContent.create(ContentType.TEXT, node.publicKey(), FuzzFixtures.NOW,
                "hello".getBytes(StandardCharsets.UTF_8), FuzzFixtures.random(8));
        SealedEnvelope.Sealed sealed = SealedEnvelope.seal(content, EnvelopeFuzzTest.RECIPIENT.publicKey(), mailbox,
                FuzzFixtures.NOW.minusSeconds(60), FuzzFixtures.NOW.plus(Duration.ofDays(1)), FuzzFixtures.random(9));
        byte[] header = sealed.directHeader().encode();
        write("EnvelopeFuzzTest", "headerBytes", "direct", header);
        List<byte[]> shardHashes = new ArrayList<>();
        for (int i = 0; i < 6; i++) shardHashes.add(MessageDigest.getInstance("SHA-256").digest(new byte[] {(byte) i}));
        write("EnvelopeFuzzTest", "headerBytes", "coded-4-2", sealed.codedHeader(4, 2, shardHashes).encode());
        write("EnvelopeFuzzTest", "innerContentBytes", "text", content.encode());
        byte[] ciphertext = sealed.ciphertext();
        write("EnvelopeFuzzTest", "sealedEnvelope", "direct", ByteBuffer.allocate(2 + header.length + ciphertext.length)
                .putShort((short) header.length).put(header).put(ciphertext).array());

        // ratchet: the initiator's first and third messages (the third makes the responder skip one)
        RatchetSession alice = RatchetFuzzTest.alice();
        RatchetSession.Encrypted first = alice.encrypt("one".getBytes(StandardCharsets.UTF_8));
        RatchetSession.Encrypted second = first.next().encrypt("two".getBytes(StandardCharsets.UTF_8));
        RatchetSession.Encrypted third = second.next().encrypt("three".getBytes(StandardCharsets.UTF_8));
        write("RatchetFuzzTest", "messageBytes", "first", first.message());
        write("RatchetFuzzTest", "sessionDecrypt", "first", first.message());
        write("RatchetFuzzTest", "sessionDecrypt", "third", third.message());

        // x3dh: a bundle and an initial message to it
        MessagingIdentity bob = MessagingIdentity.create(FuzzFixtures.nodeKey(12), FuzzFixtures.random(10));
        PrekeyRing ring = PrekeyRing.create(bob.nodeKey(), FuzzFixtures.NOW, FuzzFixtures.random(11));
        PrekeyBundle bundle = PrekeyBundle.of(bob, ring.current());
        write("X3dhFuzzTest", "prekeyBundleBytes", "bundle", bundle.encode());
        MessagingIdentity aliceIdentity = MessagingIdentity.create(FuzzFixtures.nodeKey(11), FuzzFixtures.random(12));
        X3dh.Initiation initiation = X3dh.initiate(aliceIdentity, bundle, bob.nodeKey().peerId(), FuzzFixtures.NOW,
                PrekeyPolicy.DEFAULT, FuzzFixtures.random(13));
        write("X3dhFuzzTest", "initialMessageBytes", "initial", initiation.message().encode());

        // sender keys: alice's distribution and her first and third group messages
        GroupSenderKeys group = SenderKeyFuzzTest.alice();
        write("SenderKeyFuzzTest", "distributionBytes", "distribution", group.distribution().encode());
        GroupSenderKeys.Encrypted m1 = group.encrypt("one".getBytes(StandardCharsets.UTF_8));
        GroupSenderKeys.Encrypted m2 = m1.next().encrypt("two".getBytes(StandardCharsets.UTF_8));
        GroupSenderKeys.Encrypted m3 = m2.next().encrypt("three".getBytes(StandardCharsets.UTF_8));
        write("SenderKeyFuzzTest", "messageBytes", "first", m1.message());
        write("SenderKeyFuzzTest", "groupDecrypt", "first", m1.message());
        write("SenderKeyFuzzTest", "groupDecrypt", "third", m3.message());
    }

    private static void write(String target, String method, String name, byte[] bytes) throws IOException {
        Path dir = ROOT.resolve(target + "Inputs").resolve(method);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), bytes);
    }
}
