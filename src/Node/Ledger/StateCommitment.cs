using System.Buffers.Binary;
using Chain.Node.Storage;
using Chain.Node.Storage.Rocks;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;

namespace Chain.Node.Ledger;

/// <summary>
/// The state root: a fixed binary Merkle tree over 65,536 buckets. A state key belongs to the bucket
/// given by the first two bytes of SHA-256(key); a bucket's hash covers its entries (key, SHA-256(value))
/// sorted by key. Updating a block touches only the buckets it wrote, and an inclusion proof is the
/// bucket's entries plus 16 sibling hashes (docs/adr/0002-state-root.md).
/// </summary>
/// <remarks>Not thread-safe: the committer of the channel is its only user.</remarks>
public sealed class StateCommitment
{
    public const int Depth = 16;
    public const int BucketCount = 1 << Depth;
    private static readonly byte[] EmptyBucket = new byte[Hashes.Length];

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
    public static byte[] RecomputeFromState(RocksStore store)
    {
        var buckets = new SortedDictionary<byte[], byte[]>?[BucketCount];
        foreach (var (stateKey, value) in store.Scan(Column.State, [0], null))
        {
            var bucket = BucketOf(stateKey);
            (buckets[bucket] ??= new SortedDictionary<byte[], byte[]>(ByteArrayComparer.Instance))[stateKey] = Hashes.Sha256(Values.DataOfVersionedValue(value));
        }
        return new StateCommitment(buckets.Select(entries => entries is null ? EmptyBucket : HashBucket(entries)).ToArray()).Root;
    }

    public static ushort BucketOf(ReadOnlySpan<byte> stateKey)
    {
        Span<byte> digest = stackalloc byte[Hashes.Length];
        Hashes.Sha256(stateKey, digest);
        return BinaryPrimitives.ReadUInt16BigEndian(digest);
    }

    /// <summary>
    /// Computes the root after applying <paramref name="writes"/> (state key → new value, null = delete)
    /// without changing this instance, together with the state-hash and bucket rows to write.
    /// </summary>
    /// <remarks>
    /// Each touched bucket needs its stored entries (one prefix seek) merged with the block's writes, then
    /// one hash. Buckets are independent, so they are spread over the cores in contiguous sorted ranges.
    /// </remarks>
    public StateUpdate Prepare(RocksStore store, IReadOnlyDictionary<byte[], byte[]?> writes)
    {
        var byBucket = new SortedDictionary<ushort, List<(byte[] Key, byte[]? ValueHash)>>();
        foreach (var (stateKey, value) in writes)
        {
            var bucket = BucketOf(stateKey);
            if (!byBucket.TryGetValue(bucket, out var list)) byBucket[bucket] = list = [];
            list.Add((stateKey, value is null ? null : Hashes.Sha256(value)));
        }
        var buckets = byBucket.Keys.ToArray();
        var bucketWrites = byBucket.Values.ToArray();
        var bucketHashes = new byte[buckets.Length][];

        int chunks = Math.Min(Environment.ProcessorCount, Math.Max(1, buckets.Length / 64));
        Parallel.For(0, chunks, chunk =>
        {
            int from = buckets.Length * chunk / chunks, to = buckets.Length * (chunk + 1) / chunks;
            var prefixes = new byte[to - from][];
            var stored = new List<(byte[] Key, byte[] ValueHash)>[to - from];
            for (int i = from; i < to; i++) { prefixes[i - from] = KeyCodec.BucketPrefixOf(buckets[i]); stored[i - from] = []; }
            store.ForEachInPrefixes(Column.StateHashes, prefixes, (index, key, valueHash) => stored[index].Add((key[2..].ToArray(), valueHash.ToArray())));
            for (int i = from; i < to; i++)
            {
                bucketWrites[i].Sort((a, b) => ByteArrayComparer.Instance.Compare(a.Key, b.Key));
                bucketHashes[i] = HashMerged(stored[i - from], bucketWrites[i]);
            }
        });

        var rows = new List<StateUpdate.Row>(writes.Count + buckets.Length);
        var newBuckets = new Dictionary<ushort, byte[]>(buckets.Length);
        for (int i = 0; i < buckets.Length; i++)
        {
            foreach (var (stateKey, valueHash) in bucketWrites[i]) rows.Add(new(Column.StateHashes, KeyCodec.StateHash(buckets[i], stateKey), valueHash));
            rows.Add(new(Column.Meta, KeyCodec.Bucket(buckets[i]), ReferenceEquals(bucketHashes[i], EmptyBucket) ? null : bucketHashes[i]));
            newBuckets[buckets[i]] = bucketHashes[i];
        }
        return new StateUpdate(newBuckets, ComputeRoot(newBuckets), rows);
    }

