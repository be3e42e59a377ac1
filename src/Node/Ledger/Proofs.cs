using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Encoding;
using Chain.Sdk.Verification;
using Chain.Node.Storage;
using Chain.Node.Membership;
using Google.Protobuf;

namespace Chain.Node.Ledger;

/// <summary>
/// Builds what <see cref="ProofVerifier"/> checks: receipts (a transaction proven in its signed block) and state
/// proofs at the head, each with the chain of configuration updates back to genesis (docs/adr/0007-proofs-and-receipts.md).
/// </summary>
internal static class Proofs
{
    public static Receipt Receipt(ChannelLedger ledger, Block block, int txIndex) =>
        new() { Inclusion = Inclusion(block, txIndex), Consenters = ConsenterChain(ledger, block.Header.Number) };

    public static StateProof State(ChannelLedger ledger, string contract, string key, ulong? block = null)
    {
        var stateKey = KeyCodec.State(contract, key);
        // At the head if the asked block is (still) the head, checked under the commit lock; else rolled back to it.
        var data = block is not { } past ? ledger.ProveState(stateKey)
            : ledger.ProveStates([stateKey], past + 1)?.Keys[0]
              ?? ledger.ProveStateAt(stateKey, past, out var problem) ?? throw new Errors.RequestException(Sdk.Client.ErrorCodes.NoSuchBlock, problem!);
        var proof = new StateProof { Read = ReadOf(contract, key, data), Header = data.Header, Consenters = ConsenterChain(ledger, data.Header.Number) };
        proof.Signatures.AddRange(data.Signatures);
        return proof;
    }

    /// <summary>One key's proven value or absence, from what the ledger read for it.</summary>
    private static ProvenRead ReadOf(string contract, string key, StateProofData data)
    {
        var read = new ProvenRead { Contract = contract, Key = key, Present = data.Value is not null, Bucket = data.Bucket };
        if (data.Value is { } value) read.Value = ByteString.CopyFrom(value);
        foreach (var (entryKey, valueHash) in data.Entries)
            read.Entries.Add(new BucketEntry { StateKey = ByteString.CopyFrom(entryKey), ValueHash = ByteString.CopyFrom(valueHash) });
        foreach (var sibling in data.Siblings) read.Siblings.Add(ByteString.CopyFrom(sibling));
        return read;
    }

    /// <summary>
    /// Proofs of <paramref name="stateKeys"/> at the head of height <paramref name="height"/> (the one a query just read),
    /// or null when a block committed since.
    /// </summary>
    public static ReadProof? Reads(ChannelLedger ledger, IReadOnlyList<byte[]> stateKeys, ulong height)
    {
        var proven = ledger.ProveStates(stateKeys, height);
        if (proven is null) return null;
        var proof = new ReadProof { Header = proven.Header, Consenters = ConsenterChain(ledger, proven.Header.Number) };
        proof.Signatures.AddRange(proven.Signatures);
        var data = proven.Keys;
        for (int i = 0; i < data.Count; i++)
        {
            var (contract, key) = KeyCodec.SplitStateKey(stateKeys[i]);
            proof.Reads.Add(ReadOf(contract, key, data[i]));
        }
        return proof;
    }

    /// <summary>Transaction <paramref name="txIndex"/> of <paramref name="block"/> with its Merkle paths and the block's signatures.</summary>
    public static TxInclusion Inclusion(Block block, int txIndex)
    {
        var txIds = block.Transactions.Select(t => ProtocolHashes.TxId(t.Payload.Span)).ToArray();
        var digests = block.Results.Select(ProtocolHashes.ResultDigest).ToArray();
        var inclusion = new TxInclusion
        {
            Transaction = block.Transactions[txIndex], TxIndex = (uint)txIndex, Result = block.Results[txIndex], Header = block.Header,
        };
        inclusion.Signatures.AddRange(block.Signatures);
        inclusion.TxPath.AddRange(ProofVerifier.Steps(txIds, txIndex));
        inclusion.ResultPath.AddRange(ProofVerifier.Steps(digests, txIndex));
        return inclusion;
    }

    /// <summary>
    /// Genesis and every VALID configuration update in blocks before <paramref name="beforeBlock"/>: the writes of the
    /// configuration key (its history) name them, so no block is scanned.
    /// </summary>
    public static ConsenterChain ConsenterChain(ChannelLedger ledger, ulong beforeBlock) => Chains.GetValue(ledger, l => new ChainCache(l)).Before(beforeBlock);

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ChannelLedger, ChainCache> Chains = new();

    /// <summary>
    /// A ledger's consenter chain as far as it was asked for: it only grows (blocks are never rewritten), so each
    /// request reads only the configuration writes committed since the last one.
    /// </summary>
    private sealed class ChainCache(ChannelLedger ledger)
    {
        private readonly Lock _gate = new();
        private readonly List<TxInclusion> _updates = [];
        private Block? _genesis;
        private ulong _scannedBefore = 1;

        public ConsenterChain Before(ulong beforeBlock)
        {
            lock (_gate)
            {
                _genesis ??= ledger.GetBlock(0);
                if (beforeBlock > _scannedBefore)
                {
                    var configKey = KeyCodec.State(SystemContracts.Config, SystemState.ConfigKey);
                    foreach (var write in ledger.GetHistory(configKey, _scannedBefore, 0, int.MaxValue))
                    {
                        if (write.Block >= beforeBlock) break;
                        var block = ledger.GetBlock(write.Block)!;
                        var tx = (int)write.TxIndex;
                        if (block.Results[tx].Code == ValidationCode.Valid && ChannelConfigs.TryRead(block.Transactions[tx], ChannelConfigs.UpdateFunction, out _))
                            _updates.Add(Inclusion(block, tx));
                    }
                    _scannedBefore = beforeBlock;
                }
                var chain = new ConsenterChain { Genesis = _genesis };
                chain.Updates.AddRange(_updates.Where(u => u.Header.Number < beforeBlock));
                return chain;
            }
        }
    }
}
