using System.Collections.Concurrent;
using System.Threading.Channels;
using Chain.Node.Configuration;
using Chain.Node.Execution;
using Chain.Node.Network;
using Chain.Protocol;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Consensus.Raft;

/// <summary>
/// Raft ordering for one channel (one Raft group per channel, <see cref="IRaftGroup"/>). The leader cuts blocks exactly
/// like solo, executes and signs each one and replicates it through the Raft log; every consenter applies committed
/// entries in log order (<see cref="RaftApplier"/>), the followers re-executing each block and checking its state root.
/// Followers do not queue transactions: the router relays them to the leader. A deposed leader hands what it had
/// admitted but not committed to the new leader.
/// </summary>
/// <remarks>
/// The parts, one file each: this one (life cycle and status), <c>.Leader</c> (who leads, where to relay),
/// <c>.Leading</c> (the leader's loop), <c>.Membership</c> (joining, removal, Raft membership changes) and
/// <c>.HandOver</c> (what a deposed leader passes on).
/// </remarks>
internal sealed partial class RaftOrderer : IOrderer, IAsyncDisposable
{
    /// <summary>Where this node stands in the channel's ordering.</summary>
    internal enum RaftState { Starting, Joining, Member, Removed, Halted }

    private readonly IConsenterSupport _channel;
    private readonly ChannelSettings _settings;
    private readonly byte[] _nodeAddress;
    private readonly RaftGroupFactory _groups;
    private readonly Func<IReadOnlyList<Transaction>, CancellationToken, Task<AdmissionStatus[]>> _handOver;
    private readonly BlockPuller _puller;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<CheckedTx> _queue;
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private IRaftGroup? _group;
    private volatile RaftState _state = RaftState.Starting;
    private CancellationToken _host;

    /// <param name="groups">Creates this node's Raft member once it is a consenter.</param>
    /// <param name="handOver">Routes transactions this node admitted but will not commit to the node that orders now; one status each.</param>
    /// <param name="puller">Follows the channel by block pull while this node is not (or no longer) a consenter, and fills snapshots.</param>
    internal RaftOrderer(IConsenterSupport channel, ChannelSettings settings, byte[] nodeAddress, RaftGroupFactory groups,
        Func<IReadOnlyList<Transaction>, CancellationToken, Task<AdmissionStatus[]>> handOver, BlockPuller puller, ILogger logger, TimeProvider clock)
    {
        _channel = channel;
        _settings = settings;
        _nodeAddress = nodeAddress;
        _groups = groups;
        _handOver = handOver;
        _puller = puller;
        _logger = logger;
        _clock = clock;
        _queue = System.Threading.Channels.Channel.CreateBounded<CheckedTx>(new BoundedChannelOptions(settings.MaxPendingTxs) { SingleReader = false, FullMode = BoundedChannelFullMode.Wait });
        channel.ConfigChanged += OnConfigChanged;
        _redirect = StateRedirect(RaftState.Starting);
    }

    /// <summary>
    /// Checks that this node can order the channel by Raft: a node the configuration does not (yet) list as a consenter
    /// needs peers to follow the channel from until an update adds it, and so does every consenter of a group of several.
    /// </summary>
    public static void CheckCanRun(IConsenterSupport channel, NodeConfig node, byte[] nodeAddress, bool hasCertificate)
    {
        if (!hasCertificate) throw new ConfigException($"channel '{channel.ChannelName}' is ordered by Raft, which needs the node's TLS certificate (tls in the node config)");
        var config = channel.View.Config!;
        if (channel.View.ConsenterOf(nodeAddress) is null && node.Peers.Count == 0)
            throw new ConfigException($"this node is not a consenter of channel '{channel.ChannelName}' and has no peers to follow it from until a configuration update adds it; configure 'peers', or observe the channel (\"observe\": true)");
        if (config.Consenters.Count > 1 && node.Peers.Count == 0)
            throw new ConfigException($"channel '{channel.ChannelName}' is ordered by Raft among several consenters: configure 'peers' (the other nodes' peer endpoints), from which this node pulls blocks it missed");
    }

    public bool IsLeader => _group is { } group && !group.LeadershipToken.IsCancellationRequested;

    public long Term => _group?.Term ?? 0;

    internal RaftState State => _state;

    public OrdererStatus Status
    {
        get
        {
            var role = _state switch
            {
                RaftState.Member => IsLeader ? "leader" : Volatile.Read(ref _leader) is null ? "candidate" : "follower",
                RaftState.Starting => "starting",
                RaftState.Joining => "joining",
                RaftState.Removed => "removed",
                _ => "halted",
            };
            var pull = _puller.ProgressOf(_channel.ChannelName);
            return new OrdererStatus(role, Term, IsLeader ? null : Volatile.Read(ref _leader)?.Node,
                Math.Max(_group?.Unapplied ?? 0, pull.Behind(_channel.Head.Height)), pull.Unreached());
        }
    }

