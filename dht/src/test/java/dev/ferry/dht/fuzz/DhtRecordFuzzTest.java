package dev.ferry.dht.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ferry.dht.record.FerryRecord;
import dev.ferry.dht.record.Validation;
import dev.ferry.dht.record.Validators;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Records come from PUT_VALUE requests and GET_VALUE answers: for any key and value the
 * validators of {@code /pk/} and {@code /ferry/} give a {@link Validation}, never an exception,
 * and choosing among values of a known namespace never throws either. A {@code /ferry/} record
 * that validates opens to a record with the same key and encoding.
 *
 * <p>Input: one byte giving the key's length, the key, then the value.
 */
class DhtRecordFuzzTest {
    private static final Validators VALIDATORS = Validators.standard();
    private static final byte[] FERRY_PREFIX = "/ferry/".getBytes(StandardCharsets.US_ASCII);

    @FuzzTest
    void records(byte[] input) {
        if (input.length == 0) return;
        int keyLength = Math.min(Byte.toUnsignedInt(input[0]), input.length - 1);
        byte[] key = Arrays.copyOfRange(input, 1, 1 + keyLength);
        byte[] value = Arrays.copyOfRange(input, 1 + keyLength, input.length);

        Validation validation = VALIDATORS.validate(key, value);
        if (validation == null) throw new AssertionError("no validation");
        if (VALIDATORS.forKey(key).isPresent()) {
            int best = VALIDATORS.select(key, List.of(value, new byte[0], value));
            if (best < 0 || best > 2) throw new AssertionError("selected index " + best);
        }
        boolean ferryKey = key.length >= FERRY_PREFIX.length
                && Arrays.equals(key, 0, FERRY_PREFIX.length, FERRY_PREFIX, 0, FERRY_PREFIX.length);
        if (validation.isValid() && ferryKey) {
            if (!(FerryRecord.open(key, value) instanceof FerryRecord.Opening.Verified(FerryRecord record))) {
                throw new AssertionError("valid /ferry/ record does not open");
            }
            if (!Arrays.equals(record.key(), key) || !Arrays.equals(record.encoded(), value)) {
                throw new AssertionError("opened record differs from its bytes");
            }
        }
    }
}
