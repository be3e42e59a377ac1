using Chain.Node.Storage;
using Chain.Node.Storage.Rocks;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Node.Ledger;

/// <summary>
/// One channel's ledger in its own RocksDB database: blocks, tx index, world state, key history,
/// event index and the savepoint. The block store is the source of truth; every block and all of its
/// derived rows are written in one synced WriteBatch together with the savepoint, so a crash leaves
/// either the whole block or none of it.
/// </summary>
/// <remarks>Reads are thread-safe. <see cref="Commit"/> must be called by one thread at a time.</remarks>
internal sealed partial class ChannelLedger : IStateReader, IDisposable
{
    private readonly RocksStore _store;
    private readonly StateCommitment _commitment;
    private volatile ChainHead _head;
    // Makes "write the batch, advance the head" atomic for snapshot readers.
    private readonly Lock _commitLock = new();

    private ChannelLedger(string channel, RocksStore store, StateCommitment commitment, ChainHead head)
    {
        Channel = channel;
        _store = store;
        _commitment = commitment;
        _head = head;
    }

    public string Channel { get; }
    public string Path => _store.Path;
    /// <summary>Number of committed blocks (genesis included); the next block's number.</summary>
    public ulong Height => _head.Height;
    public byte[] LastHash => _head.LastHash;
    public byte[] StateRoot => _head.StateRoot;
    public ChainHead Head => _head;

    internal RocksStore Store => _store;

    /// <summary>A consistent copy of this ledger in <paramref name="directory"/>, taken while it goes on committing (<see cref="RocksStore.Checkpoint"/>).</summary>
    public void Checkpoint(string directory) => _store.Checkpoint(directory);
    public StoreSizes StoreSizes() => _store.Sizes();

    /// <summary>Time the last <see cref="Commit"/> spent building its batch and writing it (synced).</summary>
    public TimeSpan LastBatchBuildTime { get; private set; }
    public TimeSpan LastBatchWriteTime { get; private set; }
    internal StateCommitment Commitment => _commitment;

    public Block? GetBlock(ulong number)
    {
        var bytes = _store.Get(Column.Blocks, KeyCodec.BlockNumber(number));
        return bytes is null ? null : Block.Parser.ParseFrom(bytes);
    }

    public ulong? GetBlockNumber(ReadOnlySpan<byte> hash)
    {
        var value = _store.Get(Column.BlockHashes, hash);
        return value is null ? null : KeyCodec.ParseBlockNumber(value);
    }

    public (ulong Block, uint TxIndex, int Code)? GetTxLocation(ReadOnlySpan<byte> txId)
    {
        var value = _store.Get(Column.TxIndex, txId);
        return value is null ? null : Values.ParseTxLocation(value);
    }

    public bool ContainsTx(ReadOnlySpan<byte> txId) => _store.Exists(Column.TxIndex, txId);

    /// <summary>Committed value of an encoded state key, without its version.</summary>
    public byte[]? GetState(ReadOnlySpan<byte> stateKey) => ReadState(stateKey, null);

    public IEnumerable<KeyValuePair<byte[], byte[]>> ScanState(byte[] lower, byte[]? upper, int limit) => ReadScan(lower, upper, limit, null);

    /// <summary>History entries of a key, oldest first, starting at (fromBlock, fromTx).</summary>
    public IEnumerable<HistoryRecord> GetHistory(byte[] stateKey, ulong fromBlock, uint fromTx, int limit) => ReadHistory(stateKey, fromBlock, fromTx, limit, null);

    /// <summary>
    /// A point-in-time view of committed state together with the head it belongs to. Queries read
    /// through it so that a block committing meanwhile is seen either whole or not at all.
    /// </summary>
    public LedgerSnapshot OpenSnapshot()
    {
        lock (_commitLock) return new LedgerSnapshot(this, _store.CreateSnapshot(), _head);
    }

    internal byte[]? ReadState(ReadOnlySpan<byte> stateKey, StoreSnapshot? snapshot)
    {
        var value = _store.Get(Column.State, stateKey, snapshot);
        return value is null ? null : Values.DataOfVersionedValue(value).ToArray();
    }

    internal IEnumerable<KeyValuePair<byte[], byte[]>> ReadScan(byte[] lower, byte[]? upper, int limit, StoreSnapshot? snapshot) =>
        _store.Scan(Column.State, lower, upper, limit, snapshot).Select(kv => new KeyValuePair<byte[], byte[]>(kv.Key, Values.DataOfVersionedValue(kv.Value).ToArray()));

