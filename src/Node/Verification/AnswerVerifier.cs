using Chain.Contracts.Abstractions;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Node.Membership;
using Chain.Node.Storage;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Verification;
using Google.Protobuf;

namespace Chain.Node.Verification;

/// <summary>
/// Checks a query answer asked <c>with_proof</c> without trusting the node (docs/adr/0007-proofs-and-receipts.md): the
/// header is signed by consenters chained to the genesis, every read is proven against its state root, and running the
/// same contract function here, over exactly those reads, with the reader the proven enrolment describes, gives the
/// same bytes. So a node can neither change the answer nor the state it claims to have read.
/// </summary>
public static class AnswerVerifier
{
    public sealed record VerifiedAnswer(byte[] Result, BlockHeader Header, int Reads);

    /// <param name="reader">The account that signed the read (its caller), or null for an unsigned public read.</param>
    public static VerifiedAnswer Verify(EvaluateRequest request, EvaluateResponse response, ReadOnlySpan<byte> genesisHash, byte[]? reader)
    {
        var proof = response.Proof ?? throw new VerificationException("the answer carries no proof (ask with with_proof)");
        var history = ProofVerifier.VerifyConsenters(proof.Consenters, genesisHash);
        var header = proof.Header ?? throw new VerificationException("the proof has no block header");
        ProofVerifier.VerifyHeader(header, proof.Signatures, history);
        if (header.Channel != request.Channel) throw new VerificationException($"the proof is of channel '{header.Channel}', the question of '{request.Channel}'");
        if (response.Height != header.Number + 1) throw new VerificationException($"the answer says it read height {response.Height}, its proof is of block {header.Number}");

        var state = new ProvenState(header.Channel);
        foreach (var read in proof.Reads)
        {
            state.Add(KeyCodec.State(read.Contract, read.Key), ProofVerifier.VerifyAgainstStateRoot(read, header.StateRoot.Span, header.Number));
        }

        var caller = new Caller("");
        if (reader is not null)
        {
            var config = SystemState.ReadConfig(state) ?? throw new VerificationException("the proof does not show the channel configuration the reader's roles come from");
            var identity = ChannelAccess.Of(state, config).IdentityOf(reader, out var refused)
                ?? throw new VerificationException($"the proven state does not enrol the reader: {refused?.Message}");
            caller = ChannelAccess.CallerOf(identity);
        }

        var registry = Chain.Contracts.BuiltInContracts.Registry([request.Contract]);
        if (!registry.TryGet(request.Contract, out var contract) || !contract.Functions.TryGetValue(request.Function, out var function) || function.Kind != FunctionKind.Query)
            throw new VerificationException($"this verifier does not know the query {request.Contract}.{request.Function}");
        var context = new TxContext(state, new Dictionary<byte[], byte[]?>(ByteArrayComparer.Instance), request.Contract, caller, "", header.TimestampMs, header.Number + 1, readOnly: true);
        byte[] expected;
        try { expected = function.Execute(context, ContractArgs.Parse(request.Args.Span)) ?? []; }
        catch (ContractException e) { throw new VerificationException($"{request.Contract}.{request.Function} over the proven state refuses ({e.Code}: {e.Message}), but the node answered"); }
        if (!expected.AsSpan().SequenceEqual(response.Result.Span))
            throw new VerificationException($"the node's answer is not what {request.Contract}.{request.Function} computes over the state it proved (the answer was changed)");
        return new VerifiedAnswer(expected, header, proof.Reads.Count);
    }

    /// <summary>The proven reads as state: any other read, and any range scan, is a gap in the proof.</summary>
    private sealed class ProvenState(string channel) : IStateReader
    {
        private readonly Dictionary<byte[], byte[]?> _values = new(ByteArrayComparer.Instance);

        public string Channel => channel;

        public void Add(byte[] stateKey, byte[]? value) => _values[stateKey] = value;

        public byte[]? GetState(ReadOnlySpan<byte> stateKey) =>
            _values.TryGetValue(stateKey.ToArray(), out var value) ? value
                : throw new VerificationException($"the query reads key '{KeyCodec.SplitStateKey(stateKey).Key}' of '{KeyCodec.SplitStateKey(stateKey).Contract}', which the proof does not cover");

        public IEnumerable<KeyValuePair<byte[], byte[]>> ScanState(byte[] lower, byte[]? upper, int limit) =>
            throw new VerificationException("the query scans a range of keys, which a proof of single keys cannot show complete");

        public IEnumerable<HistoryRecord> GetHistory(byte[] stateKey, ulong fromBlock, uint fromTx, int limit) =>
            throw new VerificationException("the query reads a key's history, which a state proof does not cover");
    }
}
