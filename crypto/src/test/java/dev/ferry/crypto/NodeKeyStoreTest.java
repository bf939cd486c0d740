package dev.ferry.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeKeyStoreTest {
    private static final String SPEC_PRIVATE_KEY =
            "080112407e0830617c4a7de83925dfb2694556b12936c477a0e1feb2e148ec9da60fee7d"
                    + "1ed1e8fae2c4a144b8be8fd4b47bf3d3b34b871c3cacf6010f0e42d474fce27e";
    private static final String SPEC_PEER_ID = "12D3KooWBtg3aaRMjxwedh83aGiUkwSxDwUZkzuJcfaqUmo7R3pq";

    @TempDir
    Path temp;

    private Path dataDir;
    private final SecureRandom random = new SecureRandom();

    @BeforeEach
    void setUp() {
        dataDir = temp.resolve("node");
    }

    @Test
    void firstStartCreatesAnOwnerOnlyKeyFileInAnOwnerOnlyDataDirectory() throws IOException {
        assumePosix();

        IdentityKeyPair created = NodeKeyStore.loadOrCreate(dataDir, random);

        Path file = dataDir.resolve("identity.key");
        assertThat(NodeKeyStore.keyFile(dataDir)).isEqualTo(file);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
        assertThat(Files.readAllBytes(file)).isEqualTo(created.marshalPrivateKey());
    }

    @Test
    void restartReusesTheStoredKeyAndSoThePeerId() {
        PeerId first = NodeKeyStore.loadOrCreate(dataDir, random).peerId();

        assertThat(NodeKeyStore.loadOrCreate(dataDir, random).peerId()).isEqualTo(first);
        assertThat(NodeKeyStore.load(dataDir)).map(IdentityKeyPair::peerId).contains(first);
    }

    @Test
    void anExistingDataDirectoryKeepsItsPermissions() throws IOException {
        assumePosix();
        Files.createDirectory(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-x---")));

        NodeKeyStore.loadOrCreate(dataDir, random);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwxr-x---");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(NodeKeyStore.keyFile(dataDir))))
                .isEqualTo("rw-------");
    }

    @Test
    void noTemporaryFileIsLeftBehind() throws IOException {
        NodeKeyStore.loadOrCreate(dataDir, random);

        try (Stream<Path> files = Files.list(dataDir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("identity.key");
        }
    }

    @Test
    void loadFindsNothingWithoutAKeyFileOrADirectory() throws IOException {
        assertThat(NodeKeyStore.load(dataDir)).isEmpty();
        Files.createDirectories(dataDir);
        assertThat(NodeKeyStore.load(dataDir)).isEmpty();
    }

    @Test
    void aKeyFileWrittenByOtherLibp2pImplementationsIsLoaded() throws IOException {
        writeKeyFile(HexFormat.of().parseHex(SPEC_PRIVATE_KEY), "rw-------");

        assertThat(NodeKeyStore.loadOrCreate(dataDir, random).peerId().toBase58()).isEqualTo(SPEC_PEER_ID);
    }

    @Test
    void groupReadableKeyFileIsRefusedWithChmodAdvice() throws IOException {
        assumePosix();
        Path file = writeKeyFile(HexFormat.of().parseHex(SPEC_PRIVATE_KEY), "rw-r-----");

        assertThatThrownBy(() -> NodeKeyStore.loadOrCreate(dataDir, random))
                .isInstanceOf(NodeKeyStoreException.class)
                .hasMessageContaining("permissions 0640 of key file " + file + " are too open")
                .hasMessageEndingWith("run: chmod 600 " + file);
        assertThat(Files.readAllBytes(file)).isEqualTo(HexFormat.of().parseHex(SPEC_PRIVATE_KEY));
    }

    @Test
    void worldReadableKeyFileIsRefusedByLoadToo() throws IOException {
        assumePosix();
        writeKeyFile(HexFormat.of().parseHex(SPEC_PRIVATE_KEY), "rw-r--r--");

        assertThatThrownBy(() -> NodeKeyStore.load(dataDir))
                .isInstanceOf(NodeKeyStoreException.class)
                .hasMessageContaining("permissions 0644")
                .hasMessageContaining("chmod 600");
    }

    @Test
    void groupWritableKeyFileIsRefusedAsWell() throws IOException {
        assumePosix();
        writeKeyFile(HexFormat.of().parseHex(SPEC_PRIVATE_KEY), "rw--w----");

        assertThatThrownBy(() -> NodeKeyStore.load(dataDir))
                .isInstanceOf(NodeKeyStoreException.class)
                .hasMessageContaining("permissions 0620");
    }

    @Test
    void chmodAdviceQuotesAPathWithSpaces() throws IOException {
        assumePosix();
        dataDir = temp.resolve("my node");
        Path file = writeKeyFile(HexFormat.of().parseHex(SPEC_PRIVATE_KEY), "rw-rw-rw-");

        assertThatThrownBy(() -> NodeKeyStore.load(dataDir))
                .hasMessageEndingWith("run: chmod 600 '" + file + "'");
    }

    @Test
    void corruptKeyFileIsRefusedAndNeverOverwritten() throws IOException {
        byte[] garbage = {0x08, 0x01, 0x12, 0x05, 1, 2, 3, 4, 5};
        Path file = writeKeyFile(garbage, "rw-------");

        assertThatThrownBy(() -> NodeKeyStore.loadOrCreate(dataDir, random))
                .isInstanceOf(NodeKeyStoreException.class)
                .hasMessageStartingWith("key file " + file + " is corrupt (Ed25519 private key data must be 32, 64 or 96 bytes, got 5)")
                .hasMessageContaining("left untouched");
        assertThat(Files.readAllBytes(file)).isEqualTo(garbage);
    }

    @Test
    void emptyKeyFileIsCorrupt() throws IOException {
        Path file = writeKeyFile(new byte[0], "rw-------");

        assertThatThrownBy(() -> NodeKeyStore.loadOrCreate(dataDir, random))
                .isInstanceOf(NodeKeyStoreException.class)
                .hasMessageStartingWith("key file " + file + " is corrupt");
        assertThat(Files.size(file)).isZero();
    }

    @Test
    void oversizedKeyFileIsCorruptWithoutBeingParsed() throws IOException {
        writeKeyFile(new byte[4096], "rw-------");

        assertThatThrownBy(() -> NodeKeyStore.load(dataDir))
                .isInstanceOf(NodeKeyStoreException.class)
                .hasMessageContaining("it is 4096 bytes, larger than any key file");
    }

    @Test
    void keyFileThatIsADirectoryIsRefused() throws IOException {
        Files.createDirectories(dataDir.resolve("identity.key"));

        assertThatThrownBy(() -> NodeKeyStore.loadOrCreate(dataDir, random))
                .isInstanceOf(NodeKeyStoreException.class)
                .hasMessageEndingWith("is not a regular file");
    }

    @Test
    void dataDirectoryThatIsAFileIsRefused() throws IOException {
        Files.writeString(dataDir, "not a directory");

        assertThatThrownBy(() -> NodeKeyStore.loadOrCreate(dataDir, random))
                .isInstanceOf(NodeKeyStoreException.class)
                .hasMessageContaining(dataDir.toString());
        assertThat(Files.readString(dataDir)).isEqualTo("not a directory");
    }

    @Test
    void messagesAreOneLine() throws IOException {
        writeKeyFile(new byte[] {(byte) 0xff}, "rw-------");

        assertThatThrownBy(() -> NodeKeyStore.load(dataDir)).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    private Path writeKeyFile(byte[] content, String permissions) throws IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("identity.key");
        Files.write(file, content);
        if (supportsPosix()) Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
        return file;
    }

    private boolean supportsPosix() {
        return temp.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private void assumePosix() {
        assumeTrue(supportsPosix(), "the file system has POSIX permissions");
    }
}
