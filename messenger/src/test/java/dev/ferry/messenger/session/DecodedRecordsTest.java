package dev.ferry.messenger.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.messenger.ManualClock;
import dev.ferry.store.PeerBytes;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DecodedRecordsTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final SecureRandom random = new SecureRandom();
    private final SessionParty alice = SessionParty.inMemory("alice", clock, random);
    private final SessionParty bob = SessionParty.inMemory("bob", clock, random);
    private final PeerBytes bobKey = PeerBytes.of(bob.peerId().toBytes());

    private byte[] aliceRecordOfBob() {
        alice.send(bob, "hello");
        return alice.store.sessions().get(bobKey).orElseThrow();
    }

    @Test
    void takesTheRecordWrittenAsTheStoredBytesOnceThenDecodesAgain() {
        byte[] stored = aliceRecordOfBob();
        SessionRecord written = SessionRecord.decode(stored);
        DecodedRecords records = new DecodedRecords(DecodedRecords.MAX_BYTES);
        records.put(bobKey, stored.clone(), written);

        assertThat(records.take(bobKey, Optional.of(stored))).containsSame(written);
        // Taken means gone: the taker may change it, so the next call decodes the bytes again.
        assertThat(records.holds(bobKey)).isFalse();
        SessionRecord again = records.take(bobKey, Optional.of(stored)).orElseThrow();
        assertThat(again).isNotSameAs(written);
        assertThat(again.encode()).isEqualTo(stored);
    }

    @Test
    void decodesWhatIsStoredWhenTheKeptRecordStandsForOtherBytes() {
        byte[] stored = aliceRecordOfBob();
        SessionRecord unwritten = SessionRecord.decode(stored);
        unwritten.revision++;
        unwritten.nextSendSequence += 10;
        DecodedRecords records = new DecodedRecords(DecodedRecords.MAX_BYTES);
        // A change that was computed but whose batch never ran: the store still has the old bytes.
        records.put(bobKey, unwritten.encode(), unwritten);

        SessionRecord taken = records.take(bobKey, Optional.of(stored)).orElseThrow();
        assertThat(taken).isNotSameAs(unwritten);
        assertThat(taken.encode()).isEqualTo(stored);
        assertThat(records.take(bobKey, Optional.empty())).isEmpty();
    }

    @Test
    void dropsTheLeastRecentlyWrittenPastItsBytes() {
        byte[] stored = aliceRecordOfBob();
        SessionRecord record = SessionRecord.decode(stored);
        DecodedRecords records = new DecodedRecords(stored.length * 3L);
        for (int i = 0; i < 5; i++) records.put(PeerBytes.of(new byte[] {(byte) i}), stored, record);

        assertThat(records.size()).isEqualTo(3);
        assertThat(records.holds(PeerBytes.of(new byte[] {1}))).isFalse();
        assertThat(records.holds(PeerBytes.of(new byte[] {2}))).isTrue();
        assertThat(records.holds(PeerBytes.of(new byte[] {4}))).isTrue();
        DecodedRecords small = new DecodedRecords(stored.length - 1L);
        small.put(bobKey, stored, record);
        assertThat(small.holds(bobKey)).as("a record larger than the whole bound").isFalse();
    }
}
