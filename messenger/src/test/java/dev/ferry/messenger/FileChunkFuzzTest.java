package dev.ferry.messenger;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.messenger.proto.DeliveryProto;
import java.util.List;

/**
 * A file arrives as FILE_CHUNK messages from a contact, who may be hostile: any body decodes to
 * a piece or to nothing, and a piece that decodes can be described ({@link FileChunks#info}) and
 * joined with nothing else, giving the file or {@link IllegalStateException}, without allocating
 * for the pieces or bytes it only claims to have.
 */
class FileChunkFuzzTest {
    @FuzzTest
    void piece(byte[] input) {
        DeliveryProto.FileChunk piece = FileChunks.decode(input).orElse(null);
        if (piece == null) return;
        FileChunks.info(piece);
        FileChunks.withoutData(input);
        try {
            FileChunks.join(List.of(piece));
        } catch (IllegalStateException refused) {
            // a piece alone is a file only if it is the whole of one
        }
    }
}