    internal IEnumerable<HistoryRecord> ReadHistory(byte[] stateKey, ulong fromBlock, uint fromTx, int limit, StoreSnapshot? snapshot)
    {
        var prefix = KeyCodec.HistoryPrefix(stateKey);
        foreach (var (key, value) in _store.Scan(Column.History, KeyCodec.History(stateKey, fromBlock, fromTx), KeyCodec.PrefixUpperBound(prefix), limit, snapshot))
        {
            var (block, tx) = KeyCodec.ParseHistoryVersion(key);
            var (txId, timestampMs, data) = Values.ParseHistoryEntry(value);
            yield return new HistoryRecord(block, tx, txId, timestampMs, data);
        }
    }

    /// <summary>Index entries (domain index rows) under <paramref name="prefix"/> from (block, tx, event) on, in block order, with their positions.</summary>
    public IEnumerable<(ulong Block, uint Tx, uint Event, byte[] Value)> ReadIndex(byte[] prefix, ulong fromBlock, uint fromTx, uint fromEvent, int limit)
    {
        foreach (var (key, value) in _store.Scan(Column.Events, KeyCodec.WithPosition(prefix, fromBlock, fromTx, fromEvent), KeyCodec.PrefixUpperBound(prefix), limit))
        {
            var (block, tx, e) = KeyCodec.PositionOf(key);
            // A subject row is empty and points to its event's body; ledgers of earlier versions carry the body in the row.
            var entry = value.Length > 0 ? value : _store.Get(Column.Events, KeyCodec.EventBody(block, tx, e))
                ?? throw new LedgerCorruptException(block, $"channel '{Channel}': the domain index names tx {tx} event {e} of this block, whose body is missing");
            yield return (block, tx, e, entry);
        }
    }

    /// <summary>Indexes blocks committed before the domain index existed (a ledger from an earlier version), once, at open.</summary>
    private void CatchUpDomainIndex()
    {
        var stored = _store.Get(Column.Meta, DomainIndex.IndexedHeightKey);
        ulong indexed = stored is { Length: 8 } ? System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(stored) : 0;
        for (ulong number = indexed; number < Height; number++)
        {
            var block = GetBlock(number)!;
            using var batch = _store.CreateBatch();
            foreach (var row in DomainIndex.RowsOf(block, block.Transactions.Select(t => ProtocolHashes.TxId(t.Payload.Span)).ToArray())) batch.Put(Column.Events, row.Key, row.Value);
            batch.Put(Column.Meta, DomainIndex.IndexedHeightKey, KeyCodec.BlockNumber(number + 1));
            batch.Commit(sync: number + 1 == Height);
        }
    }

    /// <summary>Computes what a block's state writes do to the state root, without changing anything.</summary>
    public StateUpdate PrepareStateUpdate(IReadOnlyDictionary<byte[], byte[]?> writes) => _commitment.Prepare(_store, writes);

    /// <summary>Writes the block and everything derived from it atomically, then advances the head.</summary>
    public void Commit(BlockWriteSet set)
    {
        var header = set.Block.Header;
        if (header.Number != Height)
            throw new InvalidOperationException($"block {header.Number} does not follow height {Height} of channel '{Channel}'");
        if (!header.PreviousHash.Span.SequenceEqual(LastHash))
            throw new InvalidOperationException($"block {header.Number} does not link to the last block of channel '{Channel}'");

        var building = System.Diagnostics.Stopwatch.GetTimestamp();
        using var batch = _store.CreateBatch();
        var blockKey = KeyCodec.BlockNumber(header.Number);
        batch.Put(Column.Blocks, blockKey, set.Block.ToByteArray());
        batch.Put(Column.BlockHashes, set.Hash, blockKey);
        for (int i = 0; i < set.TxIds.Count; i++)
        {
            // Only the first occurrence of a tx id is indexed; later copies are DUPLICATE_TXID in the block.
            var code = set.Block.Results[i].Code;
            if (code == ValidationCode.DuplicateTxid) continue;
            batch.Put(Column.TxIndex, set.TxIds[i], Values.TxLocation(header.Number, (uint)i, (int)code));
        }
        var lastWriter = new Dictionary<byte[], uint>(ByteArrayComparer.Instance);
        foreach (var write in set.History)
        {
            batch.Put(Column.History, KeyCodec.History(write.StateKey, header.Number, write.TxIndex), Values.HistoryEntry(set.TxIds[(int)write.TxIndex], write.TimestampMs, write.Value));
            lastWriter[write.StateKey] = write.TxIndex;
        }
        foreach (var (stateKey, value) in set.StateWrites)
        {
            if (value is null) batch.Delete(Column.State, stateKey);
            else batch.Put(Column.State, stateKey, Values.VersionedValue(header.Number, lastWriter[stateKey], value));
        }
        var update = set.StateUpdate;
        if (!update.Root.AsSpan().SequenceEqual(header.StateRoot.Span))
            throw new InvalidOperationException($"state root of block {header.Number} does not match its writes");
        foreach (var row in update.Rows)
        {
            if (row.Value is null) batch.Delete(row.Column, row.Key);
            else batch.Put(row.Column, row.Key, row.Value);
        }
        foreach (var row in DomainIndex.RowsOf(set.Block, set.TxIds)) batch.Put(Column.Events, row.Key, row.Value);
        if (ProofHistoryBlocks > 0) batch.Put(Column.Events, KeyCodec.TreeUndo(header.Number), update.Undo);
        if (header.Number >= (ulong)ProofHistoryBlocks) batch.Delete(Column.Events, KeyCodec.TreeUndo(header.Number - (ulong)ProofHistoryBlocks));
        batch.Put(Column.Meta, DomainIndex.IndexedHeightKey, KeyCodec.BlockNumber(header.Number + 1));
        batch.Put(Column.Meta, KeyCodec.SavepointKey, Values.Savepoint(header.Number + 1, set.Hash));
        var writing = System.Diagnostics.Stopwatch.GetTimestamp();
        LastBatchBuildTime = System.Diagnostics.Stopwatch.GetElapsedTime(building, writing);
        lock (_commitLock)
        {
            batch.Commit(sync: true);
            _head = new ChainHead(header.Number + 1, set.Hash, header.TimestampMs, update.Root);
            // Inside the lock, so that a state proof sees the tree and the signed header of the head it names.
            _commitment.Apply(update);
            _headBlock = HeaderOnly(set.Block);
        }
        LastBatchWriteTime = System.Diagnostics.Stopwatch.GetElapsedTime(writing);
    }