    /// <summary>Hashes a bucket: stored entries (sorted) overridden by writes (sorted, null hash = delete).</summary>
    private static byte[] HashMerged(List<(byte[] Key, byte[] ValueHash)> stored, List<(byte[] Key, byte[]? ValueHash)> writes)
    {
        var merged = new List<(byte[] Key, byte[] ValueHash)>(stored.Count + writes.Count);
        int s = 0, w = 0;
        while (s < stored.Count || w < writes.Count)
        {
            int order = s == stored.Count ? 1 : w == writes.Count ? -1 : ByteArrayComparer.Instance.Compare(stored[s].Key, writes[w].Key);
            if (order < 0) { merged.Add(stored[s++]); continue; }
            if (order == 0) s++; // the write replaces the stored entry
            if (writes[w].ValueHash is { } hash) merged.Add((writes[w].Key, hash));
            w++;
        }
        return HashBucket(merged);
    }

    /// <summary>Makes a prepared update current; call only after its batch committed.</summary>
    public void Apply(StateUpdate update)
    {
        var dirty = new SortedSet<int>();
        foreach (var (bucket, hash) in update.Buckets)
        {
            _levels[0][bucket] = hash;
            dirty.Add(bucket >> 1);
        }
        for (int level = 1; level <= Depth; level++)
        {
            var next = new SortedSet<int>();
            foreach (var index in dirty)
            {
                _levels[level][index] = Node(_levels[level - 1][2 * index], _levels[level - 1][2 * index + 1]);
                next.Add(index >> 1);
            }
            dirty = next;
        }
    }

    private byte[] ComputeRoot(Dictionary<ushort, byte[]> newBuckets)
    {
        if (newBuckets.Count == 0) return Root;
        var changed = newBuckets.ToDictionary(kv => (int)kv.Key, kv => kv.Value);
        for (int level = 1; level <= Depth; level++)
        {
            var next = new Dictionary<int, byte[]>();
            foreach (var index in changed.Keys.Select(i => i >> 1).Distinct())
            {
                var left = changed.GetValueOrDefault(2 * index) ?? _levels[level - 1][2 * index];
                var right = changed.GetValueOrDefault(2 * index + 1) ?? _levels[level - 1][2 * index + 1];
                next[index] = Node(left, right);
            }
            changed = next;
        }
        return changed[0];
    }

    private static byte[] HashBucket(IReadOnlyCollection<KeyValuePair<byte[], byte[]>> entries) =>
        HashBucket(entries.Select(e => (e.Key, e.Value)).ToList());

    private static byte[] HashBucket(List<(byte[] Key, byte[] ValueHash)> entries)
    {
        if (entries.Count == 0) return EmptyBucket;
        var writer = new CanonicalWriter().U32((uint)entries.Count);
        foreach (var (key, valueHash) in entries) writer.Bytes(key).Bytes(valueHash);
        return Hashes.Sha256(writer.WrittenSpan);
    }

    private static byte[] Node(byte[] left, byte[] right)
    {
        Span<byte> buffer = stackalloc byte[1 + 2 * Hashes.Length];
        buffer[0] = 0x01;
        left.CopyTo(buffer[1..]);
        right.CopyTo(buffer[(1 + Hashes.Length)..]);
        return Hashes.Sha256(buffer);
    }
}

public sealed record StateUpdate(IReadOnlyDictionary<ushort, byte[]> Buckets, byte[] Root, IReadOnlyList<StateUpdate.Row> Rows)
{
    /// <summary>A row to put (or delete when <see cref="Value"/> is null) in the block's batch.</summary>
    public readonly record struct Row(Column Column, byte[] Key, byte[]? Value);
}
