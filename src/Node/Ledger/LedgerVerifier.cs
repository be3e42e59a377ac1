using Chain.Node.Storage;
using Chain.Node.Storage.Rocks;
using Chain.Protocol;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Node.Ledger;

/// <summary>
/// Offline check of a whole channel ledger: every block decodes, names its number and channel, links to
/// its predecessor, matches its transaction and results roots and carries valid signatures (the
/// proposer's and every VALID transaction's); the savepoint names the last block; the last block's
/// state root matches both the stored bucket hashes and a root recomputed from every state value.
/// </summary>
public static class LedgerVerifier
{
    public sealed record Report(string Channel, ulong Height, byte[] LastHash, ulong? FirstBadBlock, string? Problem)
    {
        public bool Intact => Problem is null;
    }

    /// <param name="blockRule">An extra check per block, in chain order (e.g. the consenter rule); returns what is wrong or null.</param>
    /// <param name="progress">Told the blocks checked so far and the height the savepoint claims (0 when unknown).</param>
    public static Report Verify(string path, string channel, Func<Block, string?>? blockRule = null, Action<ulong, ulong>? progress = null)
    {
        if (!Directory.Exists(path)) throw new StorageException($"no ledger database at '{path}'");
        using var store = RocksStore.Open(path, readOnly: true);
        ulong claimed = 0;
        try { if (store.Get(Column.Meta, KeyCodec.SavepointKey) is { } point) claimed = Values.ParseSavepoint(point).Height; }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException) { } // judged below, in order
        byte[] previousHash = new byte[32];
        ulong expected = 0;
        try
        {
            foreach (var (key, value) in store.Scan(Column.Blocks, KeyCodec.BlockNumber(0), null))
            {
                var number = KeyCodec.ParseBlockNumber(key);
                if (number != expected) throw new LedgerCorruptException(expected, "block is missing");
                var block = BlockVerifier.Decode(number, value);
                var hash = BlockVerifier.CheckSelfConsistent(block, number, channel, checkTxSignatures: true);
                if (!block.Header.PreviousHash.Span.SequenceEqual(previousHash))
                    throw new LedgerCorruptException(number, $"previous-hash link does not match block {(number == 0 ? "(none)" : number - 1)}");
                if (blockRule?.Invoke(block) is { } problem) throw new LedgerCorruptException(number, problem);
                var indexed = store.Get(Column.BlockHashes, hash);
                if (indexed is null || KeyCodec.ParseBlockNumber(indexed) != number)
                    throw new LedgerCorruptException(number, "block hash index does not point at this block (block bytes changed)");
                previousHash = hash;
                expected++;
                progress?.Invoke(expected, claimed);
            }
            var savepoint = store.Get(Column.Meta, KeyCodec.SavepointKey);
            if (expected == 0) return new Report(channel, 0, previousHash, null, savepoint is null ? null : "savepoint exists but there are no blocks");
            if (savepoint is null) throw new LedgerCorruptException(expected - 1, "savepoint is missing");
            var (height, lastHash) = Values.ParseSavepoint(savepoint);
            if (height != expected || !lastHash.AsSpan().SequenceEqual(previousHash))
                throw new LedgerCorruptException(expected - 1, $"savepoint says height {height}, the chain has {expected} blocks ending in a different hash");
            var last = Block.Parser.ParseFrom(store.Get(Column.Blocks, KeyCodec.BlockNumber(expected - 1))!);
            if (!StateCommitment.Load(store).Root.AsSpan().SequenceEqual(last.Header.StateRoot.Span))
                throw new LedgerCorruptException(expected - 1, "stored state-root buckets do not match the last block's state root");
            if (!StateCommitment.RecomputeFromState(store).AsSpan().SequenceEqual(last.Header.StateRoot.Span))
                throw new LedgerCorruptException(expected - 1, "world state values do not match the last block's state root (state was altered)");
            return new Report(channel, expected, previousHash, null, null);
        }
        catch (LedgerCorruptException e)
        {
            return new Report(channel, expected, previousHash, e.BlockNumber, e.Message);
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or InvalidProtocolBufferException)
        {
            var block = expected == 0 ? 0 : expected - 1;
            return new Report(channel, expected, previousHash, block, $"ledger is corrupt near block {block}: a stored value is malformed ({e.Message})");
        }
    }
}
