using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Sdk.Verification;

/// <summary>
/// Checks receipts and state proofs with nothing but the channel's genesis hash as trust anchor
/// (docs/adr/0007-proofs-and-receipts.md). Every failure is a <see cref="VerificationException"/> naming the
/// block, signature, path or field that does not hold.
/// </summary>
public static class ProofVerifier
{
    /// <summary>Checks the chain of configurations from genesis; the result answers who ordered each block.</summary>
    public static ConsenterHistory VerifyConsenters(ConsenterChain chain, ReadOnlySpan<byte> genesisHash)
    {
        var genesis = chain?.Genesis ?? throw new VerificationException("the proof carries no genesis block");
        var header = genesis.Header ?? throw new VerificationException("the genesis block has no header");
        if (header.Number != 0) throw new VerificationException($"the genesis block is numbered {header.Number}, not 0");
        var hash = ProtocolHashes.BlockHash(header);
        if (!hash.AsSpan().SequenceEqual(genesisHash))
            throw new VerificationException($"the genesis block's hash {Hashes.ToHex(hash)} is not the trusted {Hashes.ToHex(genesisHash)}");
        CheckBody(genesis, "the genesis block");
        if (genesis.Transactions.Count != 1 || !ChannelConfigs.TryRead(genesis.Transactions[0], ChannelConfigs.GenesisFunction, out var config))
            throw new VerificationException("the genesis block carries no channel configuration");

        var history = new ConsenterHistory(header.Channel, hash, config);
        (ulong Block, uint Tx) last = (0, 0);
        for (int i = 0; i < chain.Updates.Count; i++)
        {
            var update = chain.Updates[i];
            var at = $"configuration update {i + 1} of the consenter chain";
            var verified = VerifyInclusion(update, history, at);
            var position = (verified.Header.Number, update.TxIndex);
            if (position.CompareTo(last) <= 0) throw new VerificationException($"{at} (block {position.Number}) is not after the one before it");
            last = position;
            if (verified.Result.Code != ValidationCode.Valid) throw new VerificationException($"{at} in block {position.Number} was refused ({verified.Result.Code}), it changed nothing");
            if (!ChannelConfigs.TryRead(update.Transaction, ChannelConfigs.UpdateFunction, out var next))
                throw new VerificationException($"{at} in block {position.Number} is not a readable configuration update");
            if (next.Sequence != history.Latest.Sequence + 1)
                throw new VerificationException($"{at} in block {position.Number} has sequence {next.Sequence}, expected {history.Latest.Sequence + 1}");
            history.Adopt(next, position.Number);
        }
        return history;
    }

    /// <summary>Checks a header's hash and signatures: block 0 must be the trusted genesis, later blocks signed by consenters in force.</summary>
    public static byte[] VerifyHeader(BlockHeader header, IReadOnlyList<ConsenterSignature> signatures, ConsenterHistory history, string what = "the block")
    {
        if (header is null) throw new VerificationException($"{what} has no header");
        if (header.Channel != history.Channel) throw new VerificationException($"{what} is of channel '{header.Channel}', the trusted genesis of '{history.Channel}'");
        var hash = ProtocolHashes.BlockHash(header);
        if (header.Number == 0)
        {
            if (!hash.AsSpan().SequenceEqual(history.GenesisHash)) throw new VerificationException($"{what} claims to be block 0 but is not the trusted genesis block");
            return hash;
        }
        if (signatures.Count == 0) throw new VerificationException($"block {header.Number} carries no consenter signature");
        var (config, since) = history.InForceAt(header.Number);
        for (int i = 0; i < signatures.Count; i++)
        {
            var signature = signatures[i];
            var signer = Signatures.TryRecoverAddress(hash, signature.Signature.Span, out var error);
            if (signer is null || !signer.AsSpan().SequenceEqual(signature.Signer.Span))
                throw new VerificationException($"signature {i + 1} of block {header.Number} (claimed by {Address.ToText(signature.Signer.Span)}) does not verify: {error ?? "it was made by another key or over another header"}");
            if (!ChannelConfigs.IsConsenter(config, signer))
                throw new VerificationException($"block {header.Number} is signed by {Address.ToText(signer)}, which is not a consenter of configuration {config.Sequence} (in force from block {since + 1})");
        }
        var proposer = Address.TryParse(header.Proposer);
        if (proposer is null || !signatures.Any(s => s.Signer.Span.SequenceEqual(proposer)))
            throw new VerificationException($"block {header.Number} is not signed by its proposer {header.Proposer}");
        return hash;
    }

