using System.Buffers.Binary;
using Chain.Node.Storage;
using Chain.Node.Storage.Rocks;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Sdk.Verification;

namespace Chain.Node.Ledger;

/// <summary>
/// The state root: a fixed binary Merkle tree over 65,536 buckets. A state key belongs to the bucket
/// given by the first two bytes of SHA-256(key); a bucket's hash covers its entries (key, SHA-256(value))
/// sorted by key. Updating a block touches only the buckets it wrote, and an inclusion proof is the
/// bucket's entries plus 16 sibling hashes (docs/adr/0002-state-root.md).
/// </summary>
/// <remarks>Not thread-safe: the committer of the channel is its only user.</remarks>
internal sealed class StateCommitment
{
    public const int Depth = StateTree.Depth;
    public const int BucketCount = StateTree.BucketCount;
    private static readonly byte[] EmptyBucket = StateTree.EmptyBucket.ToArray();

    // _levels[0] holds the bucket hashes, _levels[Depth] the root.
    private readonly byte[][][] _levels;

    private StateCommitment(byte[][] buckets)
    {
        _levels = new byte[Depth + 1][][];
        _levels[0] = buckets;
        for (int level = 1; level <= Depth; level++)
        {
            var below = _levels[level - 1];
            var nodes = new byte[below.Length / 2][];
            for (int i = 0; i < nodes.Length; i++) nodes[i] = Node(below[2 * i], below[2 * i + 1]);
            _levels[level] = nodes;
        }
    }

    public byte[] Root => _levels[Depth][0];

    public static StateCommitment Load(RocksStore store)
    {
        var buckets = new byte[BucketCount][];
        Array.Fill(buckets, EmptyBucket);
        foreach (var (key, value) in store.Scan(Column.Meta, KeyCodec.BucketRangeStart, KeyCodec.BucketRangeEnd))
            buckets[BinaryPrimitives.ReadUInt16BigEndian(key.AsSpan(1))] = value;
        return new StateCommitment(buckets);
    }

    /// <summary>
    /// Rebuilds the root from the world state itself (every value in the State column), ignoring the
    /// stored value hashes and bucket hashes: the offline check that the state was not altered.
    /// </summary>
    /// <remarks>
    /// Two passes over the state, in key order, with memory for 65,536 counters and hash states rather than the whole
    /// state: the first counts each bucket's keys (a bucket's encoding starts with its count), the second feeds each
    /// entry (key, SHA-256 of its value) to its bucket's hash. Key order is the bucket's entry order (<see cref="StateTree.HashBucket"/>).
    /// </remarks>
    public static byte[] RecomputeFromState(RocksStore store)
    {
        var counts = new uint[BucketCount];
        store.ForEach(Column.State, (key, _) => counts[BucketOf(key)]++);
        var hashes = new System.Security.Cryptography.IncrementalHash?[BucketCount];
        try
        {
            var valueHash = new byte[Hashes.Length];
            store.ForEach(Column.State, (key, value) =>
            {
                var bucket = BucketOf(key);
                var hash = hashes[bucket];
                Span<byte> field = stackalloc byte[4];
                if (hash is null)
                {
                    hash = hashes[bucket] = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
                    BinaryPrimitives.WriteUInt32BigEndian(field, counts[bucket]);
                    hash.AppendData(field);
                }
                System.Security.Cryptography.SHA256.HashData(Values.DataOfVersionedValue(value), valueHash);
                BinaryPrimitives.WriteUInt32BigEndian(field, (uint)key.Length);
                hash.AppendData(field);
                hash.AppendData(key);
                BinaryPrimitives.WriteUInt32BigEndian(field, (uint)valueHash.Length);
                hash.AppendData(field);
                hash.AppendData(valueHash);
            });
            var buckets = new byte[BucketCount][];
            for (int b = 0; b < BucketCount; b++) buckets[b] = hashes[b]?.GetHashAndReset() ?? EmptyBucket;
            return new StateCommitment(buckets).Root;
        }
        finally
        {
            foreach (var hash in hashes) hash?.Dispose();
        }
    }

    public static ushort BucketOf(ReadOnlySpan<byte> stateKey) => StateTree.BucketOf(stateKey);

