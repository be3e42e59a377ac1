using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Node.Execution;
using Chain.Node.Membership;
using Chain.Node.Network;
using Chain.Protocol;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using SslOptions = DotNext.Net.Security.SslOptions;

namespace Chain.Node.Consensus.Raft;

/// <summary>
/// Raft ordering for one channel (one Raft group per channel, DotNext's TCP transport on the consenter's Raft port
/// with mutual TLS). The leader cuts blocks exactly like solo, executes and signs each one and replicates it through
/// the Raft log; every consenter applies committed entries in log order (<see cref="LedgerStateMachine"/>), the
/// followers re-executing each block and checking its state root. Followers do not queue transactions: the gateway
/// relays them to the leader. A deposed leader hands what it had admitted but not committed to the new leader.
/// </summary>
public sealed class RaftOrderer : IOrderer, IAsyncDisposable
{
    private readonly ChannelRuntime _channel;
    private readonly ChannelSettings _settings;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly TxForwarder _forwarder;
    private readonly NodeConfig _node;
    private readonly byte[] _nodeAddress;
    private readonly X509Certificate2 _certificate;
    private readonly PeerTrust _trust;
    private readonly ILoggerFactory _loggers;
    private readonly string _root;
    private readonly BlockPuller _puller;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<CheckedTx> _queue;
    private readonly SemaphoreSlim _reconciling = new(1, 1);
    private RaftCluster? _cluster;
    private WriteAheadLog? _wal;
    private LedgerStateMachine? _machine;
    private Leader? _leader; // read with Volatile, replaced with Interlocked
    private volatile string _state = "starting"; // "joining" (not yet a consenter), "member", "removed", "halted"

    private sealed record Leader(EndPoint EndPoint, string Node, string? PeerEndpoint, string? CaPem);

    private RaftOrderer(ChannelRuntime channel, NodeConfig node, byte[] nodeAddress, X509Certificate2 certificate, PeerTrust trust, TxForwarder forwarder,
        ILoggerFactory loggers, TimeProvider clock)
    {
        _channel = channel;
        _settings = channel.Config;
        _node = node;
        _nodeAddress = nodeAddress;
        _certificate = certificate;
        _trust = trust;
        _loggers = loggers;
        _clock = clock;
        _logger = loggers.CreateLogger("Chain.Raft." + channel.Name);
        _forwarder = forwarder;
        _puller = new BlockPuller(node, node.NodeId, _logger);
        _root = Path.Combine(node.Resolve(node.DataDir), channel.Name + ".raft");
        _queue = System.Threading.Channels.Channel.CreateBounded<CheckedTx>(new BoundedChannelOptions(_settings.MaxPendingTxs) { SingleReader = false, FullMode = BoundedChannelFullMode.Wait });
        channel.ConfigChanged += OnConfigChanged;
    }

    private const string NodeKey = "node", PeerKey = "peer";

    /// <summary>
    /// Prepares Raft ordering of the channel on this node; <see cref="RunAsync"/> starts the member, whose Raft log
    /// lives in <c>&lt;dataDir&gt;/&lt;channel&gt;.raft</c>. A node that the channel configuration does not (yet) list as
    /// a consenter first follows the channel by block pull, and starts its member once a configuration update adds it.
    /// </summary>
    /// <param name="forwarder">The node's relay to other nodes (shared with the gateway; the node disposes it).</param>
    public static RaftOrderer Create(ChannelRuntime channel, NodeConfig node, byte[] nodeAddress, X509Certificate2? certificate,
        PeerTrust trust, TxForwarder forwarder, ILoggerFactory loggers, TimeProvider clock)
    {
        if (certificate is null) throw new ConfigException($"channel '{channel.Name}' is ordered by Raft, which needs the node's TLS certificate (tls in the node config)");
        var orderer = new RaftOrderer(channel, node, nodeAddress, certificate, trust, forwarder, loggers, clock);
        if (orderer.Self() is null && node.Peers.Count == 0)
            throw new ConfigException($"this node is not a consenter of channel '{channel.Name}' and has no peers to follow it from until a configuration update adds it; configure 'peers', or observe the channel (\"observe\": true)");
        if (SystemState.ReadConfig(channel.Ledger)!.Consenters.Count > 1 && node.Peers.Count == 0)
            throw new ConfigException($"channel '{channel.Name}' is ordered by Raft among several consenters: configure 'peers' (the other nodes' peer endpoints), from which this node pulls blocks it missed");
        return orderer;
    }

