package dev.ferry.dht.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.crypto.IdentityKeyPair;
import dev.ferry.dht.record.FerryRecord;
import dev.ferry.dht.record.Validation;
import dev.ferry.dht.record.Validators;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecordStoreTest {
    private static final Duration TTL = Duration.ofHours(36);
    private static final IdentityKeyPair ALICE = IdentityKeyPair.generate(new SecureRandom());

    private final Validators validators = Validators.standard();
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    private static FerryRecord record(String name, String value, long sequence) {
        return FerryRecord.sign(ALICE, name, value.getBytes(StandardCharsets.UTF_8), sequence);
    }

    private static PutResult put(RecordStore store, FerryRecord record, Instant at) {
        return store.put(record.key(), record.encoded(), at);
    }

    private RecordStore store(int maxRecords, long maxValueBytes) {
        return new RecordStore(validators, new RecordStore.Config(maxRecords, maxValueBytes, TTL));
    }

    private void advance(Duration by) {
        now = now.plus(by);
    }

    @Test
    void aValidRecordIsStoredAndReturnedWithWhenItWasReceivedAndWhenItExpires() {
        RecordStore store = new RecordStore(validators);
        FerryRecord bundle = record("prekeys", "bundle", 1);

        PutResult result = put(store, bundle, now);

        assertThat(result).isInstanceOf(PutResult.Stored.class);
        StoredRecord stored = store.get(bundle.key(), now.plusSeconds(1)).orElseThrow();
        assertThat(stored.key()).isEqualTo(bundle.key());
        assertThat(stored.value()).isEqualTo(bundle.encoded());
        assertThat(stored.received()).isEqualTo(now);
        assertThat(stored.expires()).isEqualTo(now.plus(RecordStore.DEFAULT_RECORD_TTL));
        assertThat(stored.toDhtRecord().timeReceived()).isEqualTo("2026-01-01T00:00:00.000000000Z");
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.valueBytes()).isEqualTo(bundle.encoded().length);
    }

    @Test
    void aKeyNeverStoredReturnsNothing() {
        RecordStore store = new RecordStore(validators);
        assertThat(store.get(record("prekeys", "x", 1).key(), now)).isEmpty();
    }

    @Test
    void anExpiredRecordIsHiddenEvenBeforeItIsSwept() {
        RecordStore store = store(10, 1 << 20);
        FerryRecord bundle = record("prekeys", "bundle", 1);
        put(store, bundle, now);

        assertThat(store.get(bundle.key(), now.plus(TTL).minusNanos(1))).isPresent();
        assertThat(store.get(bundle.key(), now.plus(TTL))).isEmpty();
        assertThat(store.size()).as("still held until swept").isEqualTo(1);
    }

    @Test
    void sweepDeletesExpiredRecordsOldestFirstInBatchesNoLargerThanAsked() {
        RecordStore store = store(10, 1 << 20);
        List<FerryRecord> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            FerryRecord r = record("name" + i, "v" + i, 1);
            records.add(r);
            put(store, r, now);
            advance(Duration.ofMinutes(1));
        }
        Instant fiveExpired = now.minus(Duration.ofMinutes(2)).plus(TTL);

        assertThat(store.sweep(fiveExpired, 2)).isEqualTo(2);
        assertThat(store.sweep(fiveExpired, 2)).isEqualTo(2);
        assertThat(store.sweep(fiveExpired, 2)).isEqualTo(1);
        assertThat(store.sweep(fiveExpired, 2)).isZero();

        assertThat(store.size()).isEqualTo(1);
        assertThat(store.get(records.get(5).key(), fiveExpired)).isPresent();
        assertThat(store.valueBytes()).isEqualTo(records.get(5).encoded().length);
    }

    @Test
    void aSweepBeforeAnythingExpiredDeletesNothing() {
        RecordStore store = store(10, 1 << 20);
        put(store, record("prekeys", "bundle", 1), now);
        assertThat(store.sweep(now.plus(TTL).minusSeconds(1), 100)).isZero();
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void aNewerFerryRecordReplacesAnOlderOne() {
        RecordStore store = new RecordStore(validators);
        FerryRecord older = record("prekeys", "old bundle", 1);
        FerryRecord newer = record("prekeys", "new bundle", 2);
        put(store, older, now);
        advance(Duration.ofMinutes(5));

        PutResult result = put(store, newer, now);

        assertThat(result).isInstanceOf(PutResult.Stored.class);
        StoredRecord stored = store.get(newer.key(), now).orElseThrow();
        assertThat(stored.value()).isEqualTo(newer.encoded());
        assertThat(stored.received()).isEqualTo(now);
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.valueBytes()).isEqualTo(newer.encoded().length);
    }

    @Test
    void anOlderFerryRecordNeverReplacesANewerOne() {
        RecordStore store = new RecordStore(validators);
        FerryRecord older = record("prekeys", "old bundle", 1);
        FerryRecord newer = record("prekeys", "new bundle", 2);
        put(store, newer, now);
        Instant storedAt = now;
        advance(Duration.ofMinutes(5));

        PutResult result = put(store, older, now);

        assertThat(result).isInstanceOfSatisfying(PutResult.KeptExisting.class,
                kept -> assertThat(kept.existing().value()).isEqualTo(newer.encoded()));
        StoredRecord stored = store.get(newer.key(), now).orElseThrow();
        assertThat(stored.value()).isEqualTo(newer.encoded());
        assertThat(stored.received()).as("the kept record is not renewed by a worse one").isEqualTo(storedAt);
    }

    @Test
    void storingTheSameRecordAgainRenewsItsExpiryAsARepublishMust() {
        RecordStore store = store(10, 1 << 20);
        FerryRecord bundle = record("prekeys", "bundle", 1);
        put(store, bundle, now);
        advance(Duration.ofHours(22));

        assertThat(put(store, bundle, now)).isInstanceOf(PutResult.Stored.class);

        assertThat(store.get(bundle.key(), now.plus(TTL).minusSeconds(1))).isPresent();
        assertThat(store.size()).isEqualTo(1);
        assertThat(store.valueBytes()).isEqualTo(bundle.encoded().length);
    }

    @Test
    void anExpiredNewerRecordNoLongerKeepsOutAnOlderOne() {
        RecordStore store = store(10, 1 << 20);
        FerryRecord older = record("prekeys", "old bundle", 1);
        FerryRecord newer = record("prekeys", "new bundle", 2);
        put(store, newer, now);
        advance(TTL);

        assertThat(put(store, older, now)).isInstanceOf(PutResult.Stored.class);
        assertThat(store.get(older.key(), now).orElseThrow().value()).isEqualTo(older.encoded());
        assertThat(store.size()).isEqualTo(1);
    }

    @Test
    void aRecordWithABadSignatureIsRefusedWithTheValidatorsReason() {
        RecordStore store = new RecordStore(validators);
        FerryRecord bundle = record("prekeys", "bundle", 1);
        byte[] tampered = bundle.encoded();
        tampered[tampered.length - 1] ^= 1;
        Validation.Invalid expected = (Validation.Invalid) validators.validate(bundle.key(), tampered);

        PutResult result = store.put(bundle.key(), tampered, now);

        assertThat(result).isInstanceOfSatisfying(PutResult.Refused.class, refused -> {
            assertThat(refused.reason()).isEqualTo(PutResult.Reason.INVALID_RECORD);
            assertThat(refused.invalid()).contains(expected);
        });
        assertThat(store.get(bundle.key(), now)).isEmpty();
        assertThat(store.size()).isZero();
    }

    @Test
    void aKeyInNoKnownNamespaceIsRefusedAsTheValidatorsSay() {
        RecordStore store = new RecordStore(validators);

        PutResult result = store.put("/unknown/x".getBytes(StandardCharsets.US_ASCII), new byte[] {1}, now);

        assertThat(result).isInstanceOfSatisfying(PutResult.Refused.class, refused -> assertThat(
                refused.invalid().map(Validation.Invalid::reason)).contains(Validation.Reason.UNKNOWN_NAMESPACE));
    }

    @Test
    void aFullStoreRefusesANewKeyAndKeepsEveryRecordItHolds() {
        RecordStore store = store(2, 1 << 20);
        FerryRecord first = record("first", "1", 1);
        FerryRecord second = record("second", "2", 1);
        put(store, first, now);
        put(store, second, now);

        PutResult result = put(store, record("third", "3", 1), now);

        assertThat(result).isInstanceOfSatisfying(PutResult.Refused.class,
                refused -> assertThat(refused.reason()).isEqualTo(PutResult.Reason.TOO_MANY_RECORDS));
        assertThat(store.get(first.key(), now)).isPresent();
        assertThat(store.get(second.key(), now)).isPresent();
        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void aFullStoreStillTakesABetterRecordForAKeyItHolds() {
        RecordStore store = store(1, 1 << 20);
        put(store, record("prekeys", "old", 1), now);
        FerryRecord newer = record("prekeys", "new", 2);

        assertThat(put(store, newer, now)).isInstanceOf(PutResult.Stored.class);
        assertThat(store.get(newer.key(), now).orElseThrow().value()).isEqualTo(newer.encoded());
    }

    @Test
    void aValueThatWouldPassTheByteLimitIsRefusedAndNothingIsEvicted() {
        FerryRecord first = record("first", "a".repeat(100), 1);
        FerryRecord second = record("second", "b".repeat(100), 1);
        RecordStore store = store(10, first.encoded().length + second.encoded().length - 1);
        put(store, first, now);

        PutResult result = put(store, second, now);

        assertThat(result).isInstanceOfSatisfying(PutResult.Refused.class,
                refused -> assertThat(refused.reason()).isEqualTo(PutResult.Reason.TOO_MANY_BYTES));
        assertThat(store.get(first.key(), now)).isPresent();
        assertThat(store.valueBytes()).isEqualTo(first.encoded().length);
    }

    @Test
    void aValueLargerThanTheWholeStoreIsRefused() {
        FerryRecord big = record("big", "x".repeat(1000), 1);
        RecordStore store = store(10, 100);
        assertThat(put(store, big, now)).isInstanceOfSatisfying(PutResult.Refused.class,
                refused -> assertThat(refused.reason()).isEqualTo(PutResult.Reason.TOO_MANY_BYTES));
        assertThat(store.size()).isZero();
    }

    @Test
    void expiredRecordsMakeRoomForNewOnesBeforeTheNextSweep() {
        RecordStore store = store(2, 1 << 20);
        put(store, record("first", "1", 1), now);
        put(store, record("second", "2", 1), now);
        advance(TTL);
        FerryRecord third = record("third", "3", 1);

        assertThat(put(store, third, now)).isInstanceOf(PutResult.Stored.class);
        assertThat(store.get(third.key(), now)).isPresent();
        assertThat(store.size()).isLessThanOrEqualTo(2);
    }

    @Test
    void theTtlIsConfigurable() {
        RecordStore store = new RecordStore(validators, new RecordStore.Config(10, 1 << 20, Duration.ofMinutes(10)));
        FerryRecord bundle = record("prekeys", "bundle", 1);
        put(store, bundle, now);
        assertThat(store.get(bundle.key(), now.plus(Duration.ofMinutes(10)))).isEmpty();
        assertThat(store.sweep(now.plus(Duration.ofMinutes(10)), 10)).isEqualTo(1);
    }

    @Test
    void nonsenseLimitsAndBatchesAreRejected() {
        assertThatThrownBy(() -> new RecordStore.Config(0, 1, TTL)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecordStore.Config(1, 0, TTL)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecordStore.Config(1, 1, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RecordStore(validators).sweep(now, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