    /// <summary>The 16 sibling hashes on the path from <paramref name="bucket"/> to the root, bottom up (for a state proof).</summary>
    public byte[][] Siblings(ushort bucket)
    {
        var siblings = new byte[Depth][];
        int index = bucket;
        for (int level = 0; level < Depth; level++, index >>= 1) siblings[level] = _levels[level][index ^ 1];
        return siblings;
    }

    /// <summary>
    /// Computes the root after applying <paramref name="writes"/> (state key → new value, null = delete)
    /// without changing this instance, together with the state-hash and bucket rows to write.
    /// </summary>
    /// <remarks>
    /// Each touched bucket needs its stored entries (one prefix seek) merged with the block's writes, then
    /// one hash. Buckets are independent, so they are spread over the cores in contiguous sorted ranges.
    /// </remarks>
    public StateUpdate Prepare(RocksStore store, IReadOnlyDictionary<byte[], byte[]?> writes) => PrepareCore(store, writes);

    /// <summary>The state root of a fresh ledger after <paramref name="writes"/>: what a genesis block must carry.</summary>
    public static byte[] RootOfFreshState(IReadOnlyDictionary<byte[], byte[]?> writes)
    {
        var buckets = new byte[BucketCount][];
        Array.Fill(buckets, EmptyBucket);
        return new StateCommitment(buckets).PrepareCore(null, writes).Root;
    }

    private StateUpdate PrepareCore(RocksStore? store, IReadOnlyDictionary<byte[], byte[]?> writes)
    {
        // Bucket and value hash of every write (two SHA-256 each), in parallel; then group by bucket, keys in order.
        var entries = writes.ToArray();
        var hashed = new (ushort Bucket, byte[] Key, byte[]? ValueHash)[entries.Length];
        Parallel.For(0, entries.Length, i =>
            hashed[i] = (BucketOf(entries[i].Key), entries[i].Key, entries[i].Value is { } v ? Hashes.Sha256(v) : null));
        Array.Sort(hashed, (a, b) => a.Bucket != b.Bucket ? a.Bucket.CompareTo(b.Bucket) : ByteArrayComparer.Instance.Compare(a.Key, b.Key));
        var buckets = new List<ushort>();
        var grouped = new List<List<(byte[] Key, byte[]? ValueHash)>>();
        foreach (var (bucket, key, valueHash) in hashed)
        {
            if (buckets.Count == 0 || buckets[^1] != bucket) { buckets.Add(bucket); grouped.Add([]); }
            grouped[^1].Add((key, valueHash));
        }
        var bucketWrites = grouped.ToArray();
        var bucketHashes = new byte[buckets.Count][];
        var oldHashes = new byte[]?[buckets.Count][];

        int chunks = Math.Min(Environment.ProcessorCount, Math.Max(1, buckets.Count / 64));
        Parallel.For(0, chunks, chunk =>
        {
            int from = buckets.Count * chunk / chunks, to = buckets.Count * (chunk + 1) / chunks;
            var prefixes = new byte[to - from][];
            var stored = new List<(byte[] Key, byte[] ValueHash)>[to - from];
            for (int i = from; i < to; i++) { prefixes[i - from] = KeyCodec.BucketPrefixOf(buckets[i]); stored[i - from] = []; }
            store?.ForEachInPrefixes(Column.StateHashes, prefixes, (index, key, valueHash) => stored[index].Add((key[2..].ToArray(), valueHash.ToArray())));
            for (int i = from; i < to; i++)
            {
                bucketHashes[i] = HashMerged(stored[i - from], bucketWrites[i]);
                oldHashes[i] = OldHashes(stored[i - from], bucketWrites[i]);
            }
        });

        var rows = new List<StateUpdate.Row>(writes.Count + buckets.Count);
        for (int i = 0; i < buckets.Count; i++)
        {
            foreach (var (stateKey, valueHash) in bucketWrites[i]) rows.Add(new(Column.StateHashes, KeyCodec.StateHash(buckets[i], stateKey), valueHash));
            rows.Add(new(Column.Meta, KeyCodec.Bucket(buckets[i]), ReferenceEquals(bucketHashes[i], EmptyBucket) ? null : bucketHashes[i]));
        }
        var (root, nodes) = ComputeRoot(buckets, bucketHashes);
        // What undoes this block in the tree: each touched bucket's hash before it, and each written key's value hash before it.
        var undo = new CanonicalWriter().U32((uint)buckets.Count);
        for (int i = 0; i < buckets.Count; i++)
        {
            undo.U32(buckets[i]).Bytes(_levels[0][buckets[i]]).U32((uint)bucketWrites[i].Count);
            for (int k = 0; k < bucketWrites[i].Count; k++) undo.Bytes(bucketWrites[i][k].Key).Bytes(oldHashes[i][k] ?? []);
        }
        return new StateUpdate(root, nodes, rows) { Undo = undo.WrittenSpan.ToArray() };
    }