    /// <summary>Checks a transaction's inclusion: its header and signatures, both Merkle paths, and the transaction's own signature.</summary>
    public static VerifiedTx VerifyInclusion(TxInclusion inclusion, ConsenterHistory history, string what = "the transaction")
    {
        if (inclusion?.Transaction is null || inclusion.Result is null) throw new VerificationException($"{what} is incomplete (no transaction or result)");
        var header = inclusion.Header ?? throw new VerificationException($"{what} has no block header");
        var hash = VerifyHeader(header, inclusion.Signatures, history, $"the block of {what}");
        // Both trees have one leaf per transaction, so the same position has the same path shape in both: a result
        // path of another position (another transaction's outcome) cannot be paired with this transaction.
        if (inclusion.TxPath.Count != inclusion.ResultPath.Count || inclusion.TxPath.Zip(inclusion.ResultPath).Any(p => p.First.SiblingOnLeft != p.Second.SiblingOnLeft))
            throw new VerificationException($"the transaction path and the result path of {what} are not of the same position in block {header.Number}: the result is another transaction's");
        var txId = ProtocolHashes.TxId(inclusion.Transaction.Payload.Span);
        if (!PathRoot(txId, inclusion.TxPath, what, "transaction").AsSpan().SequenceEqual(header.TxRoot.Span))
            throw new VerificationException($"the transaction path of {what} ({inclusion.TxPath.Count} levels) does not lead to the tx root of block {header.Number}: the transaction or the path was changed");
        if (!PathRoot(ProtocolHashes.ResultDigest(inclusion.Result), inclusion.ResultPath, what, "result").AsSpan().SequenceEqual(header.ResultsRoot.Span))
            throw new VerificationException($"the result path of {what} ({inclusion.ResultPath.Count} levels) does not lead to the results root of block {header.Number}: the result (code, message or events) or the path was changed");
        TxPayload payload;
        try { payload = TxPayload.Parser.ParseFrom(inclusion.Transaction.Payload); }
        catch (InvalidProtocolBufferException) { throw new VerificationException($"{what}'s payload does not decode"); }
        if (payload.Channel != header.Channel) throw new VerificationException($"{what} names channel '{payload.Channel}' but is in a block of '{header.Channel}'");
        // Block 0's configuration is vouched for by the genesis hash; every later transaction by its creator's signature.
        if (header.Number > 0)
        {
            var signer = Signatures.TryRecoverAddress(txId, inclusion.Transaction.Signature.Span, out var error);
            if (signer is null || !signer.AsSpan().SequenceEqual(payload.Creator.Span))
                throw new VerificationException($"{what}'s signature is not by its creator {Address.ToText(payload.Creator.Span)} ({error ?? "another key signed it"})");
        }
        return new VerifiedTx(Hashes.ToHex(txId), payload, inclusion.Result, header, hash);
    }

    /// <summary>Checks a page of proven transactions (history with receipts): one consenter chain, then each inclusion.</summary>
    public static IReadOnlyList<VerifiedTx> VerifyInclusions(IReadOnlyList<TxInclusion> inclusions, ConsenterChain consenters, ReadOnlySpan<byte> genesisHash)
    {
        var history = VerifyConsenters(consenters, genesisHash);
        return inclusions.Select((inclusion, i) => VerifyInclusion(inclusion, history, $"entry {i + 1}'s transaction")).ToList();
    }

    public static VerifiedReceipt VerifyReceipt(Receipt receipt, ReadOnlySpan<byte> genesisHash)
    {
        if (receipt?.Inclusion is null) throw new VerificationException("the receipt carries no transaction");
        var history = VerifyConsenters(receipt.Consenters, genesisHash);
        return new VerifiedReceipt(VerifyInclusion(receipt.Inclusion, history), history);
    }

    /// <summary>Checks a state proof: the key's bucket, its entries, the path to the state root of a header signed by consenters in force.</summary>
    public static VerifiedState VerifyState(StateProof proof, ReadOnlySpan<byte> genesisHash)
    {
        if (proof is null) throw new VerificationException("no state proof");
        var history = VerifyConsenters(proof.Consenters, genesisHash);
        var header = proof.Header ?? throw new VerificationException("the state proof has no block header");
        var blockHash = VerifyHeader(header, proof.Signatures, history);
        var read = proof.Read ?? throw new VerificationException("the state proof names no key");
        var value = VerifyAgainstStateRoot(read, header.StateRoot.Span, header.Number);
        return new VerifiedState(read.Contract, read.Key, value, header, blockHash);
    }

