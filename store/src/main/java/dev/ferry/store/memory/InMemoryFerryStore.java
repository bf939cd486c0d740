package dev.ferry.store.memory;

import dev.ferry.store.StoreLimits;
import dev.ferry.store.tables.SortedTables;
import dev.ferry.store.tables.Table;
import dev.ferry.store.tables.TableEntry;
import dev.ferry.store.tables.TableStore;
import dev.ferry.store.tables.TableWrite;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A {@link dev.ferry.store.FerryStore} in memory: sorted maps, one per table, a batch applied
 * under one lock so that readers see all of it or none. Nothing survives the process.
 */
public final class InMemoryFerryStore extends TableStore {
    private InMemoryFerryStore(StoreLimits limits) {
        super(new MapTables(), limits, "in memory");
    }

    /** An empty store enforcing {@code limits}. */
    public static InMemoryFerryStore create(StoreLimits limits) {
        return new InMemoryFerryStore(limits);
    }

    /** Sorted maps of copied arrays; a read-write lock makes each batch visible at once. */
    private static final class MapTables implements SortedTables {
        private final Map<Table, NavigableMap<byte[], byte[]>> tables = new EnumMap<>(Table.class);
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

        MapTables() {
            for (Table table : Table.values()) {
                tables.put(table, new TreeMap<>(Arrays::compareUnsigned));
            }
        }

        @Override
        public byte[] get(Table table, byte[] key) {
            lock.readLock().lock();
            try {
                byte[] value = tables.get(table).get(key);
                return value == null ? null : value.clone();
            } finally {
                lock.readLock().unlock();
            }
        }

        @Override
        public List<TableEntry> scan(Table table, byte[] from, byte[] prefix, int limit) {
            lock.readLock().lock();
            try {
                List<TableEntry> out = new ArrayList<>();
                for (Map.Entry<byte[], byte[]> entry : tables.get(table).tailMap(from, true).entrySet()) {
                    byte[] key = entry.getKey();
                    if (out.size() == limit || !startsWith(key, prefix)) {
                        break;
                    }
                    out.add(new TableEntry(key.clone(), entry.getValue().clone()));
                }
                return out;
            } finally {
                lock.readLock().unlock();
            }
        }

        private static boolean startsWith(byte[] key, byte[] prefix) {
            return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
        }

        @Override
        public void apply(List<TableWrite> writes) {
            lock.writeLock().lock();
            try {
                for (TableWrite write : writes) {
                    if (write.isDelete()) {
                        tables.get(write.table()).remove(write.key());
                    } else {
                        tables.get(write.table()).put(write.key().clone(), write.value().clone());
                    }
                }
            } finally {
                lock.writeLock().unlock();
            }
        }

        @Override
        public void close() {
            lock.writeLock().lock();
            try {
                tables.values().forEach(Map::clear);
            } finally {
                lock.writeLock().unlock();
            }
        }
    }
}