    /// <summary>The stored value hash of each written key (null: the key was absent); both lists are sorted by key.</summary>
    private static byte[]?[] OldHashes(List<(byte[] Key, byte[] ValueHash)> stored, List<(byte[] Key, byte[]? ValueHash)> writes)
    {
        var old = new byte[]?[writes.Count];
        int s = 0;
        for (int w = 0; w < writes.Count; w++)
        {
            while (s < stored.Count && ByteArrayComparer.Instance.Compare(stored[s].Key, writes[w].Key) < 0) s++;
            if (s < stored.Count && ByteArrayComparer.Instance.Compare(stored[s].Key, writes[w].Key) == 0) old[w] = stored[s].ValueHash;
        }
        return old;
    }

    /// <summary>A copy of the 65,536 bucket hashes (for rebuilding the tree of a past block).</summary>
    public byte[][] BucketHashes() => (byte[][])_levels[0].Clone();

    /// <summary>The 16 sibling hashes of <paramref name="bucket"/> in the tree over <paramref name="buckets"/> (all 65,536 bucket hashes).</summary>
    public static byte[][] SiblingsIn(byte[][] buckets, ushort bucket) => new StateCommitment(buckets).Siblings(bucket);

    /// <summary>An undo record: per touched bucket, its earlier hash and its written keys' earlier value hashes (empty: absent).</summary>
    public static IEnumerable<(ushort Bucket, byte[] OldBucketHash, List<(byte[] Key, byte[]? OldValueHash)> Keys)> ParseUndo(ReadOnlySpan<byte> undo)
    {
        var result = new List<(ushort, byte[], List<(byte[], byte[]?)>)>();
        int at = 0;
        uint U32(ReadOnlySpan<byte> b) { var v = BinaryPrimitives.ReadUInt32BigEndian(b[at..]); at += 4; return v; }
        byte[] Bytes(ReadOnlySpan<byte> b) { var n = (int)U32(b); var v = b.Slice(at, n).ToArray(); at += n; return v; }
        var count = U32(undo);
        for (uint i = 0; i < count; i++)
        {
            var bucket = (ushort)U32(undo);
            var oldBucket = Bytes(undo);
            var keys = new List<(byte[], byte[]?)>();
            var n = U32(undo);
            for (uint k = 0; k < n; k++)
            {
                var key = Bytes(undo);
                var oldHash = Bytes(undo);
                keys.Add((key, oldHash.Length == 0 ? null : oldHash));
            }
            result.Add((bucket, oldBucket, keys));
        }
        return result;
    }

