using System.Buffers;
using System.Buffers.Binary;

namespace Chain.Sdk.Encoding;

/// <summary>
/// The explicit byte layout used wherever the protocol hashes a structure it does not carry as
/// opaque bytes (block headers, transaction results). Integers are big-endian and fixed width;
/// strings are UTF-8 and byte arrays are prefixed with a 32-bit length. See docs/ENCODING.md.
/// </summary>
public sealed class CanonicalWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public CanonicalWriter U8(byte value) { _buffer.GetSpan(1)[0] = value; _buffer.Advance(1); return this; }

    public CanonicalWriter U32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public CanonicalWriter U64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public CanonicalWriter I64(long value) => U64(unchecked((ulong)value));

    public CanonicalWriter Bytes(ReadOnlySpan<byte> value)
    {
        U32((uint)value.Length);
        _buffer.Write(value);
        return this;
    }

    public CanonicalWriter String(string value)
    {
        var length = System.Text.Encoding.UTF8.GetByteCount(value);
        U32((uint)length);
        System.Text.Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
        return this;
    }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;
}