    /// <summary>
    /// The state part of <see cref="VerifyState"/>: the key's bucket and entries lead to <paramref name="stateRoot"/> and hold
    /// (or lack) the key; returns its value, or null when absent. The header and its signatures are not checked here.
    /// </summary>
    public static byte[]? VerifyAgainstStateRoot(ProvenRead proof, ReadOnlySpan<byte> stateRoot, ulong number)
    {
        var stateKey = StateTree.StateKey(proof.Contract, proof.Key);
        var bucket = StateTree.BucketOf(stateKey);
        if (proof.Bucket != bucket) throw new VerificationException($"the proof names bucket {proof.Bucket}, but key '{proof.Key}' of '{proof.Contract}' is in bucket {bucket}");

        var entries = new List<(byte[] Key, byte[] ValueHash)>(proof.Entries.Count);
        byte[]? found = null;
        for (int i = 0; i < proof.Entries.Count; i++)
        {
            var key = proof.Entries[i].StateKey.ToByteArray();
            var valueHash = proof.Entries[i].ValueHash.ToByteArray();
            if (valueHash.Length != Hashes.Length) throw new VerificationException($"bucket entry {i} has a {valueHash.Length}-byte value hash");
            if (StateTree.BucketOf(key) != bucket) throw new VerificationException($"bucket entry {i} does not belong to bucket {bucket}");
            if (i > 0 && entries[^1].Key.AsSpan().SequenceCompareTo(key) >= 0) throw new VerificationException($"bucket entries {i - 1} and {i} are not in key order");
            if (key.AsSpan().SequenceEqual(stateKey)) found = valueHash;
            entries.Add((key, valueHash));
        }
        var root = StateTree.RootFrom(bucket, StateTree.HashBucket(entries), proof.Siblings.Select(s => s.ToByteArray()).ToList());
        if (!root.AsSpan().SequenceEqual(stateRoot))
            throw new VerificationException($"the bucket and its sibling hashes lead to state root {Hashes.ToHex(root)}, not block {number}'s {Hashes.ToHex(stateRoot)}: an entry, a sibling or the header was changed");
        if (proof.Present)
        {
            if (found is null) throw new VerificationException($"the proof says key '{proof.Key}' is present, but its bucket has no entry for it");
            if (!Hashes.Sha256(proof.Value.Span).AsSpan().SequenceEqual(found)) throw new VerificationException($"the value given for key '{proof.Key}' is not the one the state holds (its hash differs)");
        }
        else
        {
            if (found is not null) throw new VerificationException($"the proof says key '{proof.Key}' is absent, but its bucket has an entry for it");
            if (!proof.Value.IsEmpty) throw new VerificationException("an absence proof carries a value");
        }
        return proof.Present ? proof.Value.ToByteArray() : null;
    }

    private static byte[] PathRoot(byte[] leaf, IReadOnlyList<MerkleStep> path, string what, string which)
    {
        for (int level = 0; level < path.Count; level++)
            if (path[level].Sibling.Length != Hashes.Length)
                throw new VerificationException($"level {level} of the {which} path of {what} is {path[level].Sibling.Length} bytes, not {Hashes.Length}");
        return MerkleTree.RootFromPath(leaf, path.Select(s => (s.Sibling.ToByteArray(), s.SiblingOnLeft)));
    }

    /// <summary>Fails unless the block's transactions and results are the ones its header's roots commit to.</summary>
    public static void CheckBody(Block block, string what)
    {
        if (block.Header is null) throw new VerificationException($"{what} has no header");
        var txIds = block.Transactions.Select(t => ProtocolHashes.TxId(t.Payload.Span)).ToArray();
        if (!ProtocolHashes.TxRoot(txIds).AsSpan().SequenceEqual(block.Header.TxRoot.Span)) throw new VerificationException($"{what}'s transactions do not match its tx root");
        if (block.Results.Count != block.Transactions.Count || !ProtocolHashes.ResultsRoot(block.Results).AsSpan().SequenceEqual(block.Header.ResultsRoot.Span))
            throw new VerificationException($"{what}'s results do not match its results root");
    }

    /// <summary>The Merkle steps of leaf <paramref name="index"/> among <paramref name="leaves"/>, as carried in proofs.</summary>
    public static IEnumerable<MerkleStep> Steps(IReadOnlyList<byte[]> leaves, int index) =>
        MerkleTree.Path(leaves, index).Select(s => new MerkleStep { Sibling = ByteString.CopyFrom(s.Sibling), SiblingOnLeft = s.SiblingOnLeft });
}

/// <summary>The configurations of a channel in chain order, each with the block that adopted it (genesis: 0).</summary>
public sealed class ConsenterHistory
{
    private readonly List<(ChannelConfig Config, ulong AdoptedIn)> _configs = [];

    internal ConsenterHistory(string channel, byte[] genesisHash, ChannelConfig genesis)
    {
        Channel = channel;
        GenesisHash = genesisHash;
        _configs.Add((genesis, 0));
    }

    public string Channel { get; }
    public byte[] GenesisHash { get; }
    public ChannelConfig Latest => _configs[^1].Config;
    public int Count => _configs.Count;

    internal void Adopt(ChannelConfig config, ulong block) => _configs.Add((config, block));

    /// <summary>The configuration whose consenters sign block <paramref name="block"/>: the last one adopted before it, and the block that adopted it.</summary>
    public (ChannelConfig Config, ulong AdoptedIn) InForceAt(ulong block)
    {
        for (int i = _configs.Count - 1; i > 0; i--)
            if (_configs[i].AdoptedIn < block) return _configs[i];
        return _configs[0];
    }
}

public sealed record VerifiedTx(string TxId, TxPayload Payload, TxResult Result, BlockHeader Header, byte[] BlockHash);

public sealed record VerifiedReceipt(VerifiedTx Tx, ConsenterHistory Consenters);

public sealed record VerifiedState(string Contract, string Key, byte[]? Value, BlockHeader Header, byte[] BlockHash);