    public bool TryEnqueue(CheckedTx tx)
    {
        if (!_queue.Writer.TryWrite(tx)) return false;
        // Leadership may have ended between the admission check and the write: then no leader loop reads it.
        if (!IsLeader) Background(SweepAsync);
        return true;
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        _host = stopping;
        using var link = stopping.Register(_stopping.Cancel);
        if (_channel.View.ConsenterOf(_nodeAddress) is not { } self)
        {
            self = await JoinAsync(stopping);
            if (self is null) return;
        }
        IRaftGroup group;
        try { group = await StartMemberAsync(self, stopping); }
        catch (RaftLogException e)
        {
            // The blocks are safe in the ledger; only this node's Raft state is unreadable. Say so and what is safe: an
            // emptied log must not take part as the same member (it forgot entries it had confirmed, and its vote).
            _logger.LogCritical(e, "channel {Channel}: {Reason}", _channel.ChannelName, e.Message);
            Halt($"{e.Message}; the ledger is intact, but this node must not take part with an emptied Raft log (it would forget entries it confirmed): while the channel's other consenters are up and have a leader, move the data folder aside and restore the node from a backup ('chain node restore'), so it catches up before any election needs its vote; otherwise remove this node from the channel's consenters by a configuration update and add a new node in its place (docs/OPERATIONS.md)");
            return;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            _logger.LogCritical(e, "channel {Channel}: the Raft member could not start", _channel.ChannelName);
            Halt($"its Raft member could not start: {e.Message}");
            return;
        }
        while (!stopping.IsCancellationRequested && _state == RaftState.Member)
        {
            CancellationToken leadership;
            try { leadership = await group.WaitForLeadershipAsync(_stopping.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { break; }
            var leftovers = await LeadAsync(group, leadership, stopping);
            if (leftovers.Count > 0) Background(() => HandOverAsync(leftovers, stopping));
        }
        try { await group.StopAsync(CancellationToken.None); }
        catch (Exception e) when (e is not OutOfMemoryException) { _logger.LogWarning("channel {Channel}: stopping Raft: {Reason}", _channel.ChannelName, e.Message); }
        if (_state == RaftState.Removed && !stopping.IsCancellationRequested) await FollowAfterRemovalAsync(group, stopping);
    }

    /// <summary>Opens the Raft log and starts the member; the members are the consenters of the configuration in force.</summary>
    private async Task<IRaftGroup> StartMemberAsync(ConsenterConfig self, CancellationToken stopping)
    {
        var listen = DotNextRaftGroup.EndPointOf(self, _channel.ChannelName);
        var members = _channel.View.Config!.Consenters.Select(c => (System.Net.EndPoint)DotNextRaftGroup.EndPointOf(c, _channel.ChannelName)).ToList();
        var applier = new RaftApplier(_channel, _puller, _logger, Halt, _stopping.Token);
        var group = _groups(listen, members, applier);
        group.LeaderChanged += OnLeaderChanged;
        try { await group.StartAsync(stopping); }
        catch
        {
            await group.DisposeAsync();
            throw;
        }
        _group = group;
        SetState(RaftState.Member);
        _logger.LogInformation("channel {Channel}: Raft member on {Listen}; consenters {Members}", _channel.ChannelName, listen, string.Join(", ", group.Members));
        return group;
    }

    private void SetState(RaftState state)
    {
        _state = state;
        RefreshRedirect();
    }

    /// <summary>This node cannot follow the ordered chain any more: halt the channel here and leave the Raft group's work to the others.</summary>
    private void Halt(string reason)
    {
        _channel.Halt(reason);
        SetState(RaftState.Halted);
        StopMemberSoon();
    }

    /// <summary>
    /// Ends the member's work. Called on the log's applier thread, so the cancellation callbacks (which go on to
    /// stop the Raft member, and stopping waits for the applier) must not run on it: that would wait for itself.
    /// </summary>
    private void StopMemberSoon() => _ = Task.Run(_stopping.Cancel);

    /// <summary>Runs work off the caller's thread and keeps it until it ends, so disposal can wait for it.</summary>
    private void Background(Func<Task> work)
    {
        var task = Task.Run(work, CancellationToken.None);
        _background.TryAdd(task, 0);
        task.ContinueWith(t => _background.TryRemove(t, out _), TaskScheduler.Default);
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _channel.ConfigChanged -= OnConfigChanged;
        // Hand-overs, catch-up pulls and membership changes end with the tokens above; wait so none writes to a closed ledger.
        try { await Task.WhenAll(_background.Keys).WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (Exception e) when (e is not OutOfMemoryException) { }
        if (_group is { } group) await group.DisposeAsync();
        _stopping.Dispose();
    }
}
