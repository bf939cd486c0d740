package dev.ferry.dht.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.crypto.SeededProperty;
import dev.ferry.dht.message.DhtFixtures;
import dev.ferry.dht.proto.DhtProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class FerryRecordSelectionTest {
    private final FerryRecordValidator validator = new FerryRecordValidator();
    private final IdentityKeyPair alice = DhtFixtures.keys(1);
    private final byte[] key = FerryRecord.keyOf(alice.peerId(), "prekeys");

    private byte[] version(String value, long sequence) {
        return FerryRecord.sign(alice, "prekeys", value.getBytes(), sequence).encoded();
    }

    @Test
    void theHighestSequenceWinsWhereverItIs() {
        List<byte[]> values = List.of(version("one", 1), version("three", 3), version("two", 2));
        assertThat(validator.select(key, values)).isEqualTo(1);
        assertThat(validator.select(key, List.of(version("three", 3), version("one", 1)))).isZero();
    }

    @Test
    void sequencesCompareUnsignedAsTheirProtobufTypeIs() {
        List<byte[]> values = List.of(version("small", Long.MAX_VALUE), version("huge", -1L));
        assertThat(validator.select(key, values)).isEqualTo(1);
    }

    @Test
    void equalSequencesGoToTheGreatestEncodingSoEveryNodePicksTheSame() {
        byte[] a = version("a", 5);
        byte[] b = version("b", 5);
        int greater = Arrays.compareUnsigned(a, b) > 0 ? 0 : 1;
        assertThat(validator.select(key, List.of(a, b))).isEqualTo(greater);
        assertThat(validator.select(key, List.of(b, a))).isEqualTo(1 - greater);
    }

    @Test
    void ofEqualValuesTheFirstIsSelected() {
        byte[] same = version("same", 5);
        assertThat(validator.select(key, List.of(same, same.clone(), same.clone()))).isZero();
    }

    @Test
    void aForgedRecordWithAHigherSequenceNeverWins() {
        byte[] good = version("good", 1);
        byte[] forged = forge(version("evil", Long.MAX_VALUE));
        assertThat(validator.validate(key, forged).isValid()).isFalse();
        assertThat(validator.select(key, List.of(forged, good))).isEqualTo(1);
        assertThat(validator.select(key, List.of(forged, forged))).as("none valid: the first").isZero();
    }

    @Test
    void aRecordOfAnotherKeyNeverWins() {
        byte[] good = version("good", 1);
        byte[] otherName = FerryRecord.sign(alice, "profile", "x".getBytes(), 99).encoded();
        assertThat(validator.select(key, List.of(otherName, good))).isEqualTo(1);
    }

    @Test
    void nothingToSelectFromIsAMistakeOfTheCaller() {
        assertThatThrownBy(() -> validator.select(key, List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theSelectedRecordDoesNotDependOnTheOrderOfTheValues() {
        SeededProperty.forAll("theSelectedRecordDoesNotDependOnTheOrderOfTheValues", 200, random -> {
            List<byte[]> values = new ArrayList<>();
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                byte[] value = version("v" + random.nextInt(4), random.nextInt(3));
                values.add(random.nextInt(5) == 0 ? forge(value) : value);
            }
            if (values.stream().noneMatch(v -> validator.validate(key, v).isValid())) {
                values.add(version("v" + random.nextInt(4), random.nextInt(3))); // select is for validated values
            }
            byte[] chosen = values.get(validator.select(key, values));
            Collections.shuffle(values, random);
            assertThat(values.get(validator.select(key, values))).isEqualTo(chosen);
            assertThat(validator.validate(key, chosen).isValid()).isTrue();
        });
    }

    /** {@code encoded} with its signature broken (still canonical). */
    private static byte[] forge(byte[] encoded) {
        try {
            DhtProto.FerryRecord parsed = DhtProto.FerryRecord.parseFrom(encoded);
            byte[] signature = parsed.getSignature().toByteArray();
            signature[0] ^= 1;
            return parsed.toBuilder().setSignature(ByteString.copyFrom(signature)).build().toByteArray();
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
