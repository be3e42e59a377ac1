using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Node.Network;
using Chain.Protocol;
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
/// Applies committed Raft entries, each one block, to the channel in log order: the leader's own block is committed as
/// it executed it; any other is verified and re-executed (<see cref="IConsenterSupport.Apply"/>). Blocks below a
/// snapshot this node lacks are pulled from its peers first. Never throws: a block that cannot be applied halts the
/// channel here, loudly.
/// </summary>
internal sealed class RaftApplier(IConsenterSupport channel, BlockPuller puller, ILogger logger, Action<string> halt, CancellationToken stopping)
{
    private Task _catchUp = Task.CompletedTask;

    public async Task<ApplyOutcome> ApplyAsync(System.Buffers.ReadOnlySequence<byte> payload, ProposedBlock? proposed, long index, long term)
    {
        var outcome = ApplyOutcome.Halted;
        try
        {
            await _catchUp; // a snapshot's blocks come first
            var head = channel.Head;
            if (proposed is not null && !channel.Halted && proposed.Set.Block.Header.Number == head.Height
                && proposed.Set.Block.Header.PreviousHash.Span.SequenceEqual(head.LastHash))
            {
                channel.Commit(proposed.Set, proposed.Batch);
                outcome = ApplyOutcome.Applied;
            }
            else
            {
                var block = Block.Parser.ParseFrom(payload);
                if (block.Header is { } header && header.Number > head.Height)
                {
                    // Entries after a snapshot this node could not yet fill: get the blocks in between from peers.
                    logger.LogWarning("channel {Channel}: Raft entry {Index} holds block {Number}, this node has {Height} blocks; pulling the rest from its peers", channel.ChannelName, index, header.Number, head.Height);
                    await puller.PullAsync(channel, header.Number, stopping);
                }
                outcome = channel.Apply(block, "ordered");
                if (outcome == ApplyOutcome.Halted) halt($"Raft entry {index} could not be applied (see above)");
                if (outcome == ApplyOutcome.Stale)
                    logger.LogInformation("channel {Channel}: Raft entry {Index} (term {Term}) holds a block this node already has; skipped", channel.ChannelName, index, term);
            }
        }
        catch (Exception e)
        {
            // Never skip an entry silently: the ledger would fall behind the Raft log. A failed write also stops the node.
            logger.LogCritical(e, "channel {Channel}: Raft entry {Index} could not be applied", channel.ChannelName, index);
            halt($"Raft entry {index} could not be applied: {e.Message}");
        }
        proposed?.Applied.TrySetResult(outcome);
        return outcome;
    }

    /// <summary>
    /// A snapshot says the chain has <paramref name="height"/> blocks, the last with <paramref name="lastHash"/>. The blocks up
    /// to it are pulled from peers in the background (this runs inside the leader's request, which must not wait for
    /// them); the next entry waits for them.
    /// </summary>
    public void CatchUpTo(ulong height, byte[] lastHash)
    {
        if (channel.Head.Height >= height) return;
        var previous = _catchUp;
        _catchUp = Task.Run(async () =>
        {
            await previous;
            logger.LogInformation("channel {Channel}: Raft snapshot at height {Target}; this node has {Height} blocks and pulls the rest from its peers", channel.ChannelName, height, channel.Head.Height);
            if (!await puller.PullAsync(channel, height, stopping))
            {
                if (!stopping.IsCancellationRequested) halt($"could not pull the blocks up to the Raft snapshot at height {height} (at {channel.Head.Height})");
            }
            else if (!Chain.Sdk.Encoding.ProtocolHashes.BlockHash(channel.GetBlock(height - 1)!.Header).AsSpan().SequenceEqual(lastHash))
                halt($"block {height - 1} pulled from peers differs from the Raft snapshot's");
            else
                logger.LogInformation("channel {Channel}: caught up to the Raft snapshot at height {Target}", channel.ChannelName, height);
        }, CancellationToken.None);
    }
}
