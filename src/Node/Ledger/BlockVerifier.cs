using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Node.Ledger;

/// <summary>Checks that a block is internally consistent: decodable, roots match its body, signatures valid.</summary>
internal static class BlockVerifier
{
    public static Block Decode(ulong number, byte[] bytes)
    {
        try { return Block.Parser.ParseFrom(bytes); }
        catch (InvalidProtocolBufferException e) { throw new LedgerCorruptException(number, $"block bytes do not decode ({e.Message})"); }
    }

    private static string? CheckSigner(Transaction transaction, byte[] txId)
    {
        TxPayload payload;
        try { payload = TxPayload.Parser.ParseFrom(transaction.Payload); }
        catch (InvalidProtocolBufferException) { return "its payload does not decode"; }
        var signer = Signatures.TryRecoverAddress(txId, transaction.Signature.Span, out var error);
        if (signer is null) return $"its signature does not verify ({error})";
        return signer.AsSpan().SequenceEqual(payload.Creator.Span) ? null : "its signature is not by its creator";
    }

    /// <summary>Returns the block hash, or throws <see cref="LedgerCorruptException"/> naming what is wrong.</summary>
    public static byte[] CheckSelfConsistent(Block block, ulong expectedNumber, string channel, bool checkTxSignatures = false)
    {
        var header = block.Header ?? throw new LedgerCorruptException(expectedNumber, "block has no header");
        if (header.Number != expectedNumber) throw new LedgerCorruptException(expectedNumber, $"header says block {header.Number}");
        if (header.Channel != channel) throw new LedgerCorruptException(expectedNumber, $"header names channel '{header.Channel}', expected '{channel}'");
        if (block.Results.Count != block.Transactions.Count)
            throw new LedgerCorruptException(expectedNumber, $"{block.Transactions.Count} transactions but {block.Results.Count} results");

        var txIds = block.Transactions.Select(t => ProtocolHashes.TxId(t.Payload.Span)).ToArray();
        if (!ProtocolHashes.TxRoot(txIds).AsSpan().SequenceEqual(header.TxRoot.Span))
            throw new LedgerCorruptException(expectedNumber, "transaction root does not match the transactions");
        if (!ProtocolHashes.ResultsRoot(block.Results).AsSpan().SequenceEqual(header.ResultsRoot.Span))
            throw new LedgerCorruptException(expectedNumber, "results root does not match the validation results");

        var hash = ProtocolHashes.BlockHash(header);
        if (expectedNumber > 0)
        {
            if (block.Signatures.Count == 0) throw new LedgerCorruptException(expectedNumber, "block is not signed");
            foreach (var signature in block.Signatures)
            {
                var signer = Signatures.TryRecoverAddress(hash, signature.Signature.Span, out var error);
                if (signer is null || !signer.AsSpan().SequenceEqual(signature.Signer.Span))
                    throw new LedgerCorruptException(expectedNumber, $"consenter signature is not valid ({error ?? "signer mismatch"})");
            }
            var proposer = Address.TryParse(header.Proposer);
            if (proposer is null || !block.Signatures.Any(s => s.Signer.Span.SequenceEqual(proposer)))
                throw new LedgerCorruptException(expectedNumber, "block is not signed by its proposer");
        }

        // Block 0's only transaction is the unsigned channel configuration, vouched for by the genesis file itself.
        if (checkTxSignatures && expectedNumber > 0)
        {
            // Only VALID transactions changed state, so only their signatures must hold; the others are
            // kept as submitted, with the reason they were refused.
            var bad = new System.Collections.Concurrent.ConcurrentBag<(int Index, string Reason)>();
            Parallel.For(0, block.Transactions.Count, i =>
            {
                if (block.Results[i].Code != ValidationCode.Valid) return;
                if (CheckSigner(block.Transactions[i], txIds[i]) is { } reason) bad.Add((i, reason));
            });
            if (!bad.IsEmpty)
            {
                var first = bad.MinBy(b => b.Index);
                throw new LedgerCorruptException(expectedNumber, $"transaction {first.Index} is VALID but {first.Reason}");
            }
        }
        return hash;
    }
}
