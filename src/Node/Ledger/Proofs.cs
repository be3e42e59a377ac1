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

    public static StateProof State(ChannelLedger ledger, string contract, string key)
    {
        var data = ledger.ProveState(KeyCodec.State(contract, key));
        var block = ledger.GetBlock(data.Head.Height - 1)!;
        var proof = new StateProof
        {
            Contract = contract, Key = key, Present = data.Value is not null, Bucket = data.Bucket,
            Header = block.Header, Consenters = ConsenterChain(ledger, block.Header.Number),
        };
        if (data.Value is not null) proof.Value = ByteString.CopyFrom(data.Value);
        proof.Signatures.AddRange(block.Signatures);
        foreach (var (stateKey, valueHash) in data.Entries)
            proof.Entries.Add(new BucketEntry { StateKey = ByteString.CopyFrom(stateKey), ValueHash = ByteString.CopyFrom(valueHash) });
        foreach (var sibling in data.Siblings) proof.Siblings.Add(ByteString.CopyFrom(sibling));
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
    public static ConsenterChain ConsenterChain(ChannelLedger ledger, ulong beforeBlock)
    {
        var chain = new ConsenterChain { Genesis = ledger.GetBlock(0) };
        var configKey = KeyCodec.State(SystemContracts.Config, SystemState.ConfigKey);
        foreach (var write in ledger.GetHistory(configKey, 1, 0, int.MaxValue))
        {
            if (write.Block >= beforeBlock) break;
            var block = ledger.GetBlock(write.Block)!;
            var tx = (int)write.TxIndex;
            if (block.Results[tx].Code == ValidationCode.Valid && ChannelConfigs.TryRead(block.Transactions[tx], ChannelConfigs.UpdateFunction, out _))
                chain.Updates.Add(Inclusion(block, tx));
        }
        return chain;
    }
}
