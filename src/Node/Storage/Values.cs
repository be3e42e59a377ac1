using System.Buffers.Binary;

namespace Chain.Node.Storage;

/// <summary>Fixed layouts of the small values stored next to the keys of <see cref="KeyCodec"/>.</summary>
internal static class Values
{
    /// <summary>Where a transaction is: block number, index in the block, validation code.</summary>
    public static byte[] TxLocation(ulong block, uint txIndex, int code)
    {
        var value = new byte[13];
        BinaryPrimitives.WriteUInt64BigEndian(value, block);
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(8), txIndex);
        value[12] = (byte)code;
        return value;
    }

    public static (ulong Block, uint TxIndex, int Code) ParseTxLocation(ReadOnlySpan<byte> value) =>
        (BinaryPrimitives.ReadUInt64BigEndian(value), BinaryPrimitives.ReadUInt32BigEndian(value[8..]), value[12]);

    /// <summary>A state value with its version: (block, tx index) of the write.</summary>
    public static byte[] VersionedValue(ulong block, uint txIndex, ReadOnlySpan<byte> data)
    {
        var value = new byte[12 + data.Length];
        BinaryPrimitives.WriteUInt64BigEndian(value, block);
        BinaryPrimitives.WriteUInt32BigEndian(value.AsSpan(8), txIndex);
        data.CopyTo(value.AsSpan(12));
        return value;
    }

    public static ReadOnlySpan<byte> DataOfVersionedValue(ReadOnlySpan<byte> value) => value[12..];

    /// <summary>History entry: tx id (32), tx timestamp (8), flag (1 = value follows, 0 = delete), value.</summary>
    public static byte[] HistoryEntry(ReadOnlySpan<byte> txId, long timestampMs, byte[]? data)
    {
        var value = new byte[41 + (data?.Length ?? 0)];
        txId.CopyTo(value);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(32), timestampMs);
        value[40] = data is null ? (byte)0 : (byte)1;
        data?.CopyTo(value, 41);
        return value;
    }

    public static (byte[] TxId, long TimestampMs, byte[]? Value) ParseHistoryEntry(ReadOnlySpan<byte> value) =>
        (value[..32].ToArray(), BinaryPrimitives.ReadInt64BigEndian(value[32..]), value[40] == 0 ? null : value[41..].ToArray());

    /// <summary>Savepoint: height (number of committed blocks) and the hash of the last one.</summary>
    public static byte[] Savepoint(ulong height, ReadOnlySpan<byte> lastHash)
    {
        var value = new byte[8 + lastHash.Length];
        BinaryPrimitives.WriteUInt64BigEndian(value, height);
        lastHash.CopyTo(value.AsSpan(8));
        return value;
    }

    public static (ulong Height, byte[] LastHash) ParseSavepoint(ReadOnlySpan<byte> value) =>
        (BinaryPrimitives.ReadUInt64BigEndian(value), value[8..].ToArray());
}
