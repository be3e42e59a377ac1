using Chain.Protocol;
using Chain.Sdk.Crypto;

namespace Chain.Sdk.Encoding;

/// <summary>The one place that defines what the protocol hashes and signs.</summary>
public static class ProtocolHashes
{
    private const byte HeaderVersion = 1;
    private const byte ResultVersion = 1;

    /// <summary>Transaction id: SHA-256 of the serialized payload bytes exactly as signed.</summary>
    public static byte[] TxId(ReadOnlySpan<byte> payload) => Hashes.Sha256(payload);

    public static byte[] BlockHash(BlockHeader header)
    {
        var writer = new CanonicalWriter()
            .U8(HeaderVersion)
            .String(header.Channel)
            .U64(header.Number)
            .Bytes(header.PreviousHash.Span)
            .Bytes(header.TxRoot.Span)
            .Bytes(header.ResultsRoot.Span)
            .Bytes(header.StateRoot.Span)
            .I64(header.TimestampMs)
            .String(header.Proposer);
        return Hashes.Sha256(writer.WrittenSpan);
    }

    public static byte[] ResultDigest(TxResult result)
    {
        var writer = new CanonicalWriter().U8(ResultVersion).U32((uint)result.Code).String(result.Message).U32((uint)result.Events.Count);
        foreach (var e in result.Events) writer.String(e.Contract).String(e.Name).Bytes(e.Payload.Span);
        return Hashes.Sha256(writer.WrittenSpan);
    }

    /// <summary>What admins sign to approve a configuration update: a domain tag and the proposed configuration bytes.</summary>
    public static byte[] ConfigUpdateDigest(ReadOnlySpan<byte> config) =>
        Hashes.Sha256(new CanonicalWriter().String("chain.config-update.v1").Bytes(config).WrittenSpan);

    /// <summary>
    /// What a reader signs for one read call (docs/ENCODING.md, "Signed reads"): a domain tag, the gRPC method, the channel,
    /// the SHA-256 of the request message's protobuf bytes and the reader's clock, so a signature answers for one request on
    /// one channel within the channel's timestamp window.
    /// </summary>
    public static byte[] ReadDigest(string method, string channel, ReadOnlySpan<byte> request, long timeMs) =>
        Hashes.Sha256(new CanonicalWriter().String("chain.read.v1").String(method).String(channel).Bytes(Hashes.Sha256(request)).I64(timeMs).WrittenSpan);

    public static byte[] TxRoot(IReadOnlyList<byte[]> txIds) => MerkleTree.Root(txIds);

    public static byte[] ResultsRoot(IEnumerable<TxResult> results) => MerkleTree.Root(results.Select(ResultDigest).ToArray());
}
