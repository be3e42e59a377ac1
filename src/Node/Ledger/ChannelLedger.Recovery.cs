using Chain.Node.Storage;
using Chain.Node.Storage.Rocks;
using Chain.Protocol;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Node.Ledger;

internal sealed partial class ChannelLedger
{
    /// <summary>
    /// Opens (or creates) the ledger and checks that the stored chain is whole at its tip: the savepoint,
    /// the last block's bytes, its hash, its links and its roots must agree. Throws
    /// <see cref="LedgerCorruptException"/> naming the block when they do not.
    /// </summary>
    public static ChannelLedger Open(string path, string channel, bool readOnly = false)
    {
        var store = RocksStore.Open(path, readOnly);
        try
        {
            var commitment = StateCommitment.Load(store);
            var head = CheckTip(store, channel, commitment);
            var ledger = new ChannelLedger(channel, store, commitment, head);
            if (!readOnly) ledger.CatchUpDomainIndex();
            return ledger;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    private static ChainHead CheckTip(RocksStore store, string channel, StateCommitment commitment)
    {
        var savepoint = store.Get(Column.Meta, KeyCodec.SavepointKey);
        var last = store.Last(Column.Blocks);
        if (savepoint is null)
        {
            if (last is not null) throw new LedgerCorruptException(0, "blocks exist but the savepoint is missing");
            return new ChainHead(0, new byte[Sdk.Crypto.Hashes.Length], 0, commitment.Root);
        }
        var (height, lastHash) = Values.ParseSavepoint(savepoint);
        if (last is null || KeyCodec.ParseBlockNumber(last.Value.Key) != height - 1)
            throw new LedgerCorruptException(height - 1, $"savepoint says height {height} but the last stored block is {(last is null ? "none" : KeyCodec.ParseBlockNumber(last.Value.Key))}");

        var block = BlockVerifier.Decode(height - 1, last.Value.Value);
        var hash = BlockVerifier.CheckSelfConsistent(block, height - 1, channel);
        if (!hash.AsSpan().SequenceEqual(lastHash))
            throw new LedgerCorruptException(height - 1, "block hash does not match the savepoint (block bytes changed)");
        if (height > 1)
        {
            var previousBytes = store.Get(Column.Blocks, KeyCodec.BlockNumber(height - 2))
                ?? throw new LedgerCorruptException(height - 2, "block is missing");
            var previous = BlockVerifier.Decode(height - 2, previousBytes);
            if (!ProtocolHashes.BlockHash(previous.Header).AsSpan().SequenceEqual(block.Header.PreviousHash.Span))
                throw new LedgerCorruptException(height - 1, "previous-hash link does not match block " + (height - 2));
        }
        if (!commitment.Root.AsSpan().SequenceEqual(block.Header.StateRoot.Span))
            throw new LedgerCorruptException(height - 1, "state root of the stored world state does not match the last block");
        return new ChainHead(height, hash, block.Header.TimestampMs, commitment.Root);
    }
}

public sealed class LedgerCorruptException(ulong blockNumber, string reason)
    : Exception($"ledger is corrupt at block {blockNumber}: {reason}")
{
    public ulong BlockNumber { get; } = blockNumber;
}
