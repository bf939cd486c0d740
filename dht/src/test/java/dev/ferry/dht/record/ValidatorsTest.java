package dev.ferry.dht.record;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.dht.message.DhtFixtures;
import dev.ferry.dht.message.DhtProtocol;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidatorsTest {
    private final Validators validators = Validators.standard();
    private final IdentityKeyPair alice = DhtFixtures.keys(1);

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertInvalid(Validation validation, Validation.Reason reason) {
        assertThat(validation).isInstanceOfSatisfying(Validation.Invalid.class,
                invalid -> assertThat(invalid.reason()).isEqualTo(reason));
    }

    @Test
    void eachKeyIsValidatedByTheValidatorOfItsNamespace() {
        assertThat(validators.validate(PublicKeyValidator.keyOf(alice.peerId()), alice.publicKey().marshal()).isValid()).isTrue();
        FerryRecord record = FerryRecord.sign(alice, "prekeys", new byte[] {1}, 1);
        assertThat(validators.validate(record.key(), record.encoded()).isValid()).isTrue();

        // Each namespace's rules apply to its keys only.
        assertInvalid(validators.validate(PublicKeyValidator.keyOf(alice.peerId()), record.encoded()), Validation.Reason.MALFORMED_VALUE);
        assertThat(validators.forKey(record.key())).containsInstanceOf(FerryRecordValidator.class);
        assertThat(validators.forKey(bytes("/pk/x"))).containsInstanceOf(PublicKeyValidator.class);
    }

    @Test
    void keysInAnUnknownNamespaceOrInNoneAreRefused() {
        for (String key : List.of("/ipns/abc", "/pkx/abc", "/pk", "pk/abc", "/ferry", "abc", "", "/", "//pk/")) {
            assertInvalid(validators.validate(bytes(key), new byte[] {1}), Validation.Reason.UNKNOWN_NAMESPACE);
        }
    }

    @Test
    void aKeyLongerThanTheProtocolAllowsIsRefusedWhateverItsNamespace() {
        byte[] key = new byte[DhtProtocol.MAX_KEY_LENGTH + 1];
        System.arraycopy(bytes("/pk/"), 0, key, 0, 4);
        assertInvalid(validators.validate(key, alice.publicKey().marshal()), Validation.Reason.KEY_TOO_LONG);
    }

    @Test
    void selectionGoesToTheNamespacesSelector() {
        byte[] older = FerryRecord.sign(alice, "prekeys", new byte[] {1}, 1).encoded();
        byte[] newer = FerryRecord.sign(alice, "prekeys", new byte[] {2}, 2).encoded();
        assertThat(validators.select(FerryRecord.keyOf(alice.peerId(), "prekeys"), List.of(older, newer))).isEqualTo(1);
        assertThat(validators.select(FerryRecord.keyOf(alice.peerId(), "prekeys"), List.of(older))).isZero();
    }

    @Test
    void selectingWithoutValuesOrInAnUnknownNamespaceIsAMistakeOfTheCaller() {
        assertThatThrownBy(() -> validators.select(bytes("/pk/x"), List.of())).hasMessageContaining("nothing to select");
        assertThatThrownBy(() -> validators.select(bytes("/ipns/x"), List.of(new byte[0], new byte[0])))
                .hasMessageContaining("no validator");
    }

    @Test
    void aNodeMayAddItsOwnNamespacesButNeverTwoValidatorsForOne() {
        RecordValidator anything = new RecordValidator() {
            @Override
            public String namespace() {
                return "test";
            }

            @Override
            public Validation validate(byte[] key, byte[] value) {
                return Validation.valid();
            }

            @Override
            public int select(byte[] key, List<byte[]> values) {
                return values.size() - 1;
            }
        };
        Validators custom = Validators.of(new PublicKeyValidator(), anything);
        assertThat(custom.validate(bytes("/test/x"), new byte[0]).isValid()).isTrue();
        assertThat(custom.select(bytes("/test/x"), List.of(new byte[0], new byte[1]))).isEqualTo(1);
        assertInvalid(custom.validate(bytes("/ferry/x"), new byte[0]), Validation.Reason.UNKNOWN_NAMESPACE);

        assertThatThrownBy(() -> Validators.of(new PublicKeyValidator(), new PublicKeyValidator()))
                .hasMessageContaining("two validators for namespace pk");
        assertThatThrownBy(() -> Validators.of(named("a/b", anything))).hasMessageContaining("without '/'");
        assertThatThrownBy(() -> Validators.of(named("", anything))).hasMessageContaining("non-empty");
    }

    /** {@code validator} under another namespace. */
    private static RecordValidator named(String namespace, RecordValidator validator) {
        return new RecordValidator() {
            @Override
            public String namespace() {
                return namespace;
            }

            @Override
            public Validation validate(byte[] key, byte[] value) {
                return validator.validate(key, value);
            }

            @Override
            public int select(byte[] key, List<byte[]> values) {
                return validator.select(key, values);
            }
        };
    }
}
