using System.Buffers.Binary;
using System.Net;
using System.Text;
using DotNext.Buffers;
using DotNext.Net.Cluster.Consensus.Raft.Membership;

namespace Chain.Node.Consensus.Raft;

/// <summary>Raft membership (consenter endpoints) in memory; seeded from the channel configuration at every start.</summary>
internal sealed class EndPointStorage : InMemoryClusterConfigurationStorage<EndPoint>
{
    protected override void Encode(EndPoint address, ref BufferWriterSlim<byte> output)
    {
        var text = Encoding.UTF8.GetBytes(address.ToString()!);
        Span<byte> length = stackalloc byte[sizeof(int)];
        BinaryPrimitives.WriteInt32LittleEndian(length, text.Length);
        output.Write(length);
        output.Write(text);
    }

    protected override EndPoint Decode(ref SequenceReader reader)
    {
        Span<byte> length = stackalloc byte[sizeof(int)];
        reader.Read(length);
        var text = new byte[BinaryPrimitives.ReadInt32LittleEndian(length)];
        reader.Read(text);
        return IPEndPoint.Parse(Encoding.UTF8.GetString(text));
    }
}
