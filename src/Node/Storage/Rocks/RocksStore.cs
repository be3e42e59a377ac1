using RocksDbSharp;

namespace Chain.Node.Storage.Rocks;

/// <summary>
/// One RocksDB database with the column families of <see cref="Column"/>. The only type in the node
/// that touches RocksDbSharp. Reads are thread-safe; writes go through <see cref="Write"/>.
/// </summary>
internal sealed class RocksStore : IDisposable
{
    private readonly RocksDb _db;
    private readonly ColumnFamilyHandle[] _columns;
    private readonly WriteOptions _syncWrite = new WriteOptions().SetSync(true);
    private readonly ReadOptions _scanOptions = new ReadOptions().SetFillCache(false);

    private RocksStore(RocksDb db)
    {
        _db = db;
        _columns = Enum.GetValues<Column>().Select(c => db.GetColumnFamily(ColumnName(c))).ToArray();
    }

    public string Path => _db.Path;

    /// <summary>
    /// The write-ahead log is kept to at most this much (256 MiB): past it, RocksDB flushes the columns that hold the oldest
    /// log file. Without a bound it is four times the columns' memtable budget (8 × 2 × 64 MiB × 4 = 4 GiB), because a
    /// column written a little per block (block hashes, meta) flushes rarely and keeps every log since its last flush:
    /// measured 3.6 GB of logs beside 1.1 GB of tables at 400,000 donations, all of it replayed when the node restarts.
    /// </summary>
    public const ulong DefaultMaxWalBytes = 256UL << 20;