    /// <summary>
    /// What a state proof of <paramref name="stateKey"/> at the head needs: the head, the key's bucket, its 16 sibling
    /// hashes, the bucket's entries (state key, value hash) and the key's value, all of one committed state.
    /// </summary>
    public StateProofData ProveState(byte[] stateKey) => ProveStates([stateKey], null)!.Keys[0];

    /// <summary>How many of the latest blocks keep the undo record that proofs at past blocks need (0: none).</summary>
    public int ProofHistoryBlocks { get; set; } = Configuration.ChannelSettings.DefaultProofHistoryBlocks;

    /// <summary>
    /// A state proof of <paramref name="stateKey"/> in the state after block <paramref name="block"/>, a past block: the
    /// head's bucket hashes and the key's bucket are rolled back with the undo records of the blocks since, and the
    /// tree of that block rebuilt from its 65,536 bucket hashes. Null with <paramref name="problem"/> when it cannot be.
    /// </summary>
    public StateProofData? ProveStateAt(byte[] stateKey, ulong block, out string? problem)
    {
        var bucket = StateCommitment.BucketOf(stateKey);
        ChainHead head;
        byte[][] buckets;
        StoreSnapshot snapshot;
        lock (_commitLock)
        {
            head = _head;
            buckets = _commitment.BucketHashes();
            snapshot = _store.CreateSnapshot();
        }
        using (snapshot)
        {
            problem = null;
            if (block >= head.Height) { problem = $"channel '{Channel}' has blocks 0..{head.Height - 1}, not {block}"; return null; }
            var prefix = KeyCodec.BucketPrefixOf(bucket);
            var entries = new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance);
            foreach (var (key, valueHash) in _store.Scan(Column.StateHashes, prefix, KeyCodec.PrefixUpperBound(prefix), int.MaxValue, snapshot)) entries[key[prefix.Length..]] = valueHash;
            for (ulong n = head.Height - 1; n > block; n--)
            {
                var undo = _store.Get(Column.Events, KeyCodec.TreeUndo(n), snapshot);
                if (undo is null)
                {
                    problem = $"channel '{Channel}' proves states back to {ProofHistoryBlocks} blocks before its latest (proofHistoryBlocks: blocks {head.Height - 1 - Math.Min((ulong)ProofHistoryBlocks, head.Height - 1)}..{head.Height - 1}); block {block} is older";
                    return null;
                }
                foreach (var (touched, oldBucketHash, keys) in StateCommitment.ParseUndo(undo))
                {
                    buckets[touched] = oldBucketHash;
                    if (touched != bucket) continue;
                    foreach (var (key, oldValueHash) in keys)
                        if (oldValueHash is null) entries.Remove(key); else entries[key] = oldValueHash;
                }
            }
            var blockAt = GetBlock(block)!;
            // The key's value then is its last write at or before that block (one seek, however often the key was written).
            var lastWrite = _store.LastInRange(Column.History, KeyCodec.History(stateKey, 0, 0), KeyCodec.History(stateKey, block + 1, 0), snapshot);
            var value = lastWrite is { } write ? Values.ParseHistoryEntry(write.Value).Value : null;
            return new StateProofData(head, blockAt.Header, blockAt.Signatures, bucket, StateCommitment.SiblingsIn(buckets, bucket),
                entries.Select(e => (e.Key, e.Value)).ToList(), value);
        }
    }

    /// <summary>
    /// State proofs of several keys at one head; with <paramref name="atHeight"/>, null when the head is no longer there
    /// (a block committed meanwhile: the caller reads again at the new head).
    /// </summary>
    public StateProofsData? ProveStates(IReadOnlyList<byte[]> stateKeys, ulong? atHeight)
    {
        var buckets = stateKeys.Select(k => StateCommitment.BucketOf(k)).ToArray();
        ChainHead head;
        Block headBlock;
        byte[][][] siblings;
        StoreSnapshot snapshot;
        lock (_commitLock)
        {
            head = _head;
            if (atHeight is { } height && head.Height != height) return null;
            headBlock = _headBlock ??= HeaderOnly(GetBlock(head.Height - 1)!);
            siblings = buckets.Select(_commitment.Siblings).ToArray();
            snapshot = _store.CreateSnapshot();
        }
        using (snapshot)
        {
            var proofs = new StateProofData[stateKeys.Count];
            for (int i = 0; i < proofs.Length; i++)
            {
                var prefix = KeyCodec.BucketPrefixOf(buckets[i]);
                var entries = _store.Scan(Column.StateHashes, prefix, KeyCodec.PrefixUpperBound(prefix), int.MaxValue, snapshot)
                    .Select(kv => (kv.Key[prefix.Length..], kv.Value)).ToList();
                proofs[i] = new StateProofData(head, headBlock.Header, headBlock.Signatures, buckets[i], siblings[i], entries, ReadState(stateKeys[i], snapshot));
            }
            return new StateProofsData(headBlock.Header, headBlock.Signatures, proofs);
        }
    }

    // The last block's header and signatures, kept for state proofs (a block of thousands of transactions is not re-read for each).
    private Block? _headBlock;

    private static Block HeaderOnly(Block block) => new() { Header = block.Header, Signatures = { block.Signatures } };

    /// <summary>
    /// Writes block 0 of an empty ledger without configuration: no transactions, empty state, zero previous
    /// hash, no signature. It depends only on the channel name and <paramref name="timestampMs"/>.
    /// </summary>
    public void CommitGenesis(long timestampMs)
    {
        var header = new BlockHeader
        {
            Channel = Channel,
            Number = 0,
            PreviousHash = ByteString.CopyFrom(new byte[Hashes.Length]),
            TxRoot = ByteString.CopyFrom(ProtocolHashes.TxRoot([])),
            ResultsRoot = ByteString.CopyFrom(ProtocolHashes.ResultsRoot([])),
            StateRoot = ByteString.CopyFrom(StateCommitment.RootOfFreshState(new Dictionary<byte[], byte[]?>())),
            TimestampMs = timestampMs,
            Proposer = "",
        };
        CommitGenesis(new Block { Header = header }, new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance));
    }

    /// <summary>
    /// Writes a given block 0 of an empty ledger with the state it creates (the caller derives
    /// <paramref name="writes"/> from the block's own content); its state root must match.
    /// </summary>
    public void CommitGenesis(Block genesis, IReadOnlyDictionary<byte[], byte[]?> writes)
    {
        if (Height != 0) throw new InvalidOperationException($"channel '{Channel}' already has {Height} blocks");
        var update = PrepareStateUpdate(writes);
        if (!update.Root.AsSpan().SequenceEqual(genesis.Header.StateRoot.Span))
            throw new LedgerCorruptException(0, "genesis state root does not match the state it creates");
        Commit(new BlockWriteSet
        {
            Block = genesis, Hash = ProtocolHashes.BlockHash(genesis.Header),
            TxIds = genesis.Transactions.Select(t => ProtocolHashes.TxId(t.Payload.Span)).ToArray(),
            StateWrites = writes, StateUpdate = update,
            History = writes.Select(w => new StateWrite(w.Key, 0, genesis.Header.TimestampMs, w.Value)).ToList(),
        });
    }

    public void Dispose() => _store.Dispose();
}

internal sealed record StateProofsData(BlockHeader Header, IReadOnlyList<ConsenterSignature> Signatures, IReadOnlyList<StateProofData> Keys);

internal sealed record StateProofData(ChainHead Head, BlockHeader Header, IReadOnlyList<ConsenterSignature> Signatures, ushort Bucket, byte[][] Siblings, List<(byte[] Key, byte[] ValueHash)> Entries, byte[]? Value);

internal sealed record HistoryRecord(ulong Block, uint TxIndex, byte[] TxId, long TimestampMs, byte[]? Value);

/// <summary>
/// The committed tip of a channel, replaced as a whole at each commit so readers always see one
/// consistent height, hash, time and state root.
/// </summary>
internal sealed record ChainHead(ulong Height, byte[] LastHash, long LastTimestampMs, byte[] StateRoot);