    /// <summary>Hashes a bucket: stored entries (sorted) overridden by writes (sorted, null hash = delete).</summary>
    /// <remarks>The merged entries go straight into the bucket's encoding (<see cref="StateTree.HashBucket"/>), in a pooled buffer.</remarks>
    private static byte[] HashMerged(List<(byte[] Key, byte[] ValueHash)> stored, List<(byte[] Key, byte[]? ValueHash)> writes)
    {
        int size = 4;
        foreach (var entry in stored) size += 8 + entry.Key.Length + entry.ValueHash.Length;
        foreach (var entry in writes) size += 8 + entry.Key.Length + (entry.ValueHash?.Length ?? 0);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var encoding = new StateTree.BucketEncoding(buffer);
            int s = 0, w = 0;
            while (s < stored.Count || w < writes.Count)
            {
                int order = s == stored.Count ? 1 : w == writes.Count ? -1 : ByteArrayComparer.Instance.Compare(stored[s].Key, writes[w].Key);
                if (order < 0) { encoding.Add(stored[s].Key, stored[s].ValueHash); s++; continue; }
                if (order == 0) s++; // the write replaces the stored entry
                if (writes[w].ValueHash is { } hash) encoding.Add(writes[w].Key, hash);
                w++;
            }
            return encoding.Count == 0 ? EmptyBucket : encoding.Hash();
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>Makes a prepared update current; call only after its batch committed, with no other update in between.</summary>
    public void Apply(StateUpdate update)
    {
        for (int level = 0; level <= Depth && level < update.Nodes.Count; level++)
            foreach (var (index, hash) in update.Nodes[level]) _levels[level][index] = hash;
    }

    /// <summary>
    /// The new root and every tree node that changes on the way to it, level by level (level 0: buckets), each level as
    /// (index, hash) pairs in index order. Wide levels are hashed in parallel; each node depends only on the level below.
    /// </summary>
    /// <param name="buckets">The touched buckets in ascending order; <paramref name="bucketHashes"/> their new hashes.</param>
    private (byte[] Root, IReadOnlyList<(int Index, byte[] Hash)[]> Nodes) ComputeRoot(IReadOnlyList<ushort> buckets, byte[][] bucketHashes)
    {
        if (buckets.Count == 0) return (Root, []);
        var nodes = new List<(int Index, byte[] Hash)[]>(Depth + 1);
        var changed = new (int Index, byte[] Hash)[buckets.Count];
        for (int i = 0; i < changed.Length; i++) changed[i] = (buckets[i], bucketHashes[i]);
        nodes.Add(changed);
        for (int level = 1; level <= Depth; level++)
        {
            var below = changed;
            var belowLevel = _levels[level - 1];
            // Children of one parent are neighbours in the sorted level below: the parents come out sorted and distinct.
            var parents = new List<(int Index, int FirstChild)>(below.Length);
            for (int c = 0; c < below.Length; c++)
                if (parents.Count == 0 || parents[^1].Index != below[c].Index >> 1) parents.Add((below[c].Index >> 1, c));
            var next = new (int Index, byte[] Hash)[parents.Count];
            void HashParent(int p)
            {
                var (index, first) = parents[p];
                byte[] left = belowLevel[2 * index], right = belowLevel[2 * index + 1];
                for (int c = first; c < below.Length && below[c].Index >> 1 == index; c++)
                {
                    if ((below[c].Index & 1) == 0) left = below[c].Hash;
                    else right = below[c].Hash;
                }
                next[p] = (index, Node(left, right));
            }
            if (parents.Count >= 512) Parallel.For(0, parents.Count, HashParent);
            else for (int p = 0; p < parents.Count; p++) HashParent(p);
            changed = next;
            nodes.Add(changed);
        }
        return (changed[0].Hash, nodes);
    }

    private static byte[] HashBucket(IReadOnlyCollection<KeyValuePair<byte[], byte[]>> entries) =>
        HashBucket(entries.Select(e => (e.Key, e.Value)).ToList());

    // The empty bucket is returned as the shared instance: PrepareCore tells a bucket to delete by reference.
    private static byte[] HashBucket(List<(byte[] Key, byte[] ValueHash)> entries) => entries.Count == 0 ? EmptyBucket : StateTree.HashBucket(entries);

    private static byte[] Node(byte[] left, byte[] right) => StateTree.Node(left, right);
}

/// <summary>A prepared change of the state root: the new root, the tree nodes that change (per level), and the rows to write.</summary>
internal sealed record StateUpdate(byte[] Root, IReadOnlyList<(int Index, byte[] Hash)[]> Nodes, IReadOnlyList<StateUpdate.Row> Rows)
{
    /// <summary>What reverts the tree to before this update (see <see cref="StateCommitment.ParseUndo"/>); kept for proofs at past blocks.</summary>
    public byte[] Undo { get; init; } = [];

    /// <summary>A row to put (or delete when <see cref="Value"/> is null) in the block's batch.</summary>
    public readonly record struct Row(Column Column, byte[] Key, byte[]? Value);
}
