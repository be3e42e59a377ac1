using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Node.Execution;
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
    private readonly RaftCluster _cluster;
    private readonly WriteAheadLog _wal;
    private readonly LedgerStateMachine _machine;
    private readonly CancellationTokenSource _stopping;
    private readonly Channel<CheckedTx> _queue;
    private Leader? _leader; // read with Volatile, replaced with Interlocked

    private sealed record Leader(EndPoint EndPoint, string Node, string? PeerEndpoint);

    private RaftOrderer(ChannelRuntime channel, NodeConfig node, X509Certificate2 certificate, PeerTrust trust, ILoggerFactory loggers, TimeProvider clock, IPEndPoint listen,
        IReadOnlyList<IPEndPoint> members, LedgerStateMachine machine, WriteAheadLog wal, CancellationTokenSource stopping)
    {
        _stopping = stopping;
        _channel = channel;
        _settings = channel.Config;
        _clock = clock;
        _logger = loggers.CreateLogger("Chain.Raft." + channel.Name);
        _forwarder = new TxForwarder(node);
        _machine = machine;
        _wal = wal;
        _queue = System.Threading.Channels.Channel.CreateBounded<CheckedTx>(new BoundedChannelOptions(_settings.MaxPendingTxs) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        Listen = listen;
        var raft = _settings.Raft;
        var storage = new EndPointStorage();
        var initial = storage.CreateInitialConfigurationBuilder();
        foreach (var member in members) initial.Add(member);
        initial.Build();
        var tcp = new RaftCluster.TcpConfiguration(listen)
        {
            LowerElectionTimeout = raft.LowerElectionTimeoutMs,
            UpperElectionTimeout = raft.UpperElectionTimeoutMs,
            RequestTimeout = TimeSpan.FromMilliseconds(raft.RequestTimeoutMs),
            ConnectTimeout = TimeSpan.FromMilliseconds(raft.ConnectTimeoutMs),
            TransmissionBlockSize = 64 * 1024,
            ColdStart = false,
            ConfigurationStorage = storage,
            LoggerFactory = loggers,
            SslOptions = MutualTls(certificate, trust),
        };
        tcp.Metadata[NodeKey] = node.NodeId;
        if (node.PeerListen is { } peer) tcp.Metadata[PeerKey] = "https://" + peer;
        _cluster = new RaftCluster(tcp) { AuditTrail = wal };
        _cluster.LeaderChanged += OnLeaderChanged;
    }

    private const string NodeKey = "node", PeerKey = "peer";

    /// <summary>
    /// Opens the channel's Raft log (in <c>&lt;dataDir&gt;/&lt;channel&gt;.raft</c>) and prepares the cluster member; the
    /// members are the consenters of the channel configuration in force. <see cref="RunAsync"/> starts it.
    /// </summary>
    public static RaftOrderer Create(ChannelRuntime channel, ChannelConfig config, NodeConfig node, byte[] nodeAddress, X509Certificate2? certificate,
        PeerTrust trust, ILoggerFactory loggers, TimeProvider clock)
    {
        if (certificate is null) throw new ConfigException($"channel '{channel.Name}' is ordered by Raft, which needs the node's TLS certificate (tls in the node config)");
        var self = config.Consenters.FirstOrDefault(c => c.Address.Span.SequenceEqual(nodeAddress))
            ?? throw new ConfigException($"this node is not a consenter of channel '{channel.Name}'; nodes that are not consenters observe the channel (\"observe\": true)");
        var listen = EndPointOf(self, channel.Name);
        var members = config.Consenters.Select(c => EndPointOf(c, channel.Name)).ToList();
        var root = Path.Combine(node.Resolve(node.DataDir), channel.Name + ".raft");
        var logger = loggers.CreateLogger("Chain.Raft." + channel.Name);
        var stopping = new CancellationTokenSource();
        var machine = new LedgerStateMachine(new DirectoryInfo(Path.Combine(root, "snapshots")), channel, new BlockPuller(node, node.NodeId, logger),
            channel.Config.Raft.SnapshotInterval, logger, stopping.Token);
        // The snapshot must be restored before the log is opened (the log replays from it).
        machine.RestoreAsync().AsTask().GetAwaiter().GetResult();
        var wal = new WriteAheadLog(new WriteAheadLog.Options { Location = Path.Combine(root, "log") }, machine);
        return new RaftOrderer(channel, node, certificate, trust, loggers, clock, listen, members, machine, wal, stopping);
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

    public IPEndPoint Listen { get; }

    public bool IsLeader => !_cluster.LeadershipToken.IsCancellationRequested;

    public long Term => _cluster.Term;

    /// <summary>"leader", "follower" (a leader is known) or "candidate" (none is).</summary>
    public string Role => IsLeader ? "leader" : Volatile.Read(ref _leader) is null ? "candidate" : "follower";

    public string? LeaderNode => IsLeader ? null : Volatile.Read(ref _leader)?.Node;

    public RelayException? Redirect
    {
        get
        {
            if (IsLeader) return null;
            if (Volatile.Read(ref _leader) is { } leader) return new RelayException($"node {leader.Node} leads channel '{_channel.Name}'", leader.PeerEndpoint ?? "");
            return new RelayException($"channel '{_channel.Name}' has no Raft leader now: an election is under way, or fewer than a majority of its consenters are reachable", null) { NoLeader = true };
        }
    }

    public bool TryEnqueue(CheckedTx tx) => _queue.Writer.TryWrite(tx);

    private void OnLeaderChanged(DotNext.Net.Cluster.ICluster cluster, IClusterMember? leader)
    {
        if (leader is null)
        {
            Volatile.Write(ref _leader, null);
            _logger.LogWarning("channel {Channel}: no Raft leader (term {Term})", _channel.Name, _cluster.Term);
            return;
        }
        var known = new Leader(leader.EndPoint, leader.EndPoint.ToString()!, null);
        Volatile.Write(ref _leader, known);
        _ = Task.Run(async () =>
        {
            try
            {
                var metadata = await leader.GetMetadataAsync(false, _stopping.Token);
                var named = known with { Node = metadata.GetValueOrDefault(NodeKey) ?? known.Node, PeerEndpoint = metadata.GetValueOrDefault(PeerKey) };
                Interlocked.CompareExchange(ref _leader, named, known);
                _logger.LogInformation("channel {Channel}: leader is {Node} ({EndPoint}) in term {Term}", _channel.Name, named.Node, named.EndPoint, _cluster.Term);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _logger.LogWarning("channel {Channel}: leader {EndPoint} did not send its metadata: {Reason}", _channel.Name, known.EndPoint, e.Message);
            }
        });
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        using var link = stopping.Register(_stopping.Cancel);
        await _cluster.StartAsync(stopping);
        _logger.LogInformation("channel {Channel}: Raft member on {Listen}; consenters {Members}", _channel.Name, Listen,
            string.Join(", ", _cluster.Members.Select(m => m.EndPoint)));
        while (!stopping.IsCancellationRequested)
        {
            CancellationToken leadership;
            try { leadership = await _cluster.WaitForLeadershipAsync(stopping); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException) { break; }
            var leftovers = await LeadAsync(leadership, stopping);
            if (leftovers.Count > 0) _ = Task.Run(() => HandOverAsync(leftovers, _stopping.Token), CancellationToken.None);
        }
        try { await _cluster.StopAsync(CancellationToken.None); }
        catch (Exception e) when (e is not OutOfMemoryException) { _logger.LogWarning("channel {Channel}: stopping Raft: {Reason}", _channel.Name, e.Message); }
    }

    /// <summary>Orders blocks while this node leads; returns what it admitted but could not get committed.</summary>
    private async Task<List<CheckedTx>> LeadAsync(CancellationToken leadership, CancellationToken stopping)
    {
        var cutter = new BlockCutter(_settings.Batch);
        IReadOnlyList<CheckedTx>? inFlight = null;
        using var lead = CancellationTokenSource.CreateLinkedTokenSource(leadership, stopping);
        async ValueTask Commit(IReadOnlyList<CheckedTx> batch)
        {
            inFlight = batch;
            await ReplicateAsync(batch, leadership);
            inFlight = null;
        }
        try
        {
            // Everything earlier terms committed is applied before this node cuts a block on top of it.
            await _cluster.ApplyReadBarrierAsync(lead.Token);
            _logger.LogInformation("channel {Channel}: this node leads in term {Term} at height {Height}", _channel.Name, _cluster.Term, _channel.Ledger.Height);
            await BatchLoop.RunAsync(_queue.Reader, cutter, _clock, Commit, lead.Token);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!leadership.IsCancellationRequested && stopping.IsCancellationRequested)
            {
                // Shutting down while leading: give what was admitted a few seconds to commit.
                using var drain = CancellationTokenSource.CreateLinkedTokenSource(leadership);
                drain.CancelAfter(TimeSpan.FromSeconds(5));
                try
                {
                    if (inFlight is not null) await Commit(inFlight);
                    await BatchLoop.DrainAsync(_queue.Reader, cutter, batch => new ValueTask(ReplicateAsync(batch, drain.Token)));
                }
                catch (Exception d) when (d is not OutOfMemoryException) { }
            }
            else if (!stopping.IsCancellationRequested)
                _logger.LogWarning("channel {Channel}: stopped leading in term {Term}: {Reason}", _channel.Name, _cluster.Term, e is OperationCanceledException ? "leadership lost" : e.Message);
        }
        var leftovers = new List<CheckedTx>();
        if (inFlight is not null) leftovers.AddRange(inFlight);
        leftovers.AddRange(cutter.Cut());
        while (_queue.Reader.TryRead(out var tx)) leftovers.Add(tx);
        return leftovers;
    }

    /// <summary>Executes the batch on the committed state, replicates the signed block and waits until this node applied it.</summary>
    private async Task ReplicateAsync(IReadOnlyList<CheckedTx> batch, CancellationToken leadership)
    {
        while (true)
        {
            var set = _channel.ExecuteBatch(batch, _clock.GetUtcNow().ToUnixTimeMilliseconds());
            var proposed = new ProposedBlock(set, batch);
            await _cluster.ReplicateAsync(set.Block.ToByteArray(), proposed, leadership);
            var outcome = await proposed.Applied.Task.WaitAsync(leadership);
            if (outcome != ApplyOutcome.Stale) return;
            // A block of an earlier term took this height first: run the batch again on top of it.
        }
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
                else if (Volatile.Read(ref _leader) is { PeerEndpoint: { } target })
                {
                    var statuses = await _forwarder.ForwardAsync(remaining, stop, target);
                    relayed += statuses.Count(s => s.Accepted);
                    remaining = remaining.Where((_, i) => IsRelayable(statuses[i])).ToList();
                }
            }
            catch (Rpc.Interceptors.RequestException e) { _logger.LogWarning("channel {Channel}: handing transactions to the leader failed: {Reason}", _channel.Name, e.Message); }
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

    /// <summary>Refused only because the receiver does not lead (yet): worth another try.</summary>
    private static bool IsRelayable(AdmissionStatus status) => !status.Accepted && status.Message.StartsWith("NOT_LEADER", StringComparison.Ordinal);

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _cluster.Dispose();
        await _wal.DisposeAsync();
        await _machine.DisposeAsync();
        _forwarder.Dispose();
        _stopping.Dispose();
    }
}
