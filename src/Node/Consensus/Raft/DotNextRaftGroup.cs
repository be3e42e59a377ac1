using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Chain.Node.Configuration;
using Chain.Node.Network;
using Chain.Protocol;
using DotNext.Net.Cluster;
using DotNext.Net.Cluster.Consensus.Raft;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;
using Microsoft.Extensions.Logging;
using SslOptions = DotNext.Net.Security.SslOptions;

namespace Chain.Node.Consensus.Raft;

/// <summary>
/// A channel's Raft member on DotNext (ADR 0005): its TCP transport on the consenter's Raft port with mutual TLS, its
/// write-ahead log in <c>&lt;dataDir&gt;/&lt;channel&gt;.raft/log</c> and the ledger as its state machine.
/// </summary>
/// <summary>A channel's Raft log or snapshot could not be read: the channel halts on this node; its ledger is not touched.</summary>
internal sealed class RaftLogException(string message, Exception inner) : Exception(message, inner);

internal sealed class DotNextRaftGroup : IRaftGroup
{
    /// <summary>Member metadata keys: the node id and the URL of its peer endpoint (where transactions are relayed to).</summary>
    public const string NodeKey = "node", PeerKey = "peer";

    private readonly LedgerStateMachine _machine;
    private readonly Func<LedgerStateMachine, (RaftCluster, WriteAheadLog)> _open;
    private RaftCluster? _cluster;
    private WriteAheadLog? _wal;
    private int _disposed;

    private DotNextRaftGroup(LedgerStateMachine machine, Func<LedgerStateMachine, (RaftCluster, WriteAheadLog)> open)
    {
        _machine = machine;
        _open = open;
    }

    /// <summary>
    /// The factory a node's Raft orderers use. The log is opened only in <see cref="StartAsync"/>, after the state
    /// machine restored its latest snapshot: the log takes the snapshot's index as applied when it opens, and one opened
    /// before would replay from entry 1, whose pages the snapshot let it delete (the member then never started).
    /// </summary>
    public static RaftGroupFactory Factory(IConsenterSupport channel, ChannelSettings settings, NodeConfig node, Sdk.Client.PemCertificateFile certificate, Func<PeerTrust> trust, ILoggerFactory loggers) =>
        (listen, members, applier) =>
        {
            var root = Path.Combine(node.Resolve(node.DataDir), channel.ChannelName + ".raft");
            var machine = new LedgerStateMachine(new DirectoryInfo(Path.Combine(root, "snapshots")), channel, applier, settings.Raft.SnapshotInterval);
            return new DotNextRaftGroup(machine, restored => Open(restored, root, listen, members, channel, settings, node, certificate, trust, loggers));
        };

    /// <summary>
    /// Marks a Raft log whose entries carry an XxHash64 checksum, checked when the log opens. A log created before
    /// checksums has no mark and is opened as it was written (a log's checksum algorithm cannot change).
    /// </summary>
    internal const string ChecksumMark = "log.xxhash64";

    private static WriteAheadLog.IntegrityHashAlgorithm ChecksumOf(string root)
    {
        var log = Path.Combine(root, "log");
        var mark = Path.Combine(root, ChecksumMark);
        if (Directory.Exists(log) && !File.Exists(mark)) return WriteAheadLog.IntegrityHashAlgorithm.None;
        Directory.CreateDirectory(root);
        File.WriteAllText(mark, "entries carry an XxHash64 checksum\n");
        return WriteAheadLog.IntegrityHashAlgorithm.XxHash64;
    }