    /// <summary>This node's consenter entry in the configuration in force, if any.</summary>
    private ConsenterConfig? Self() => SystemState.ReadConfig(_channel.Ledger)?.Consenters.FirstOrDefault(c => c.Address.Span.SequenceEqual(_nodeAddress));

    /// <summary>Opens the Raft log and starts the member; the members are the consenters of the configuration in force.</summary>
    private async Task StartMemberAsync(ConsenterConfig self, CancellationToken stopping)
    {
        var config = SystemState.ReadConfig(_channel.Ledger)!;
        Listen = EndPointOf(self, _channel.Name);
        var machine = new LedgerStateMachine(new DirectoryInfo(Path.Combine(_root, "snapshots")), _channel, _puller, _settings.Raft.SnapshotInterval, _logger, Halt, _stopping.Token);
        // The snapshot must be restored before the log is opened (the log replays from it).
        await machine.RestoreAsync(stopping);
        var wal = new WriteAheadLog(new WriteAheadLog.Options { Location = Path.Combine(_root, "log") }, machine);
        var raft = _settings.Raft;
        var storage = new EndPointStorage();
        var initial = storage.CreateInitialConfigurationBuilder();
        foreach (var consenter in config.Consenters) initial.Add(EndPointOf(consenter, _channel.Name));
        initial.Build();
        var tcp = new RaftCluster.TcpConfiguration(Listen)
        {
            LowerElectionTimeout = raft.LowerElectionTimeoutMs,
            UpperElectionTimeout = raft.UpperElectionTimeoutMs,
            RequestTimeout = TimeSpan.FromMilliseconds(raft.RequestTimeoutMs),
            ConnectTimeout = TimeSpan.FromMilliseconds(raft.ConnectTimeoutMs),
            TransmissionBlockSize = 64 * 1024,
            ColdStart = false,
            ConfigurationStorage = storage,
            LoggerFactory = _loggers,
            SslOptions = MutualTls(_certificate, _trust),
        };
        tcp.Metadata[NodeKey] = _node.NodeId;
        if (_node.PeerListen is { } peer) tcp.Metadata[PeerKey] = "https://" + peer;
        var cluster = new RaftCluster(tcp) { AuditTrail = wal };
        cluster.LeaderChanged += OnLeaderChanged;
        _machine = machine;
        _wal = wal;
        await cluster.StartAsync(stopping);
        _cluster = cluster;
        _state = "member";
        _logger.LogInformation("channel {Channel}: Raft member on {Listen}; consenters {Members}", _channel.Name, Listen, string.Join(", ", cluster.Members.Select(m => m.EndPoint)));
    }

    internal static IPEndPoint EndPointOf(ConsenterConfig consenter, string channel)
    {
        if (consenter.RaftPort is 0 or > 65535) throw new ConfigException($"consenter {consenter.Node} of channel '{channel}' has no raft port in the channel configuration");
        if (!IPAddress.TryParse(consenter.Host, out var address)) throw new ConfigException($"consenter {consenter.Node} of channel '{channel}': host '{consenter.Host}' is not an IP address");
        return new IPEndPoint(address, (int)consenter.RaftPort);
    }

