package dev.ferry.dht.record;

import java.util.List;

/**
 * The {@code /ferry/} namespace: values signed by the peer the key names ({@link FerryRecord}
 * says exactly what is valid). The best of several is the one with the highest sequence; ties go
 * to the greatest encoded value, so that every node picks the same.
 */
public final class FerryRecordValidator implements RecordValidator {
    @Override
    public String namespace() {
        return FerryRecord.NAMESPACE;
    }

    @Override
    public Validation validate(byte[] key, byte[] value) {
        return switch (FerryRecord.open(key, value)) {
            case FerryRecord.Opening.Verified verified -> Validation.valid();
            case FerryRecord.Opening.Rejected rejected -> rejected.why();
        };
    }

    /**
     * The highest sequence, compared unsigned; among equal sequences the greatest encoded value,
     * compared as unsigned bytes; among equal values the first. A value that is not valid is never
     * chosen over a valid one; if none is valid, the first is returned.
     */
    @Override
    public int select(byte[] key, List<byte[]> values) {
        if (values.isEmpty()) throw new IllegalArgumentException("nothing to select from");
        int best = 0;
        FerryRecord bestRecord = null;
        for (int i = 0; i < values.size(); i++) {
            if (FerryRecord.open(key, values.get(i)) instanceof FerryRecord.Opening.Verified(FerryRecord record)
                    && (bestRecord == null || record.isBetterThan(bestRecord))) {
                best = i;
                bestRecord = record;
            }
        }
        return best;
    }
}