    private static (RaftCluster, WriteAheadLog) Open(LedgerStateMachine machine, string root, IPEndPoint listen, IReadOnlyList<EndPoint> members, IConsenterSupport channel,
        ChannelSettings settings, NodeConfig node, Sdk.Client.PemCertificateFile certificate, Func<PeerTrust> trust, ILoggerFactory loggers)
    {
        var wal = new WriteAheadLog(new WriteAheadLog.Options { Location = Path.Combine(root, "log"), HashAlgorithm = ChecksumOf(root) }, machine);
        var raft = settings.Raft;
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
            SslOptions = MutualTls(certificate, trust, () => channel.View.Config),
        };
        tcp.Metadata[NodeKey] = node.NodeId;
        if (node.PeerListen is { } peer) tcp.Metadata[PeerKey] = "https://" + peer;
        return (new RaftCluster(tcp) { AuditTrail = wal }, wal);
    }

    /// <summary>
    /// Mutual TLS on the Raft port: both sides show their node certificate, and accept only the certificates the channel's
    /// configuration pins for its consenters (issued by a trusted organisation's CA, valid, not revoked), so a node of a
    /// channel organisation that is not a consenter cannot take part in the channel's Raft group.
    /// </summary>
    private static SslOptions MutualTls(Sdk.Client.PemCertificateFile certificate, Func<PeerTrust> trust, Func<ChannelConfig?> configuration)
    {
        bool Trusted(object sender, X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors)
        {
            if (presented is null) return false;
            var peer = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
            return trust().OrganizationOf(peer, out _) is not null && IsPinnedConsenter(configuration(), peer);
        }
        return new SslOptions
        {
            // The node's certificate as its files hold it at each handshake: a renewed one is used for new connections, open ones drain.
            ServerOptions = new SslServerAuthenticationOptions { ServerCertificateSelectionCallback = (_, _) => certificate.Current, ClientCertificateRequired = true, RemoteCertificateValidationCallback = Trusted },
            ClientOptions = new SslClientAuthenticationOptions { LocalCertificateSelectionCallback = (_, _, _, _, _) => certificate.Current, RemoteCertificateValidationCallback = Trusted, TargetHost = "chain-raft" },
        };
    }

    /// <summary>True when <paramref name="peer"/> is the TLS certificate a consenter of <paramref name="config"/> is listed with (any trusted one when none is listed).</summary>
    internal static bool IsPinnedConsenter(ChannelConfig? config, X509Certificate2 peer)
    {
        var pinned = config?.Consenters.Where(c => c.TlsCertificatePem.Length > 0).ToList();
        // A consenter renewing its certificate is listed with the old and the new one (a PEM bundle) until it uses the new.
        return pinned is not { Count: > 0 } || pinned.Any(c => Sdk.Client.PemFiles.ParseAll(c.TlsCertificatePem).Any(x => x.Thumbprint == peer.Thumbprint));
    }

    /// <summary>The Raft endpoint of a consenter of the channel configuration.</summary>
    public static IPEndPoint EndPointOf(ConsenterConfig consenter, string channel)
    {
        if (consenter.RaftPort is 0 or > 65535) throw new ConfigException($"consenter {consenter.Node} of channel '{channel}' has no raft port in the channel configuration");
        if (!IPAddress.TryParse(consenter.Host, out var address)) throw new ConfigException($"consenter {consenter.Node} of channel '{channel}': host '{consenter.Host}' is not an IP address");
        return new IPEndPoint(address, (int)consenter.RaftPort);
    }

    public event Action<RaftLeader?>? LeaderChanged;
    private RaftCluster Cluster => _cluster ?? throw new InvalidOperationException("the Raft member has not started");
    public long Term => _cluster?.Term ?? 0;
    public long Unapplied => _wal is { } wal ? Math.Max(0, wal.LastCommittedEntryIndex - wal.LastAppliedIndex) : 0;
    public CancellationToken LeadershipToken => _cluster?.LeadershipToken ?? new CancellationToken(canceled: true);
    public IReadOnlyList<EndPoint> Members => _cluster?.Members.Select(m => m.EndPoint).ToList() ?? [];

    public async Task StartAsync(CancellationToken cancel)
    {
        try
        {
            await _machine.RestoreAsync(cancel);
            var (cluster, wal) = _open(_machine);
            (_cluster, _wal) = (cluster, wal);
            cluster.LeaderChanged += (_, leader) => LeaderChanged?.Invoke(leader is null ? null : new RaftLeader(leader.EndPoint, async (refresh, cancel) => await leader.GetMetadataAsync(refresh, cancel)));
            await cluster.StartAsync(cancel);
        }
        catch (Exception e) when (e is DotNext.IO.Log.IntegrityException or InvalidDataException)
        {
            // Only a damaged log or snapshot is reported as such; a port in use or a TLS problem keeps its own message.
            throw new RaftLogException($"its Raft log in {_machine.Location.Parent!.FullName} is damaged ({e.GetType().Name}: {e.Message})", e);
        }
    }

    public Task StopAsync(CancellationToken cancel) => _cluster?.StopAsync(cancel) ?? Task.CompletedTask;
    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancel) => Cluster.WaitForLeadershipAsync(cancel);
    public Task ApplyReadBarrierAsync(CancellationToken cancel) => Cluster.ApplyReadBarrierAsync(cancel).AsTask();
    public Task ReplicateAsync(byte[] entry, ProposedBlock context, CancellationToken leadership) => Cluster.ReplicateAsync(entry, context, leadership).AsTask();
    public Task ForceReplicationAsync(CancellationToken leadership) => Cluster.ForceReplicationAsync(leadership).AsTask();
    public Task<bool> AddMemberAsync(EndPoint member, CancellationToken leadership) => Cluster.AddMemberAsync(member, leadership);
    public Task<bool> RemoveMemberAsync(EndPoint member, CancellationToken leadership) => Cluster.RemoveMemberAsync(member, leadership);

    /// <summary>Stops the log's applier, then closes the snapshot store: after this nothing of the group writes to the ledger.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _cluster?.Dispose();
        if (Interlocked.Exchange(ref _wal, null) is { } wal) await wal.DisposeAsync();
        await _machine.DisposeAsync();
    }
}
