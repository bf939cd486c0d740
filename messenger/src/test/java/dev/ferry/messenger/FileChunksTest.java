package dev.ferry.messenger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.messenger.proto.DeliveryProto;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FileChunksTest {
    private static final SecureRandom RANDOM = new SecureRandom();

    private static List<DeliveryProto.FileChunk> decoded(List<byte[]> pieces) {
        return pieces.stream().map(p -> FileChunks.decode(p).orElseThrow()).toList();
    }

    @Test
    void shouldJoinThePiecesInAnyOrderBackIntoTheFileForEverySizeAroundAPieceBoundary() {
        Random sizes = new Random(7);
        for (int size : new int[] {0, 1, 1023, 1024, 1025, 4096, 10_000 + sizes.nextInt(5000)}) {
            byte[] content = new byte[size];
            RANDOM.nextBytes(content);
            List<DeliveryProto.FileChunk> pieces = new ArrayList<>(decoded(FileChunks.split("a.bin", null, content, 1024, RANDOM)));
            assertThat(pieces).hasSize(Math.max(1, (size + 1023) / 1024));
            assertThat(FileChunks.isLast(pieces.getLast())).isTrue();
            Collections.shuffle(pieces, sizes);
            assertThat(FileChunks.join(pieces)).as("size " + size).isEqualTo(content);
        }
    }

    @Test
    void shouldRefuseAMissingAForeignOrAnAlteredPiece() {
        byte[] content = new byte[5000];
        RANDOM.nextBytes(content);
        List<DeliveryProto.FileChunk> pieces = decoded(FileChunks.split("a.bin", "text/plain", content, 1024, RANDOM));
        List<DeliveryProto.FileChunk> other = decoded(FileChunks.split("b.bin", "text/plain", content, 1024, RANDOM));

        assertThatThrownBy(() -> FileChunks.join(pieces.subList(1, pieces.size()))).hasMessage("piece 1 of 5 of the file is missing");
        List<DeliveryProto.FileChunk> mixed = new ArrayList<>(pieces);
        mixed.set(2, other.get(2));
        assertThatThrownBy(() -> FileChunks.join(mixed)).hasMessage("the pieces of the file disagree");
        List<DeliveryProto.FileChunk> altered = new ArrayList<>(pieces);
        byte[] data = altered.get(3).getData().toByteArray();
        data[0] ^= 1;
        altered.set(3, altered.get(3).toBuilder().setData(com.google.protobuf.ByteString.copyFrom(data)).build());
        assertThatThrownBy(() -> FileChunks.join(altered)).hasMessage("the file does not match the hash its sender gave");
    }

    @Test
    void shouldKeepOnlyTheLastPathSegmentOfANameWithoutControlCharacters() {
        assertThat(FileChunks.cleanName("../../etc/passwd")).isEqualTo("passwd");
        assertThat(FileChunks.cleanName("C:\\Users\\me\\report.pdf")).isEqualTo("report.pdf");
        assertThat(FileChunks.cleanName("evil\nname\u001b[31m.txt")).isEqualTo("evilname[31m.txt");
        assertThat(FileChunks.cleanName("..")).isEqualTo("file");
        assertThat(FileChunks.cleanName("")).isEqualTo("file");
        assertThat(FileChunks.cleanName("é".repeat(300)).getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(255);
    }

    @Test
    void shouldRefuseAFileOverTheLimitAndBytesThatAreNoPiece() {
        assertThatThrownBy(() -> FileChunks.split("big", null, new byte[(int) FileChunks.MAX_FILE_BYTES + 1], 1 << 18, RANDOM))
                .hasMessageStartingWith("a file has at most 64 MiB");
        assertThatThrownBy(() -> FileChunks.split("x", "not a type", new byte[1], 1024, RANDOM)).hasMessageContaining("is not a media type");
        assertThat(FileChunks.decode(new byte[] {1, 2, 3})).isEmpty();
        assertThat(FileChunks.decode(DeliveryProto.FileChunk.newBuilder().setCount(1).setIndex(1).build().toByteArray())).isEmpty();
    }
}