    public static RocksStore Open(string path, bool readOnly = false, ulong maxWalBytes = DefaultMaxWalBytes)
    {
        var options = new DbOptions()
            .SetCreateIfMissing(!readOnly)
            .SetCreateMissingColumnFamilies(!readOnly)
            .SetKeepLogFileNum(4)
            .SetMaxOpenFiles(256)
            .SetMaxTotalWalSize(maxWalBytes);
        var families = new ColumnFamilies();
        foreach (var column in Enum.GetValues<Column>()) families.Add(ColumnName(column), ColumnOptions(column));
        try
        {
            if (!readOnly) Directory.CreateDirectory(path);
            var db = readOnly ? RocksDb.OpenReadOnly(options, path, families, errIfLogFileExists: false) : RocksDb.Open(options, path, families);
            return new RocksStore(db);
        }
        catch (RocksDbException e)
        {
            throw new StorageException($"cannot open ledger database at '{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Columns read by exact key get a Bloom filter (10 bits per key, about 1% false positives): most
    /// lookups ask for keys that do not exist yet (every new tx id, every new state key), and the filter
    /// answers those without touching data blocks.
    /// </summary>
    private static ColumnFamilyOptions ColumnOptions(Column column)
    {
        var options = new ColumnFamilyOptions();
        if (column is Column.TxIndex or Column.State or Column.BlockHashes)
            options.SetBlockBasedTableFactory(new BlockBasedTableOptions().SetFilterPolicy(BloomFilterPolicy.Create(10, false)).SetWholeKeyFiltering(true));
        return options;
    }

    public byte[]? Get(Column column, ReadOnlySpan<byte> key) => _db.Get(key, _columns[(int)column]);

    public byte[]? Get(Column column, ReadOnlySpan<byte> key, StoreSnapshot? snapshot) =>
        snapshot is null ? Get(column, key) : _db.Get(key, _columns[(int)column], snapshot.ReadOptions);

    /// <summary>A consistent point-in-time view for reads that must not see a commit land halfway.</summary>
    public StoreSnapshot CreateSnapshot() => new(_db.CreateSnapshot());

    public bool Exists(Column column, ReadOnlySpan<byte> key) => _db.HasKey(key, _columns[(int)column]);

    /// <summary>Entries with lower ≤ key &lt; upper in ascending order (upper null: to the end).</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(Column column, byte[] lower, byte[]? upper, int limit = int.MaxValue, StoreSnapshot? snapshot = null)
    {
        if (limit <= 0) yield break;
        var options = new ReadOptions().SetFillCache(false).SetIterateLowerBound(lower);
        if (snapshot is not null) options.SetSnapshot(snapshot.Handle);
        if (upper is not null) options.SetIterateUpperBound(upper);
        using var iterator = _db.NewIterator(_columns[(int)column], options);
        int count = 0;
        for (iterator.Seek(lower); iterator.Valid(); iterator.Next())
        {
            yield return new(iterator.Key(), iterator.Value());
            if (++count >= limit) yield break;
        }
        GC.KeepAlive(options);
    }

    /// <summary>
    /// Visits every entry under each of the given prefixes, which must be sorted ascending, with one
    /// iterator: a seek per prefix instead of a new iterator per prefix.
    /// </summary>
    public void ForEachInPrefixes(Column column, IReadOnlyList<byte[]> sortedPrefixes, PrefixVisitor visit)
    {
        if (sortedPrefixes.Count == 0) return;
        using var iterator = _db.NewIterator(_columns[(int)column], _scanOptions);
        for (int i = 0; i < sortedPrefixes.Count; i++)
        {
            var prefix = sortedPrefixes[i];
            for (iterator.Seek(prefix); iterator.Valid(); iterator.Next())
            {
                var key = iterator.GetKeySpan();
                if (!key.StartsWith(prefix)) break;
                visit(i, key, iterator.GetValueSpan());
            }
        }
    }

    /// <summary>Visits every entry of a column in key order, without copying keys or values (spans valid during the call only).</summary>
    public void ForEach(Column column, Action<ReadOnlySpan<byte>, ReadOnlySpan<byte>> visit)
    {
        using var iterator = _db.NewIterator(_columns[(int)column], _scanOptions);
        for (iterator.SeekToFirst(); iterator.Valid(); iterator.Next()) visit(iterator.GetKeySpan(), iterator.GetValueSpan());
    }

    /// <summary>The last entry of a column, if any.</summary>
    public KeyValuePair<byte[], byte[]>? Last(Column column)
    {
        using var iterator = _db.NewIterator(_columns[(int)column], _scanOptions);
        iterator.SeekToLast();
        return iterator.Valid() ? new(iterator.Key(), iterator.Value()) : null;
    }

    /// <summary>The last entry with lower ≤ key &lt; upper, if any: one seek, however many entries the range holds.</summary>
    public KeyValuePair<byte[], byte[]>? LastInRange(Column column, byte[] lower, byte[] upper, StoreSnapshot? snapshot = null)
    {
        var options = new ReadOptions().SetFillCache(false).SetIterateLowerBound(lower).SetIterateUpperBound(upper);
        if (snapshot is not null) options.SetSnapshot(snapshot.Handle);
        using var iterator = _db.NewIterator(_columns[(int)column], options);
        iterator.SeekToLast();
        var last = iterator.Valid() ? new KeyValuePair<byte[], byte[]>(iterator.Key(), iterator.Value()) : (KeyValuePair<byte[], byte[]>?)null;
        GC.KeepAlive(options);
        return last;
    }

    public StoreBatch CreateBatch() => new(this);

    /// <summary>
    /// A consistent copy of the database, at a write-batch boundary, in <paramref name="directory"/> (which must not exist).
    /// RocksDB hard-links the table files of a checkpoint; they are copied here, so the copy shares no file with the
    /// live database: a backup that is damaged or altered cannot damage the ledger, and the other way round.
    /// </summary>
    public void Checkpoint(string directory)
    {
        try
        {
            using (var checkpoint = _db.Checkpoint()) checkpoint.Save(directory);
        }
        catch (RocksDbException e)
        {
            throw new StorageException($"cannot write a checkpoint of '{Path}' to '{directory}': {e.Message}", e);
        }
        foreach (var file in Directory.GetFiles(directory))
        {
            var copy = file + ".copy";
            File.Copy(file, copy);
            File.Move(copy, file, overwrite: true);
        }
    }

    /// <summary>Applies the batch atomically; with <paramref name="sync"/> it is on disk when this returns.</summary>
    internal void Write(WriteBatch batch, bool sync) => _db.Write(batch, sync ? _syncWrite : null);

    internal ColumnFamilyHandle Handle(Column column) => _columns[(int)column];

    /// <summary>Live table files and memtables summed over every column, and the write-ahead log files on disk: what a monitor watches grow.</summary>
    public StoreSizes Sizes()
    {
        long tables = 0, memtables = 0;
        foreach (var column in _columns)
        {
            tables += long.TryParse(_db.GetProperty("rocksdb.live-sst-files-size", column), out var t) ? t : 0;
            memtables += long.TryParse(_db.GetProperty("rocksdb.cur-size-all-mem-tables", column), out var m) ? m : 0;
        }
        long log = Directory.EnumerateFiles(_db.Path, "*.log").Sum(f => { try { return new FileInfo(f).Length; } catch (IOException) { return 0L; } });
        return new StoreSizes(tables, log, memtables);
    }

    private static string ColumnName(Column column) => column.ToString().ToLowerInvariant();

    private int _disposed;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _db.Dispose();
    }
}

/// <summary>
/// Writes collected for one atomic commit. Nothing is written until <see cref="Commit"/>; disposing
/// without committing discards everything.
/// </summary>
internal sealed class StoreBatch : IDisposable
{
    private readonly RocksStore _store;
    private readonly WriteBatch _batch = new();

    internal StoreBatch(RocksStore store) => _store = store;

    public int Count => _batch.Count();

    public StoreBatch Put(Column column, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        _batch.Put(key, value, _store.Handle(column));
        return this;
    }

    public StoreBatch Delete(Column column, ReadOnlySpan<byte> key)
    {
        _batch.Delete(key, _store.Handle(column));
        return this;
    }

    public void Commit(bool sync = true) => _store.Write(_batch, sync);

    public void Dispose() => _batch.Dispose();
}

public readonly record struct StoreSizes(long Tables, long Log, long Memtables);

public delegate void PrefixVisitor(int prefixIndex, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

/// <summary>A RocksDB snapshot; reads through it see the database as it was when it was taken.</summary>
internal sealed class StoreSnapshot : IDisposable
{
    internal StoreSnapshot(Snapshot snapshot)
    {
        Handle = snapshot;
        ReadOptions = new ReadOptions().SetSnapshot(snapshot);
    }

    internal Snapshot Handle { get; }
    internal ReadOptions ReadOptions { get; }

    public void Dispose() => Handle.Dispose();
}
