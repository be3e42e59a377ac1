using System.Net;
using Chain.Node.Membership;
using Chain.Protocol;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Consensus.Raft;

internal sealed partial class RaftOrderer
{
    private readonly SemaphoreSlim _reconciling = new(1, 1);
    private CancellationTokenSource? _joined;

    /// <summary>Not a consenter yet: follows the channel by block pull until a configuration update on the ledger adds this node; null when stopped first.</summary>
    private async Task<ConsenterConfig?> JoinAsync(CancellationToken stopping)
    {
        SetState(RaftState.Joining);
        _logger.LogInformation("channel {Channel}: this node is not a consenter yet; it follows the channel until a configuration update adds it", _channel.ChannelName);
        using var joined = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _joined = joined;
        if (_channel.View.ConsenterOf(_nodeAddress) is null) await _puller.PullAsync(_channel, ulong.MaxValue, joined.Token);
        _joined = null;
        return stopping.IsCancellationRequested ? null : _channel.View.ConsenterOf(_nodeAddress);
    }

    /// <summary>No longer a consenter: the log's applier stops first (one writer at a time), then the channel is kept current by block pull, like an observer.</summary>
    private async Task FollowAfterRemovalAsync(IRaftGroup group, CancellationToken stopping)
    {
        await group.DisposeAsync();
        _logger.LogWarning("channel {Channel}: this node was removed from the consenters; it now follows the channel by block pull", _channel.ChannelName);
        await _puller.PullAsync(_channel, ulong.MaxValue, stopping);
    }

    /// <summary>On the committing thread, after a configuration block: a joining node starts its member, a removed one stops, the leader changes the Raft membership.</summary>
    private void OnConfigChanged(ChannelConfig config)
    {
        var self = config.ConsenterOf(_nodeAddress) is not null;
        if (self && _joined is { } joined) joined.Cancel();
        if (!self && _state == RaftState.Member)
        {
            SetState(RaftState.Removed);
            StopMemberSoon();
            return;
        }
        if (IsLeader) Background(() => ReconcileMembersAsync(_group!.LeadershipToken));
    }

    /// <summary>
    /// Makes the Raft membership match the consenters of the configuration in force, one change at a time (a new
    /// member is first brought up to date by the leader). Runs on the leader, after each configuration block and
    /// when it takes over (a previous leader may have stopped half-way).
    /// </summary>
    private async Task ReconcileMembersAsync(CancellationToken leadership)
    {
        try { await _reconciling.WaitAsync(leadership); }
        catch (OperationCanceledException) { return; }
        try
        {
            while (!leadership.IsCancellationRequested && _group is { } group)
            {
                var wanted = _channel.View.Config!.Consenters.Select(c => (EndPoint)DotNextRaftGroup.EndPointOf(c, _channel.ChannelName)).ToList();
                var current = group.Members;
                var add = wanted.FirstOrDefault(w => !current.Contains(w));
                var remove = add is null ? current.FirstOrDefault(c => !wanted.Contains(c)) : null;
                if (add is null && remove is null) return;
                bool done;
                try
                {
                    _logger.LogInformation("channel {Channel}: {Change} Raft member {EndPoint}", _channel.ChannelName, add is not null ? "adding" : "removing", add ?? remove);
                    done = add is not null ? await group.AddMemberAsync(add, leadership) : await group.RemoveMemberAsync(remove!, leadership);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    if (leadership.IsCancellationRequested) return;
                    _logger.LogWarning("channel {Channel}: changing Raft membership failed: {Reason}", _channel.ChannelName, e.Message);
                    done = false;
                }
                if (done)
                {
                    // The member list follows the committed configuration entry a moment later.
                    var changed = add ?? remove!;
                    for (int i = 0; i < 50 && group.Members.Contains(changed) != (add is not null); i++) await Task.Delay(100, leadership);
                    _logger.LogInformation("channel {Channel}: Raft members now {Members}", _channel.ChannelName, string.Join(", ", group.Members));
                }
                else await Task.Delay(TimeSpan.FromSeconds(1), leadership);
            }
        }
        catch (OperationCanceledException) { }
        finally { _reconciling.Release(); }
    }
}
