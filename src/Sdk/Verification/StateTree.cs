using System.Buffers.Binary;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;

namespace Chain.Sdk.Verification;

/// <summary>
/// The hashes of the state tree (docs/adr/0002-state-root.md), shared by the node that builds it and every verifier
/// of a state proof: a state key's bucket, a bucket's hash over its sorted (key, SHA-256(value)) entries, and the
/// 16 levels of inner nodes above the 65,536 buckets.
/// </summary>
public static class StateTree
{
    public const int Depth = 16;
    public const int BucketCount = 1 << Depth;

    /// <summary>A contract's key in the state: u8 length of the contract name || contract || key, all UTF-8 (docs/STORAGE.md).</summary>
    public static byte[] StateKey(string contract, string key)
    {
        int contractLength = System.Text.Encoding.UTF8.GetByteCount(contract);
        if (contractLength > byte.MaxValue) throw new ArgumentException($"contract name is {contractLength} bytes, at most 255", nameof(contract));
        var bytes = new byte[1 + contractLength + System.Text.Encoding.UTF8.GetByteCount(key)];
        bytes[0] = (byte)contractLength;
        System.Text.Encoding.UTF8.GetBytes(contract, bytes.AsSpan(1));
        System.Text.Encoding.UTF8.GetBytes(key, bytes.AsSpan(1 + contractLength));
        return bytes;
    }

    /// <summary>The hash of a bucket without entries.</summary>
    public static ReadOnlySpan<byte> EmptyBucket => new byte[Hashes.Length];

    /// <summary>The first two bytes, big-endian, of SHA-256(state key).</summary>
    public static ushort BucketOf(ReadOnlySpan<byte> stateKey)
    {
        Span<byte> digest = stackalloc byte[Hashes.Length];
        Hashes.Sha256(stateKey, digest);
        return BinaryPrimitives.ReadUInt16BigEndian(digest);
    }

    /// <summary>SHA-256(u32 n || bytes(key) || bytes(value hash) …) over entries sorted by key; 32 zero bytes when empty.</summary>
    public static byte[] HashBucket(IReadOnlyList<(byte[] Key, byte[] ValueHash)> entries)
    {
        if (entries.Count == 0) return EmptyBucket.ToArray();
        int size = 4;
        foreach (var (key, valueHash) in entries) size += 8 + key.Length + valueHash.Length;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var encoding = new BucketEncoding(buffer);
            foreach (var (key, valueHash) in entries) encoding.Add(key, valueHash);
            return encoding.Hash();
        }
        finally { System.Buffers.ArrayPool<byte>.Shared.Return(buffer); }
    }

    /// <summary>
    /// A bucket's canonical encoding written into a buffer the caller sized: u32 count, then per entry (sorted by key)
    /// the key and the value hash, each with a u32 length (docs/ENCODING.md); its SHA-256 is the bucket hash.
    /// </summary>
    public ref struct BucketEncoding(byte[] buffer)
    {
        private int _at = 4;

        public int Count { get; private set; }

        public void Add(ReadOnlySpan<byte> key, ReadOnlySpan<byte> valueHash)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(_at), (uint)key.Length);
            key.CopyTo(buffer.AsSpan(_at + 4));
            _at += 4 + key.Length;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(_at), (uint)valueHash.Length);
            valueHash.CopyTo(buffer.AsSpan(_at + 4));
            _at += 4 + valueHash.Length;
            Count++;
        }

        public byte[] Hash()
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)Count);
            return Hashes.Sha256(buffer.AsSpan(0, _at));
        }
    }

    /// <summary>An inner node: SHA-256(0x01 || left || right).</summary>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right) => MerkleTree.Node(left, right);

    /// <summary>The root reached from <paramref name="bucketHash"/> of <paramref name="bucket"/> with its 16 sibling hashes, bottom up.</summary>
    public static byte[] RootFrom(ushort bucket, byte[] bucketHash, IReadOnlyList<byte[]> siblings)
    {
        if (siblings.Count != Depth) throw new VerificationException($"a state proof has {Depth} sibling hashes, this one {siblings.Count}");
        var node = bucketHash;
        int index = bucket;
        for (int level = 0; level < Depth; level++, index >>= 1)
        {
            if (siblings[level].Length != Hashes.Length) throw new VerificationException($"sibling hash at level {level} is {siblings[level].Length} bytes, not {Hashes.Length}");
            node = (index & 1) == 0 ? Node(node, siblings[level]) : Node(siblings[level], node);
        }
        return node;
    }
}

/// <summary>A proof, receipt or answer failed a check; the message says which and why.</summary>
public sealed class VerificationException(string message) : Exception(message);
