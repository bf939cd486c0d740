package dev.ferry.crypto;

import java.util.Arrays;
import java.util.Random;

/**
 * Test fixture for decoder fuzzing: one random mutation of valid bytes (a bit flip, a byte set
 * to a value that matters to protobuf and varints, truncation, an insertion, a deletion, a piece
 * repeated at the end, a random byte), so a seeded run walks the edges of a format.
 */
public final class ByteMutations {
    private ByteMutations() {}

    /**
     * {@code input} mutated once. {@code special} are byte values worth planting (field tags of
     * the format under test, varint continuation bits); {@code maxRepeat} bounds the piece
     * repeated at the end (repeated fields, the last-wins rule).
     */
    public static byte[] mutate(Random random, byte[] input, byte[] special, int maxRepeat) {
        if (input.length == 0) return SeededProperty.bytes(random, 1 + random.nextInt(8));
        int at = random.nextInt(input.length);
        return switch (random.nextInt(7)) {
            case 0 -> {
                byte[] out = input.clone();
                out[at] ^= (byte) (1 << random.nextInt(8));
                yield out;
            }
            case 1 -> {
                byte[] out = input.clone();
                out[at] = special[random.nextInt(special.length)];
                yield out;
            }
            case 2 -> Arrays.copyOf(input, at);
            case 3 -> {
                byte[] insert = SeededProperty.bytes(random, 1 + random.nextInt(6));
                byte[] out = new byte[input.length + insert.length];
                System.arraycopy(input, 0, out, 0, at);
                System.arraycopy(insert, 0, out, at, insert.length);
                System.arraycopy(input, at, out, at + insert.length, input.length - at);
                yield out;
            }
            case 4 -> {
                int end = Math.min(input.length, at + 1 + random.nextInt(8));
                byte[] out = new byte[input.length - (end - at)];
                System.arraycopy(input, 0, out, 0, at);
                System.arraycopy(input, end, out, at, input.length - end);
                yield out;
            }
            case 5 -> {
                int end = Math.min(input.length, at + 1 + random.nextInt(maxRepeat));
                byte[] piece = Arrays.copyOfRange(input, at, end);
                byte[] out = Arrays.copyOf(input, input.length + piece.length);
                System.arraycopy(piece, 0, out, input.length, piece.length);
                yield out;
            }
            default -> {
                byte[] out = input.clone();
                out[at] = (byte) random.nextInt(256);
                yield out;
            }
        };
    }
}
