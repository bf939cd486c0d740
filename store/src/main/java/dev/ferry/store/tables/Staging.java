package dev.ferry.store.tables;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The writes of one batch, not yet applied, over the tables they will be applied to: reads see
 * the staged writes first, so a batch reads what it wrote.
 */
final class Staging {
    private final SortedTables base;
    private final Map<Table, TreeMap<byte[], byte[]>> staged = new EnumMap<>(Table.class);
    /** Values read from the tables, absent ones as null: the tables do not change under a staging (writes are serialized). */
    private final Map<Table, TreeMap<byte[], byte[]>> read = new EnumMap<>(Table.class);
    /** Scans of the tables made so far, by table, start and prefix: an ACK reads an envelope's shards, then deletes them. */
    private final Map<String, Scanned> scanned = new HashMap<>();

    /** What a scan of the tables returned, and the limit it was asked for. */
    private record Scanned(List<TableEntry> entries, int limit) {}

    Staging(SortedTables base) {
        this.base = base;
    }

    byte[] get(Table table, byte[] key) {
        TreeMap<byte[], byte[]> writes = staged.get(table);
        if (writes != null && writes.containsKey(key)) {
            return writes.get(key);
        }
        TreeMap<byte[], byte[]> known = read.computeIfAbsent(table, t -> new TreeMap<>(Arrays::compareUnsigned));
        if (known.containsKey(key)) {
            return known.get(key);
        }
        byte[] value = base.get(table, key);
        known.put(key, value);
        return value;
    }

    List<TableEntry> scan(Table table, byte[] from, byte[] prefix, int limit) {
        TreeMap<byte[], byte[]> writes = staged.get(table);
        if (writes == null || writes.isEmpty()) {
            return baseScan(table, from, prefix, limit);
        }
        // Deletes staged in this batch may hide base entries: read enough more to still fill the page.
        long deletes = writes.values().stream().filter(v -> v == null).count();
        TreeMap<byte[], byte[]> merged = new TreeMap<>(Arrays::compareUnsigned);
        for (TableEntry entry : baseScan(table, from, prefix, (int) Math.min(Integer.MAX_VALUE, limit + deletes))) {
            merged.put(entry.key(), entry.value());
        }
        for (Map.Entry<byte[], byte[]> write : writes.tailMap(from, true).entrySet()) {
            if (!Layout.startsWith(write.getKey(), prefix)) {
                if (Arrays.compareUnsigned(write.getKey(), prefix) > 0) {
                    break;
                }
                continue;
            }
            merged.put(write.getKey(), write.getValue());
        }
        List<TableEntry> out = new ArrayList<>(Math.min(limit, merged.size()));
        for (Map.Entry<byte[], byte[]> entry : merged.entrySet()) {
            if (out.size() == limit) {
                break;
            }
            if (entry.getValue() != null) {
                out.add(new TableEntry(entry.getKey(), entry.getValue()));
            }
        }
        return out;
    }

    /** A scan of the tables, answered from an earlier one that covers it when there is one. */
    private List<TableEntry> baseScan(Table table, byte[] from, byte[] prefix, int limit) {
        String key = table.ordinal() + ":" + new String(from, StandardCharsets.ISO_8859_1) + ":"
                + new String(prefix, StandardCharsets.ISO_8859_1);
        Scanned earlier = scanned.get(key);
        // It covers this one if it asked for as many or more, or found fewer than it asked for (all there are).
        if (earlier != null && (earlier.limit() >= limit || earlier.entries().size() < earlier.limit())) {
            return earlier.entries().size() > limit ? earlier.entries().subList(0, limit) : earlier.entries();
        }
        List<TableEntry> entries = base.scan(table, from, prefix, limit);
        scanned.put(key, new Scanned(entries, limit));
        return entries;
    }

    void put(Table table, byte[] key, byte[] value) {
        staged.computeIfAbsent(table, t -> new TreeMap<>(Arrays::compareUnsigned)).put(key, value);
    }

    void delete(Table table, byte[] key) {
        staged.computeIfAbsent(table, t -> new TreeMap<>(Arrays::compareUnsigned)).put(key, null);
    }

    boolean isEmpty() {
        return staged.values().stream().allMatch(Map::isEmpty);
    }

    List<TableWrite> writes() {
        List<TableWrite> out = new ArrayList<>();
        staged.forEach((table, writes) -> writes.forEach((key, value) -> out.add(new TableWrite(table, key, value))));
        return out;
    }
}