    /// <summary>Mutual TLS on the Raft port: both sides show their node certificate, and accept only certificates of the channel's organisations' CAs.</summary>
    private static SslOptions MutualTls(X509Certificate2 certificate, PeerTrust trust)
    {
        bool Trusted(object sender, X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors) =>
            presented is not null && trust.OrganizationOf(presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData()), out _) is not null;
        return new SslOptions
        {
            ServerOptions = new SslServerAuthenticationOptions { ServerCertificate = certificate, ClientCertificateRequired = true, RemoteCertificateValidationCallback = Trusted },
            ClientOptions = new SslClientAuthenticationOptions { ClientCertificates = [certificate], RemoteCertificateValidationCallback = Trusted, TargetHost = "chain-raft" },
        };
    }

    public IPEndPoint? Listen { get; private set; }

    public bool IsLeader => _cluster is { } cluster && !cluster.LeadershipToken.IsCancellationRequested;

    public long Term => _cluster?.Term ?? 0;

    /// <summary>"leader", "follower" (a leader is known), "candidate" (none is), "joining" (not yet a consenter), "removed", or "halted".</summary>
    public string Role => _state != "member" ? _state : IsLeader ? "leader" : Volatile.Read(ref _leader) is null ? "candidate" : "follower";

    public string? LeaderNode => IsLeader ? null : Volatile.Read(ref _leader)?.Node;

    public RelayException? Redirect
    {
        get
        {
            if (_state is "joining" or "removed" or "halted")
                return new RelayException($"this node {(_state == "joining" ? "is not yet a consenter" : _state == "removed" ? "is no longer a consenter" : "halted")} of channel '{_channel.Name}'", null);
            if (IsLeader) return null;
            if (Volatile.Read(ref _leader) is { } leader) return new RelayException($"node {leader.Node} leads channel '{_channel.Name}'", leader.PeerEndpoint ?? "") { TargetCaPem = leader.CaPem };
            return new RelayException($"channel '{_channel.Name}' has no Raft leader now: an election is under way, or fewer than a majority of its consenters are reachable", null) { NoLeader = true };
        }
    }

    public bool TryEnqueue(CheckedTx tx)
    {
        if (!_queue.Writer.TryWrite(tx)) return false;
        // Leadership may have ended between the admission check and the write: then no leader loop reads it.
        if (!IsLeader) Background(SweepAsync);
        return true;
    }

    /// <summary>Hands transactions that reached the queue after this node stopped leading to the leader.</summary>
    private Task SweepAsync()
    {
        if (IsLeader) return Task.CompletedTask;
        var stranded = new List<CheckedTx>();
        while (!IsLeader && _queue.Reader.TryRead(out var tx)) stranded.Add(tx);
        return stranded.Count == 0 ? Task.CompletedTask : HandOverAsync(stranded, _host);
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Task, byte> _background = new();
    private CancellationToken _host;

    /// <summary>Runs work off the caller's thread and keeps it until it ends, so disposal can wait for it.</summary>
    private void Background(Func<Task> work)
    {
        var task = Task.Run(work, CancellationToken.None);
        _background.TryAdd(task, 0);
        task.ContinueWith(t => _background.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>This node cannot follow the ordered chain any more: halt the channel here and leave the Raft group's work to the others.</summary>
    private void Halt(string reason)
    {
        _channel.Halt(reason);
        _state = "halted";
        StopMemberSoon();
    }

    /// <summary>
    /// Ends the member's work. Called on the log's applier thread, so the cancellation callbacks (which go on to
    /// stop the Raft member, and stopping waits for the applier) must not run on it: that would wait for itself.
    /// </summary>
    private void StopMemberSoon() => _ = Task.Run(_stopping.Cancel);

    private void OnLeaderChanged(DotNext.Net.Cluster.ICluster cluster, IClusterMember? leader)
    {
        if (leader is null)
        {
            Volatile.Write(ref _leader, null);
            _logger.LogWarning("channel {Channel}: no Raft leader (term {Term})", _channel.Name, Term);
            return;
        }
        // Until the leader's metadata (node id, peer URL) arrives, name it by its consenter entry.
        var config = SystemState.ReadConfig(_channel.Ledger);
        var consenter = config?.Consenters.FirstOrDefault(c => c.RaftPort != 0 && EndPointOf(c, _channel.Name).Equals(leader.EndPoint));
        var ca = consenter is null ? null : config!.Organizations.FirstOrDefault(o => o.Name == consenter.Organization)?.CaCertificatePem;
        var known = new Leader(leader.EndPoint, consenter?.Node ?? leader.EndPoint.ToString()!, null, ca);
        Volatile.Write(ref _leader, known);
        _ = Task.Run(async () =>
        {
            var pause = TimeSpan.FromMilliseconds(100);
            for (int attempt = 1; !_stopping.IsCancellationRequested && ReferenceEquals(Volatile.Read(ref _leader), known); attempt++)
            {
                try
                {
                    var metadata = await leader.GetMetadataAsync(attempt > 1, _stopping.Token);
                    var named = known with { Node = metadata.GetValueOrDefault(NodeKey) ?? known.Node, PeerEndpoint = metadata.GetValueOrDefault(PeerKey) };
                    Interlocked.CompareExchange(ref _leader, named, known);
                    _logger.LogInformation("channel {Channel}: leader is {Node} ({EndPoint}) in term {Term}", _channel.Name, named.Node, named.EndPoint, Term);
                    return;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    if (attempt == 3) _logger.LogWarning("channel {Channel}: leader {EndPoint} did not send its metadata yet: {Reason}", _channel.Name, known.EndPoint, e.Message);
                }
                try { await Task.Delay(pause, _stopping.Token); }
                catch (OperationCanceledException) { return; }
                pause = TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, pause.Ticks * 2));
            }
        });
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        _host = stopping;
        using var link = stopping.Register(_stopping.Cancel);
        if (Self() is not { } self)
        {
            // Not a consenter yet: follow by block pull until a configuration update on the ledger adds this node.
            _state = "joining";
            _logger.LogInformation("channel {Channel}: this node is not a consenter yet; it follows the channel until a configuration update adds it", _channel.Name);
            using var joined = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            _joined = joined;
            if (Self() is null) await _puller.PullAsync(_channel, ulong.MaxValue, joined.Token);
            _joined = null;
            if (stopping.IsCancellationRequested || Self() is not { } added) return;
            self = added;
        }
        await StartMemberAsync(self, stopping);
        var cluster = _cluster!;
        while (!stopping.IsCancellationRequested && _state == "member")
        {
            CancellationToken leadership;
            try { leadership = await cluster.WaitForLeadershipAsync(_stopping.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { break; }
            var leftovers = await LeadAsync(leadership, stopping);
            if (leftovers.Count > 0) Background(() => HandOverAsync(leftovers, stopping));
        }
        try { await cluster.StopAsync(CancellationToken.None); }
        catch (Exception e) when (e is not OutOfMemoryException) { _logger.LogWarning("channel {Channel}: stopping Raft: {Reason}", _channel.Name, e.Message); }
        if (_state == "removed" && !stopping.IsCancellationRequested)
        {
            // The log's applier must be done before the puller writes to the ledger: one writer at a time.
            if (Interlocked.Exchange(ref _wal, null) is { } wal) await wal.DisposeAsync();
            // No longer a consenter: keep the channel current by block pull, like an observer.
            _logger.LogWarning("channel {Channel}: this node was removed from the consenters; it now follows the channel by block pull", _channel.Name);
            await _puller.PullAsync(_channel, ulong.MaxValue, stopping);
        }
    }

    private CancellationTokenSource? _joined;

    /// <summary>On the committing thread, after a configuration block: a joining node starts its member, a removed one stops, the leader changes the Raft membership.</summary>
    private void OnConfigChanged(ChannelConfig config)
    {
        var self = config.Consenters.Any(c => c.Address.Span.SequenceEqual(_nodeAddress));
        if (self && _joined is { } joined) joined.Cancel();
        if (!self && _state == "member")
        {
            _state = "removed";
            StopMemberSoon();
            return;
        }
        if (IsLeader) Background(() => ReconcileMembersAsync(_cluster!.LeadershipToken));
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
            while (!leadership.IsCancellationRequested && _cluster is { } cluster)
            {
                var wanted = SystemState.ReadConfig(_channel.Ledger)!.Consenters.Select(c => (EndPoint)EndPointOf(c, _channel.Name)).ToList();
                var current = cluster.Members.Select(m => m.EndPoint).ToList();
                var add = wanted.FirstOrDefault(w => !current.Contains(w));
                var remove = add is null ? current.FirstOrDefault(c => !wanted.Contains(c)) : null;
                if (add is null && remove is null) return;
                bool done;
                try
                {
                    _logger.LogInformation("channel {Channel}: {Change} Raft member {EndPoint}", _channel.Name, add is not null ? "adding" : "removing", add ?? remove);
                    done = add is not null ? await cluster.AddMemberAsync(add, leadership) : await cluster.RemoveMemberAsync(remove!, leadership);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    if (leadership.IsCancellationRequested) return;
                    _logger.LogWarning("channel {Channel}: changing Raft membership failed: {Reason}", _channel.Name, e.Message);
                    done = false;
                }
                if (done)
                {
                    // The member list follows the committed configuration entry a moment later.
                    var changed = add ?? remove!;
                    for (int i = 0; i < 50 && cluster.Members.Any(m => m.EndPoint.Equals(changed)) != (add is not null); i++) await Task.Delay(100, leadership);
                    _logger.LogInformation("channel {Channel}: Raft members now {Members}", _channel.Name, string.Join(", ", cluster.Members.Select(m => m.EndPoint)));
                }
                else await Task.Delay(TimeSpan.FromSeconds(1), leadership);
            }
        }
        catch (OperationCanceledException) { }
        finally { _reconciling.Release(); }
    }

    /// <summary>Orders blocks while this node leads; returns what it admitted but could not get committed.</summary>
    private async Task<List<CheckedTx>> LeadAsync(CancellationToken leadership, CancellationToken stopping)
    {
        var cutter = new BlockCutter(_settings.Batch);
        IReadOnlyList<CheckedTx>? inFlight = null;
        var unsent = new List<IReadOnlyList<CheckedTx>>();
        // Leading ends with leadership, with the node, and when this node is removed or halts (_stopping).
        using var lead = CancellationTokenSource.CreateLinkedTokenSource(leadership, stopping, _stopping.Token);
        async ValueTask Commit(IReadOnlyList<CheckedTx> batch)
        {
            inFlight = batch;
            await ReplicateAsync(batch, leadership);
            inFlight = null;
            // Followers learn the new commit index with the next append; when no block follows soon, send a round now
            // instead of at the next heartbeat (half the election timeout), so clients of followers see the block at once.
            if (_queue.Reader.Count == 0) { long proposed = Interlocked.Read(ref _proposed); Background(() => NotifyCommitAsync(proposed, leadership)); }
        }
        try
        {
            // Everything earlier terms committed is applied before this node cuts a block on top of it.
            await _cluster!.ApplyReadBarrierAsync(lead.Token);
            _logger.LogInformation("channel {Channel}: this node leads in term {Term} at height {Height}", _channel.Name, Term, _channel.Ledger.Height);
            Background(() => ReconcileMembersAsync(leadership));
            await BatchLoop.RunAsync(_queue.Reader, cutter, _clock, Commit, lead.Token, unsent);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!leadership.IsCancellationRequested && stopping.IsCancellationRequested && _state == "member")
            {
                // Shutting down while leading: give what was admitted a few seconds to commit.
                using var drain = CancellationTokenSource.CreateLinkedTokenSource(leadership);
                drain.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    if (inFlight is not null) await ReplicateAsync(inFlight, drain.Token);
                    inFlight = null;
                    foreach (var batch in unsent.ToList()) { await ReplicateAsync(batch, drain.Token); unsent.Remove(batch); }
                    await BatchLoop.DrainAsync(_queue.Reader, cutter, batch => new ValueTask(ReplicateAsync(batch, drain.Token)));
                }
                catch (Exception d) when (d is not OutOfMemoryException) { }
            }
            else if (!stopping.IsCancellationRequested)
                _logger.LogWarning("channel {Channel}: stopped leading in term {Term}: {Reason}", _channel.Name, Term, e is OperationCanceledException ? "leadership lost" : e.Message);
        }
        var leftovers = new List<CheckedTx>();
        if (inFlight is not null) leftovers.AddRange(inFlight);
        foreach (var batch in unsent) leftovers.AddRange(batch);
        leftovers.AddRange(cutter.Cut());
        while (_queue.Reader.TryRead(out var tx)) leftovers.Add(tx);
        return leftovers;
    }

    /// <summary>Executes the batch on the committed state, replicates the signed block and waits until this node applied it.</summary>
    private async Task ReplicateAsync(IReadOnlyList<CheckedTx> batch, CancellationToken leadership)
    {
        while (true)
        {
            // A removed or halted node must not sign another block, even if it still holds Raft leadership.
            if (_state != "member") throw new InvalidOperationException($"this node is {_state} on channel '{_channel.Name}' and orders no more blocks");
            var set = _channel.ExecuteBatch(batch, _clock.GetUtcNow().ToUnixTimeMilliseconds());
            var proposed = new ProposedBlock(set, batch);
            Interlocked.Increment(ref _proposed);
            await _cluster!.ReplicateAsync(set.Block.ToByteArray(), proposed, leadership);
            var outcome = await proposed.Applied.Task.WaitAsync(leadership);
            if (outcome == ApplyOutcome.Applied) return;
            if (outcome == ApplyOutcome.Halted) throw new InvalidOperationException($"channel '{_channel.Name}' halted");
            // A block of an earlier term took this height first: run the batch again on top of it.
        }
    }

    private long _proposed; // blocks this node proposed; only the leader loop writes it

    /// <summary>
    /// Unless another block follows within the batch timeout (it would carry the commit index anyway, and a forced
    /// round under load only competes with it), sends a replication round so followers learn the commit now.
    /// </summary>
    private async Task NotifyCommitAsync(long proposed, CancellationToken leadership)
    {
        try
        {
            await Task.Delay(_settings.Batch.TimeoutMs, leadership);
            if (Interlocked.Read(ref _proposed) == proposed) await _cluster!.ForceReplicationAsync(leadership);
        }
        catch (Exception e) when (e is not OutOfMemoryException) { } // leadership ended or a member is down: the heartbeat carries it later
    }

    /// <summary>A deposed leader hands the transactions it admitted but did not commit to the new leader; retried for up to 30 s.</summary>
    private async Task HandOverAsync(List<CheckedTx> transactions, CancellationToken stop)
    {
        _channel.Release(transactions);
        var remaining = transactions.Select(t => t.Transaction).ToList();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        int relayed = 0;
        while (remaining.Count > 0 && DateTime.UtcNow < deadline && !stop.IsCancellationRequested)
        {
            try
            {
                if (IsLeader)
                {
                    // Leading again: admit them here.
                    var again = new List<Transaction>();
                    foreach (var transaction in remaining)
                    {
                        try { _channel.Admit(transaction); relayed++; }
                        catch (RelayException) { again.Add(transaction); }
                        catch (Exception e) when (e is TxRejectedException or ChannelBusyException or ChannelHaltedException) { }
                    }
                    remaining = again;
                }
                else if (Volatile.Read(ref _leader) is { PeerEndpoint: { } target } leader)
                {
                    var statuses = await _forwarder.ForwardAsync(remaining, stop, target, leader.CaPem);
                    relayed += statuses.Count(s => s.Accepted);
                    remaining = remaining.Where((_, i) => Rpc.Interceptors.ErrorMappingInterceptor.IsNotLeader(statuses[i])).ToList();
                }
            }
            catch (Rpc.Interceptors.RequestException e) { _logger.LogWarning("channel {Channel}: handing transactions to the leader failed: {Reason}", _channel.Name, e.Message); }
            catch (Exception e) when (e is OperationCanceledException or Grpc.Core.RpcException) { if (stop.IsCancellationRequested) break; }
            if (remaining.Count > 0)
            {
                try { await Task.Delay(200, stop); }
                catch (OperationCanceledException) { break; }
            }
        }
        _logger.Log(remaining.Count == 0 ? LogLevel.Information : LogLevel.Warning,
            "channel {Channel}: handed {Relayed} of {Total} uncommitted transactions to the new leader ({Lost} not handed over; clients may resubmit them safely)",
            _channel.Name, relayed, transactions.Count, remaining.Count);
    }

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _channel.ConfigChanged -= OnConfigChanged;
        // Hand-overs, catch-up pulls and membership changes end with the tokens above; wait so none writes to a closed ledger.
        try { await Task.WhenAll(_background.Keys).WaitAsync(TimeSpan.FromSeconds(10)); }
        catch (Exception e) when (e is not OutOfMemoryException) { }
        _cluster?.Dispose();
        if (Interlocked.Exchange(ref _wal, null) is { } wal) await wal.DisposeAsync();
        if (_machine is not null) await _machine.DisposeAsync();
        _stopping.Dispose();
    }
}
