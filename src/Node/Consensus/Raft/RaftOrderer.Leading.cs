using Chain.Node.Execution;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Consensus.Raft;

internal sealed partial class RaftOrderer
{
    private long _proposed; // blocks this node proposed; only the leader loop writes it

    /// <summary>Orders blocks while this node leads; returns what it admitted but could not get committed.</summary>
    private async Task<List<CheckedTx>> LeadAsync(IRaftGroup group, CancellationToken leadership, CancellationToken stopping)
    {
        var cutter = new BlockCutter(() => _channel.View.Limits);
        IReadOnlyList<CheckedTx>? inFlight = null;
        var unsent = new List<IReadOnlyList<CheckedTx>>();
        // Leading ends with leadership, with the node, and when this node is removed or halts (_stopping).
        using var lead = CancellationTokenSource.CreateLinkedTokenSource(leadership, stopping, _stopping.Token);
        async ValueTask Commit(IReadOnlyList<CheckedTx> batch)
        {
            inFlight = batch;
            await ReplicateAsync(group, batch, leadership);
            inFlight = null;
            // Followers learn the new commit index with the next append; when no block follows soon, send a round now
            // instead of at the next heartbeat (half the election timeout), so clients of followers see the block at once.
            if (_queue.Reader.Count == 0) { long proposed = Interlocked.Read(ref _proposed); Background(() => NotifyCommitAsync(group, proposed, leadership)); }
        }
        try
        {
            // Everything earlier terms committed is applied before this node cuts a block on top of it.
            await group.ApplyReadBarrierAsync(lead.Token);
            _logger.LogInformation("channel {Channel}: this node leads in term {Term} at height {Height}", _channel.ChannelName, Term, _channel.Head.Height);
            Background(() => ReconcileMembersAsync(leadership));
            await BatchLoop.RunAsync(_queue.Reader, cutter, _clock, Commit, lead.Token, unsent);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!leadership.IsCancellationRequested && stopping.IsCancellationRequested && _state == RaftState.Member)
            {
                // Shutting down while leading: give what was admitted a few seconds to commit.
                using var drain = CancellationTokenSource.CreateLinkedTokenSource(leadership);
                drain.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    if (inFlight is not null) await ReplicateAsync(group, inFlight, drain.Token);
                    inFlight = null;
                    foreach (var batch in unsent.ToList()) { await ReplicateAsync(group, batch, drain.Token); unsent.Remove(batch); }
                    await BatchLoop.DrainAsync(_queue.Reader, cutter, batch => new ValueTask(ReplicateAsync(group, batch, drain.Token)));
                }
                catch (Exception d) when (d is not OutOfMemoryException) { }
            }
            else if (!stopping.IsCancellationRequested)
                _logger.LogWarning("channel {Channel}: stopped leading in term {Term}: {Reason}", _channel.ChannelName, Term, e is OperationCanceledException ? "leadership lost" : e.Message);
        }
        var leftovers = new List<CheckedTx>();
        if (inFlight is not null) leftovers.AddRange(inFlight);
        foreach (var batch in unsent) leftovers.AddRange(batch);
        leftovers.AddRange(cutter.Cut());
        while (_queue.Reader.TryRead(out var tx)) leftovers.Add(tx);
        return leftovers;
    }

    /// <summary>Executes the batch on the committed state, replicates the signed block and waits until this node applied it.</summary>
    private async Task ReplicateAsync(IRaftGroup group, IReadOnlyList<CheckedTx> batch, CancellationToken leadership)
    {
        while (true)
        {
            // A removed or halted node must not sign another block, even if it still holds Raft leadership.
            if (_state != RaftState.Member) throw new InvalidOperationException($"this node is {_state} on channel '{_channel.ChannelName}' and orders no more blocks");
            var set = _channel.Execute(batch, _clock.GetUtcNow().ToUnixTimeMilliseconds());
            var proposed = new ProposedBlock(set, batch);
            Interlocked.Increment(ref _proposed);
            await group.ReplicateAsync(set.Block.ToByteArray(), proposed, leadership);
            var outcome = await proposed.Applied.Task.WaitAsync(leadership);
            if (outcome == ApplyOutcome.Applied) return;
            if (outcome == ApplyOutcome.Halted) throw new InvalidOperationException($"channel '{_channel.ChannelName}' halted");
            // A block of an earlier term took this height first: run the batch again on top of it.
        }
    }

    /// <summary>
    /// Unless another block follows within the batch timeout (it would carry the commit index anyway, and a forced
    /// round under load only competes with it), sends a replication round so followers learn the commit now.
    /// </summary>
    private async Task NotifyCommitAsync(IRaftGroup group, long proposed, CancellationToken leadership)
    {
        try
        {
            await Task.Delay(_channel.View.Limits.BatchTimeout, _clock, leadership);
            if (Interlocked.Read(ref _proposed) == proposed) await group.ForceReplicationAsync(leadership);
        }
        catch (Exception e) when (e is not OutOfMemoryException) { } // leadership ended or a member is down: the heartbeat carries it later
    }
}
