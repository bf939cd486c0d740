package dev.ferry.store.rocks;

import dev.ferry.store.Durability;
import dev.ferry.store.EnvelopeId;
import dev.ferry.store.StoreFailureException;
import dev.ferry.store.StoreLimits;
import dev.ferry.store.tables.SortedTables;
import dev.ferry.store.tables.Table;
import dev.ferry.store.tables.TableEntry;
import dev.ferry.store.tables.TableStore;
import dev.ferry.store.tables.TableWrite;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.CompressionType;
import org.rocksdb.DBOptions;
import org.rocksdb.FlushOptions;
import org.rocksdb.HashSkipListMemTableConfig;
import org.rocksdb.LRUCache;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The node's {@link dev.ferry.store.FerryStore} in a RocksDB database: one column family per
 * {@link Table}, every write one WriteBatch with the write-ahead log on. Native errors become
 * {@link StoreFailureException}s naming the directory.
 *
 * <p>Durability: with {@link Durability#PROCESS_CRASH} (the default) a write that returned is in
 * the write-ahead log in the OS page cache, so it survives the node being killed; with
 * {@link Durability#POWER_LOSS} the log is also fsynced, so it survives power loss.
 */
public final class RocksFerryStore extends TableStore {
    /**
     * 64 MiB of block cache shared by all column families: the hot mailboxes and sessions of a
     * relay fit, and a small machine keeps most of its memory.
     */
    public static final long BLOCK_CACHE_BYTES = 64L << 20;

    /** 64 MiB in total of write-ahead log before column families are flushed, so the log and restart replay stay short. */
    public static final long MAX_TOTAL_WAL_BYTES = 64L << 20;

    /** 512 open table files at most: file descriptors stay well under the usual soft limit of 1024, leaving room for sockets. */
    public static final int MAX_OPEN_FILES = 512;

    /** 10 bits per key: about 1% false positives, so a miss (a get for a shard not held) seldom reads a block. */
    private static final double BLOOM_BITS_PER_KEY = 10;

    /**
     * A whole-key Bloom filter over the memtables of the tables whose gets mostly miss (a STORE
     * asks whether the shard is held and whether its envelope was acknowledged): a miss then
     * skips the memtable's skip-list search. 1 % of the 64 MiB write buffer, 0.6 MiB per table.
     */
    private static final double MEMTABLE_BLOOM_RATIO = 0.01;

    /**
     * Shard keys start with their envelope's id, and every scan of the shard table is of one
     * envelope's shards (a HAS's, an upkeep check's, an ACK's that does not name the shard count):
     * with that prefix the shard memtable is a hash of small skip lists, one per envelope, so that
     * a scan or get finds its envelope's bucket at once instead of searching one skip list of
     * every shard in the memtable.
     */
    private static final int SHARD_PREFIX_LENGTH = EnvelopeId.LENGTH;

    /** Buckets of the shard memtable's hash: 0.5 MiB of pointers, a few envelopes per bucket in a full 64 MiB memtable. */
    private static final long SHARD_MEMTABLE_BUCKETS = 1L << 16;

    private final RocksTables rocks;

    private RocksFerryStore(RocksTables rocks, StoreLimits limits) {
        super(rocks, limits, rocks.directory.toString());
        this.rocks = rocks;
    }

    /** Opens (creating if missing) the store in {@code directory}, with {@link Durability#PROCESS_CRASH}. */
    public static RocksFerryStore open(Path directory, StoreLimits limits) {
        return open(directory, limits, Durability.PROCESS_CRASH);
    }

    /**
     * Opens (creating if missing) the store in {@code directory}.
     *
     * @throws StoreFailureException if RocksDB cannot open it (another process holds it, it is
     *     not a directory, it is corrupt...)
     */
    public static RocksFerryStore open(Path directory, StoreLimits limits, Durability durability) {
        return new RocksFerryStore(RocksTables.open(directory, durability), limits);
    }

    /** The data directory. */
    public Path directory() {
        return rocks.directory;
    }

    /**
     * Writes a consistent copy of the database to {@code target} (which must not exist) while
     * the store runs: a RocksDB checkpoint, hard links where the file system allows. Open the
     * copy with {@link #open} to restore.
     */
    public void checkpoint(Path target) {
        whileOpen(() -> {
            rocks.checkpoint(target);
            return null;
        });
    }

    /** The RocksDB handles, closed in reverse order of opening. */
    private static final class RocksTables implements SortedTables {
        private final Path directory;
        private final LRUCache cache;
        private final List<ColumnFamilyOptions> familyOptions;
        private final DBOptions dbOptions;
        private final WriteOptions writeOptions;
        private final ReadOptions readOptions;
        private final List<ColumnFamilyHandle> handles;
        private final Map<Table, ColumnFamilyHandle> families;
        private final RocksDB db;

        private RocksTables(Path directory, LRUCache cache, List<ColumnFamilyOptions> familyOptions, DBOptions dbOptions,
                WriteOptions writeOptions, List<ColumnFamilyHandle> handles, RocksDB db) {
            this.directory = directory;
            this.cache = cache;
            this.familyOptions = familyOptions;
            this.dbOptions = dbOptions;
            this.writeOptions = writeOptions;
            this.readOptions = new ReadOptions();
            this.handles = handles;
            this.db = db;
            this.families = new EnumMap<>(Table.class);
            for (Table table : Table.values()) {
                families.put(table, handles.get(table.ordinal() + 1));
            }
        }

        static RocksTables open(Path directory, Durability durability) {
            RocksDB.loadLibrary();
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw new StoreFailureException(directory, "create directory", e);
            }
            LRUCache cache = new LRUCache(BLOCK_CACHE_BYTES);
            ColumnFamilyOptions familyOptions = new ColumnFamilyOptions()
                    .setTableFormatConfig(new BlockBasedTableConfig()
                            .setBlockCache(cache)
                            .setFilterPolicy(new BloomFilter(BLOOM_BITS_PER_KEY)));
            // Shards are ciphertext: compressing them costs CPU and saves nothing.
            ColumnFamilyOptions shardOptions = new ColumnFamilyOptions(familyOptions)
                    .setCompressionType(CompressionType.NO_COMPRESSION)
                    .useFixedLengthPrefixExtractor(SHARD_PREFIX_LENGTH)
                    .setMemTableConfig(new HashSkipListMemTableConfig().setBucketCount(SHARD_MEMTABLE_BUCKETS))
                    .setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO)
                    .setMemtableWholeKeyFiltering(true);
            ColumnFamilyOptions tombstoneOptions = new ColumnFamilyOptions(familyOptions)
                    .setMemtablePrefixBloomSizeRatio(MEMTABLE_BLOOM_RATIO)
                    .setMemtableWholeKeyFiltering(true);
            DBOptions dbOptions = new DBOptions()
                    .setCreateIfMissing(true)
                    .setCreateMissingColumnFamilies(true)
                    .setMaxTotalWalSize(MAX_TOTAL_WAL_BYTES)
                    .setMaxOpenFiles(MAX_OPEN_FILES)
                    // The hash memtable of the shard table takes its writes one at a time.
                    .setAllowConcurrentMemtableWrite(false);
            WriteOptions writeOptions = new WriteOptions()
                    .setDisableWAL(false)
                    .setSync(durability == Durability.POWER_LOSS);
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, familyOptions));
            for (Table table : Table.values()) {
                descriptors.add(new ColumnFamilyDescriptor(table.familyName().getBytes(StandardCharsets.UTF_8),
                        switch (table) {
                            case SHARDS -> shardOptions;
                            case TOMBSTONES -> tombstoneOptions;
                            default -> familyOptions;
                        }));
            }
            List<ColumnFamilyHandle> handles = new ArrayList<>();
            try {
                RocksDB db = RocksDB.open(dbOptions, directory.toString(), descriptors, handles);
                return new RocksTables(directory, cache, List.of(familyOptions, shardOptions, tombstoneOptions), dbOptions, writeOptions,
                        handles, db);
            } catch (RocksDBException e) {
                handles.forEach(ColumnFamilyHandle::close);
                writeOptions.close();
                dbOptions.close();
                shardOptions.close();
                tombstoneOptions.close();
                familyOptions.close();
                cache.close();
                throw new StoreFailureException(directory, "open", e);
            }
        }

        @Override
        public byte[] get(Table table, byte[] key) {
            try {
                return db.get(families.get(table), readOptions, key);
            } catch (RocksDBException e) {
                throw new StoreFailureException(directory, "read " + table.familyName(), e);
            }
        }

        @Override
        public List<TableEntry> scan(Table table, byte[] from, byte[] prefix, int limit) {
            List<TableEntry> out = new ArrayList<>();
            // Bounded at the end of the prefix: the iterator then stops there instead of stepping over
            // the delete markers after it (an acknowledged envelope leaves one per shard, until compaction).
            byte[] end = prefixEnd(prefix);
            // A shard scan by envelope seeks in its prefix's bucket; any other shard scan must see the whole order.
            boolean totalOrder = table == Table.SHARDS && prefix.length != SHARD_PREFIX_LENGTH;
            try (Slice bound = end == null ? null : new Slice(end);
                    ReadOptions options = new ReadOptions().setTotalOrderSeek(totalOrder);
                    RocksIterator iterator = db.newIterator(families.get(table),
                            bound == null ? options : options.setIterateUpperBound(bound))) {
                for (iterator.seek(from); iterator.isValid() && out.size() < limit; iterator.next()) {
                    byte[] key = iterator.key();
                    if (key.length < prefix.length
                            || !Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
                        break;
                    }
                    out.add(new TableEntry(key, iterator.value()));
                }
                iterator.status();
            } catch (RocksDBException e) {
                throw new StoreFailureException(directory, "scan " + table.familyName(), e);
            }
            return out;
        }

        /** The first key after every key starting with {@code prefix}; null for none (an empty or all-0xFF prefix). */
        private static byte[] prefixEnd(byte[] prefix) {
            for (int i = prefix.length - 1; i >= 0; i--) {
                if (prefix[i] != (byte) 0xFF) {
                    byte[] end = Arrays.copyOf(prefix, i + 1);
                    end[i]++;
                    return end;
                }
            }
            return null;
        }

        @Override
        public void apply(List<TableWrite> writes) {
            try (WriteBatch batch = new WriteBatch()) {
                for (TableWrite write : writes) {
                    if (write.isDelete()) {
                        batch.delete(families.get(write.table()), write.key());
                    } else {
                        batch.put(families.get(write.table()), write.key(), write.value());
                    }
                }
                db.write(writeOptions, batch);
            } catch (RocksDBException e) {
                throw new StoreFailureException(directory, "write", e);
            }
        }

        void checkpoint(Path target) {
            try (Checkpoint checkpoint = Checkpoint.create(db)) {
                checkpoint.createCheckpoint(target.toString());
            } catch (RocksDBException e) {
                throw new StoreFailureException(directory, "checkpoint to " + target, e);
            }
        }

        @Override
        public void close() {
            // Memtables to table files first: the next open then reads those instead of replaying
            // every write since the last flush from the log. If this fails, the log still has it all.
            try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
                db.flush(flush, handles);
            } catch (RocksDBException e) {
                System.getLogger(RocksFerryStore.class.getName()).log(System.Logger.Level.WARNING,
                        "flushing " + directory + " before closing it failed; the next open replays its log", e);
            }
            // Column family handles first, then the database, then the options they used.
            handles.forEach(ColumnFamilyHandle::close);
            try {
                db.closeE();
            } catch (RocksDBException e) {
                throw new StoreFailureException(directory, "close", e);
            } finally {
                readOptions.close();
                writeOptions.close();
                dbOptions.close();
                familyOptions.forEach(ColumnFamilyOptions::close);
                cache.close();
            }
        }
    }
}
