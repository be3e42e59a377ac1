using System.Buffers;
using System.Buffers.Binary;
using Chain.Node.Channels;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Node.Network;
using Chain.Protocol;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Consensus.Raft;

/// <summary>A block the leader executed and proposed; the leader's own apply commits it without re-executing.</summary>
internal sealed class ProposedBlock(BlockWriteSet set, IReadOnlyList<CheckedTx> batch)
{
    public BlockWriteSet Set => set;
    public IReadOnlyList<CheckedTx> Batch => batch;
    public TaskCompletionSource<ApplyOutcome> Applied { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// The Raft state machine of a channel is its RocksDB ledger: every committed log entry is one block, applied in
/// log order on every consenter. The ledger is the source of truth, so a snapshot is only (height, last block
/// hash): a node that receives one pulls the missing blocks from its peers, verifying each, before going on.
/// </summary>
/// <remarks>Applying never throws: a block that fails verification halts the channel (it stops applying), loudly.</remarks>
internal sealed class LedgerStateMachine(DirectoryInfo location, ChannelRuntime channel, BlockPuller puller, int snapshotInterval, ILogger logger,
    Action<string> halt, CancellationToken stopping)
    : SimpleStateMachine(location)
{
    private const int SnapshotBytes = sizeof(ulong) + 32;
    private long _sinceSnapshot;

    protected override async ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        if (entry.IsConfiguration || !entry.TryGetPayload(out var payload) || payload.IsEmpty) return false;
        var proposed = entry.Context as ProposedBlock;
        var outcome = ApplyOutcome.Halted;
        try
        {
            await _catchUp; // a snapshot's blocks come first
            var head = channel.Ledger.Head;
            if (proposed is not null && !channel.Halted && proposed.Set.Block.Header.Number == head.Height
                && proposed.Set.Block.Header.PreviousHash.Span.SequenceEqual(head.LastHash))
            {
                channel.CommitExecuted(proposed.Set, proposed.Batch);
                outcome = ApplyOutcome.Applied;
            }
            else
            {
                var block = Block.Parser.ParseFrom(payload);
                if (block.Header is { } header && header.Number > head.Height)
                {
                    // Entries after a snapshot this node could not yet fill: get the blocks in between from peers.
                    logger.LogWarning("channel {Channel}: Raft entry {Index} holds block {Number}, this node has {Height} blocks; pulling the rest from its peers", channel.Name, entry.Index, header.Number, head.Height);
                    await puller.PullAsync(channel, header.Number, stopping);
                }
                outcome = channel.ApplyOrdered(block);
                if (outcome == ApplyOutcome.Halted) halt($"Raft entry {entry.Index} could not be applied (see above)");
                if (outcome == ApplyOutcome.Stale)
                    logger.LogInformation("channel {Channel}: Raft entry {Index} (term {Term}) holds a block this node already has; skipped", channel.Name, entry.Index, entry.Term);
            }
        }
        catch (Exception e)
        {
            // Never skip an entry silently: the ledger would fall behind the Raft log. A failed write also stops the node (ChannelRuntime.Fatal).
            logger.LogCritical(e, "channel {Channel}: Raft entry {Index} could not be applied", channel.Name, entry.Index);
            halt($"Raft entry {entry.Index} could not be applied: {e.Message}");
        }
        proposed?.Applied.TrySetResult(outcome);
        return ++_sinceSnapshot % snapshotInterval == 0;
    }

    protected override ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token)
    {
        var head = channel.Ledger.Head;
        var buffer = new byte[SnapshotBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, head.Height);
        head.LastHash.CopyTo(buffer.AsSpan(sizeof(ulong)));
        return writer.Invoke(buffer, token);
    }

    /// <summary>
    /// Called at start with this node's latest snapshot, and when the leader sends one because its log no longer has
    /// the entries this node lacks. The blocks up to the snapshot are pulled from peers in the background (this runs
    /// inside the leader's request, which must not wait for them); the next entry waits for them.
    /// </summary>
    protected override async ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token)
    {
        var buffer = await File.ReadAllBytesAsync(snapshotFile.FullName, token);
        if (buffer.Length < SnapshotBytes) throw new InvalidDataException($"Raft snapshot {snapshotFile.FullName} is {buffer.Length} bytes, expected {SnapshotBytes}");
        var height = BinaryPrimitives.ReadUInt64LittleEndian(buffer);
        if (channel.Ledger.Height >= height) return;
        var previous = _catchUp;
        _catchUp = Task.Run(async () =>
        {
            await previous;
            logger.LogInformation("channel {Channel}: Raft snapshot at height {Target}; this node has {Height} blocks and pulls the rest from its peers", channel.Name, height, channel.Ledger.Height);
            if (!await puller.PullAsync(channel, height, stopping))
            {
                if (!stopping.IsCancellationRequested) halt($"could not pull the blocks up to the Raft snapshot at height {height} (at {channel.Ledger.Height})");
            }
            else if (!Chain.Sdk.Encoding.ProtocolHashes.BlockHash(channel.Ledger.GetBlock(height - 1)!.Header).AsSpan().SequenceEqual(buffer.AsSpan(sizeof(ulong), 32)))
                halt($"block {height - 1} pulled from peers differs from the Raft snapshot's");
            else
                logger.LogInformation("channel {Channel}: caught up to the Raft snapshot at height {Target}", channel.Name, height);
        }, CancellationToken.None);
    }

    private Task _catchUp = Task.CompletedTask;
}
