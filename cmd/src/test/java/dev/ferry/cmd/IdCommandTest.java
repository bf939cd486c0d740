package dev.ferry.cmd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.crypto.PeerId;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdCommandTest {
    @TempDir
    Path temp;

    @Test
    void idPrintsTheSamePeerIdOnEveryRunWithOneDataDir() {
        Path dataDir = temp.resolve("node");

        CliRun first = CliRun.of("id", "--data-dir", dataDir.toString());
        CliRun second = CliRun.of("id", "--data-dir", dataDir.toString());

        assertThat(first.exitCode()).as(first.toString()).isZero();
        assertThat(first.out()).hasSize(1);
        assertThat(PeerId.parse(first.out().getFirst()).toString()).isEqualTo(first.out().getFirst());
        assertThat(second).isEqualTo(first);
    }

    @Test
    void idPrintsADifferentPeerIdForAnotherDataDir() {
        CliRun one = CliRun.of("id", "--data-dir", temp.resolve("one").toString());
        CliRun other = CliRun.of("id", "--data-dir", temp.resolve("other").toString());

        assertThat(other.out()).isNotEqualTo(one.out());
    }

    @Test
    void idStoresTheNodeKeyReadableByTheOwnerOnly() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path dataDir = temp.resolve("node");

        CliRun.of("id", "--data-dir", dataDir.toString());

        Path keyFile = dataDir.resolve("identity.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
    }
}
