using System.Net;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Consensus.Raft;

internal sealed partial class RaftOrderer
{
    /// <summary>The leader as this node knows it: named by its consenter entry until its metadata (node id, peer URL) arrives.</summary>
    private sealed record Leader(EndPoint EndPoint, string Node, string? PeerEndpoint, string? CaPem);

    private Leader? _leader; // read with Volatile, replaced with Interlocked
    private Redirect? _redirect;

    /// <summary>Null while this node leads; else where its transactions go. Recomputed when the leader or the state changes, not on every read.</summary>
    public Redirect? Redirect => IsLeader ? null : Volatile.Read(ref _redirect);

    private Redirect StateRedirect(RaftState state) => state switch
    {
        RaftState.Member or RaftState.Starting when Volatile.Read(ref _leader) is { } leader =>
            new Redirect($"node {leader.Node} leads channel '{_channel.ChannelName}'", leader.PeerEndpoint, leader.CaPem),
        RaftState.Member or RaftState.Starting =>
            new Redirect($"channel '{_channel.ChannelName}' has no Raft leader now: an election is under way, or fewer than a majority of its consenters are reachable", NoLeader: true),
        RaftState.Joining => new Redirect($"this node is not yet a consenter of channel '{_channel.ChannelName}'"),
        RaftState.Removed => new Redirect($"this node is no longer a consenter of channel '{_channel.ChannelName}'"),
        _ => new Redirect($"channel '{_channel.ChannelName}' halted on this node"),
    };

    private void RefreshRedirect() => Volatile.Write(ref _redirect, StateRedirect(_state));

    private void OnLeaderChanged(RaftLeader? leader)
    {
        if (leader is null)
        {
            Volatile.Write(ref _leader, null);
            RefreshRedirect();
            _logger.LogWarning("channel {Channel}: no Raft leader (term {Term})", _channel.ChannelName, Term);
            return;
        }
        // Until the leader's metadata (node id, peer URL) arrives, name it by its consenter entry.
        var config = _channel.View.Config;
        var consenter = config?.Consenters.FirstOrDefault(c => c.RaftPort != 0 && DotNextRaftGroup.EndPointOf(c, _channel.ChannelName).Equals(leader.EndPoint));
        var ca = consenter is null ? null : config!.Organizations.FirstOrDefault(o => o.Name == consenter.Organization)?.CaCertificatePem;
        var known = new Leader(leader.EndPoint, consenter?.Node ?? leader.EndPoint.ToString()!, null, ca);
        Volatile.Write(ref _leader, known);
        RefreshRedirect();
        _ = Task.Run(async () =>
        {
            var pause = TimeSpan.FromMilliseconds(100);
            for (int attempt = 1; !_stopping.IsCancellationRequested && ReferenceEquals(Volatile.Read(ref _leader), known); attempt++)
            {
                try
                {
                    var metadata = await leader.Metadata(attempt > 1, _stopping.Token);
                    var named = known with { Node = metadata.GetValueOrDefault(DotNextRaftGroup.NodeKey) ?? known.Node, PeerEndpoint = metadata.GetValueOrDefault(DotNextRaftGroup.PeerKey) };
                    if (ReferenceEquals(Interlocked.CompareExchange(ref _leader, named, known), known)) RefreshRedirect();
                    _logger.LogInformation("channel {Channel}: leader is {Node} ({EndPoint}) in term {Term}", _channel.ChannelName, named.Node, named.EndPoint, Term);
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    if (attempt == 3) _logger.LogWarning("channel {Channel}: leader {EndPoint} did not send its metadata yet: {Reason}", _channel.ChannelName, known.EndPoint, e.Message);
                }
                try { await Task.Delay(pause, _stopping.Token); }
                catch (OperationCanceledException) { return; }
                pause = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, pause.Ticks * 2));
            }
        });
    }
}
