using System.Buffers.Binary;
using System.Text;

namespace Chain.Node.Storage;

/// <summary>
/// Every key written to the ledger database is built and parsed here. Numbers are big-endian so that
/// RocksDB's byte order is block order. State keys are (contract, key) with the contract length first,
/// so one contract's keys form a contiguous range that no other contract's keys can enter.
/// </summary>
internal static class KeyCodec
{
    public static readonly byte[] SavepointKey = "savepoint"u8.ToArray();
    private const byte BucketPrefix = (byte)'b';

    public static byte[] BlockNumber(ulong number)
    {
        var key = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(key, number);
        return key;
    }

    public static ulong ParseBlockNumber(ReadOnlySpan<byte> key) => BinaryPrimitives.ReadUInt64BigEndian(key);

    public static byte[] State(string contract, string key) => Sdk.Verification.StateTree.StateKey(contract, key);

    /// <summary>
    /// Events column, 0 'U' || u64 block → the state tree's undo record of that block, kept for the channel's last
    /// proofHistoryBlocks blocks (proofs at past blocks, docs/adr/0007-proofs-and-receipts.md).
    /// </summary>
    public static byte[] TreeUndo(ulong block)
    {
        var key = new byte[10];
        key[0] = DerivedMarker;
        key[1] = (byte)'U';
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(2), block);
        return key;
    }

    /// <summary>
    /// Events column, 0 'E' || u64 block || u32 tx || u32 event → the serialized <c>SubjectEvent</c> of an event that names
    /// objects, written once; its subject rows (<see cref="SubjectKey"/>) are empty and point here by their position.
    /// </summary>
    public static byte[] EventBody(ulong block, uint tx, uint e) => WithPosition([DerivedMarker, (byte)'E'], block, tx, e);

    /// <summary>The contract and key of a state key built by <see cref="State"/>.</summary>
    public static (string Contract, string Key) SplitStateKey(ReadOnlySpan<byte> stateKey) =>
        (Encoding.UTF8.GetString(stateKey.Slice(1, stateKey[0])), Encoding.UTF8.GetString(stateKey[(1 + stateKey[0])..]));

    /// <summary>The contract-relative key of a state key built by <see cref="State"/>.</summary>
    public static string ParseStateKey(ReadOnlySpan<byte> stateKey) => SplitStateKey(stateKey).Key;

    /// <summary>Exclusive upper bound of a contract's whole key range (null: to the end of the column).</summary>
    public static byte[]? ContractUpperBound(string contract) => PrefixUpperBound(State(contract, ""));

    /// <summary>
    /// The smallest key greater than every key that starts with <paramref name="prefix"/>, or null when the
    /// prefix is all 0xFF bytes and its range runs to the end of the column.
    /// </summary>
    public static byte[]? PrefixUpperBound(ReadOnlySpan<byte> prefix)
    {
        var bound = prefix.ToArray();
        for (int i = bound.Length - 1; i >= 0; i--)
        {
            if (bound[i] != 0xFF) { bound[i]++; return bound[..(i + 1)]; }
        }
        return null;
    }

    public static byte[] StateHash(ushort bucket, ReadOnlySpan<byte> stateKey)
    {
        var key = new byte[2 + stateKey.Length];
        BinaryPrimitives.WriteUInt16BigEndian(key, bucket);
        stateKey.CopyTo(key.AsSpan(2));
        return key;
    }

    public static byte[] BucketPrefixOf(ushort bucket)
    {
        var key = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(key, bucket);
        return key;
    }

    public static byte[] HistoryPrefix(ReadOnlySpan<byte> stateKey)
    {
        var key = new byte[2 + stateKey.Length];
        BinaryPrimitives.WriteUInt16BigEndian(key, checked((ushort)stateKey.Length));
        stateKey.CopyTo(key.AsSpan(2));
        return key;
    }

    public static byte[] History(ReadOnlySpan<byte> stateKey, ulong block, uint txIndex)
    {
        var key = new byte[2 + stateKey.Length + 12];
        BinaryPrimitives.WriteUInt16BigEndian(key, checked((ushort)stateKey.Length));
        stateKey.CopyTo(key.AsSpan(2));
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(2 + stateKey.Length), block);
        BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(10 + stateKey.Length), txIndex);
        return key;
    }

    public static (ulong Block, uint TxIndex) ParseHistoryVersion(ReadOnlySpan<byte> historyKey) =>
        (BinaryPrimitives.ReadUInt64BigEndian(historyKey[^12..]), BinaryPrimitives.ReadUInt32BigEndian(historyKey[^4..]));

    /// <summary>prefix || u64 block || u32 tx || u32 event, big-endian: the keys under one prefix sort in chain order.</summary>
    public static byte[] WithPosition(byte[] prefix, ulong block, uint tx, uint e)
    {
        var key = new byte[prefix.Length + 16];
        prefix.CopyTo(key, 0);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(prefix.Length), block);
        BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(prefix.Length + 8), tx);
        BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(prefix.Length + 12), e);
        return key;
    }

    /// <summary>The (block, tx, event) a <see cref="WithPosition"/> key ends with.</summary>
    public static (ulong Block, uint Tx, uint Event) PositionOf(ReadOnlySpan<byte> key) =>
        (BinaryPrimitives.ReadUInt64BigEndian(key[^16..]), BinaryPrimitives.ReadUInt32BigEndian(key[^8..]), BinaryPrimitives.ReadUInt32BigEndian(key[^4..]));

    // Derived rows in the events column under a first byte 0, which no event key of earlier ledgers has (such a key
    // starts with its contract name's length, and a contract has a name): 'S' domain objects, 'E' the event bodies they point to, 'A' accounts, 'U' tree undo records.
    private const byte DerivedMarker = 0;

    /// <summary>The domain index of one object: 0 'S' || string contract || string kind || string id (canonical, length-prefixed, so "D-1" and "D-10" do not share a prefix).</summary>
    public static byte[] SubjectPrefix(string contract, string kind, string id) =>
        new Sdk.Encoding.CanonicalWriter().U8(DerivedMarker).U8((byte)'S').String(contract).String(kind).String(id).WrittenSpan.ToArray();

    public static byte[] SubjectKey(string contract, string kind, string id, ulong block, uint tx, uint e) => WithPosition(SubjectPrefix(contract, kind, id), block, tx, e);

    /// <summary>The domain index of one account: 0 'A' || 20-byte address.</summary>
    public static byte[] ActorPrefix(ReadOnlySpan<byte> address) => [DerivedMarker, (byte)'A', .. address];

    public static byte[] ActorKey(ReadOnlySpan<byte> address, ulong block, uint tx) => WithPosition(ActorPrefix(address), block, tx, 0);

    public static byte[] Bucket(ushort bucket) => [BucketPrefix, (byte)(bucket >> 8), (byte)bucket];

    public static readonly byte[] BucketRangeStart = [BucketPrefix];
    public static readonly byte[] BucketRangeEnd = [BucketPrefix + 1];
}
