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
internal sealed class DotNextRaftGroup : IRaftGroup
{
    /// <summary>Member metadata keys: the node id and the URL of its peer endpoint (where transactions are relayed to).</summary>
    public const string NodeKey = "node", PeerKey = "peer";

    private readonly RaftCluster _cluster;
    private readonly LedgerStateMachine _machine;
    private WriteAheadLog? _wal;
    private int _disposed;

    private DotNextRaftGroup(RaftCluster cluster, WriteAheadLog wal, LedgerStateMachine machine)
    {
        _cluster = cluster;
        _wal = wal;
        _machine = machine;
        cluster.LeaderChanged += (_, leader) => LeaderChanged?.Invoke(leader is null ? null : new RaftLeader(leader.EndPoint, async (refresh, cancel) => await leader.GetMetadataAsync(refresh, cancel)));
    }

    /// <summary>The factory a node's Raft orderers use: the snapshot is restored before the log is opened (the log replays from it).</summary>
    public static RaftGroupFactory Factory(IConsenterSupport channel, ChannelSettings settings, NodeConfig node, X509Certificate2 certificate, Func<PeerTrust> trust, ILoggerFactory loggers) =>
        (listen, members, applier) =>
        {
            var root = Path.Combine(node.Resolve(node.DataDir), channel.ChannelName + ".raft");
            var machine = new LedgerStateMachine(new DirectoryInfo(Path.Combine(root, "snapshots")), channel, applier, settings.Raft.SnapshotInterval);
            var wal = new WriteAheadLog(new WriteAheadLog.Options { Location = Path.Combine(root, "log") }, machine);
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
            return new DotNextRaftGroup(new RaftCluster(tcp) { AuditTrail = wal }, wal, machine);
        };

    /// <summary>
    /// Mutual TLS on the Raft port: both sides show their node certificate, and accept only the certificates the channel's
    /// configuration pins for its consenters (issued by a trusted organisation's CA, valid, not revoked), so a node of a
    /// channel organisation that is not a consenter cannot take part in the channel's Raft group.
    /// </summary>
    private static SslOptions MutualTls(X509Certificate2 certificate, Func<PeerTrust> trust, Func<ChannelConfig?> configuration)
    {
        bool Trusted(object sender, X509Certificate? presented, X509Chain? chain, SslPolicyErrors errors)
        {
            if (presented is null) return false;
            var peer = presented as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
            return trust().OrganizationOf(peer, out _) is not null && IsPinnedConsenter(configuration(), peer);
        }
        return new SslOptions
        {
            ServerOptions = new SslServerAuthenticationOptions { ServerCertificate = certificate, ClientCertificateRequired = true, RemoteCertificateValidationCallback = Trusted },
            ClientOptions = new SslClientAuthenticationOptions { ClientCertificates = [certificate], RemoteCertificateValidationCallback = Trusted, TargetHost = "chain-raft" },
        };
    }

    /// <summary>True when <paramref name="peer"/> is the TLS certificate a consenter of <paramref name="config"/> is listed with (any trusted one when none is listed).</summary>
    internal static bool IsPinnedConsenter(ChannelConfig? config, X509Certificate2 peer)
    {
        var pinned = config?.Consenters.Where(c => c.TlsCertificatePem.Length > 0).ToList();
        return pinned is not { Count: > 0 } || pinned.Any(c => Network.PeerTrust.Parse(c.TlsCertificatePem)?.Thumbprint == peer.Thumbprint);
    }

    /// <summary>The Raft endpoint of a consenter of the channel configuration.</summary>
    public static IPEndPoint EndPointOf(ConsenterConfig consenter, string channel)
    {
        if (consenter.RaftPort is 0 or > 65535) throw new ConfigException($"consenter {consenter.Node} of channel '{channel}' has no raft port in the channel configuration");
        if (!IPAddress.TryParse(consenter.Host, out var address)) throw new ConfigException($"consenter {consenter.Node} of channel '{channel}': host '{consenter.Host}' is not an IP address");
        return new IPEndPoint(address, (int)consenter.RaftPort);
    }

    public event Action<RaftLeader?>? LeaderChanged;
    public long Term => _cluster.Term;
    public long Unapplied => _wal is { } wal ? Math.Max(0, wal.LastCommittedEntryIndex - wal.LastAppliedIndex) : 0;
    public CancellationToken LeadershipToken => _cluster.LeadershipToken;
    public IReadOnlyList<EndPoint> Members => _cluster.Members.Select(m => m.EndPoint).ToList();

    public async Task StartAsync(CancellationToken cancel)
    {
        await _machine.RestoreAsync(cancel);
        await _cluster.StartAsync(cancel);
    }

    public Task StopAsync(CancellationToken cancel) => _cluster.StopAsync(cancel);
    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancel) => _cluster.WaitForLeadershipAsync(cancel);
    public Task ApplyReadBarrierAsync(CancellationToken cancel) => _cluster.ApplyReadBarrierAsync(cancel).AsTask();
    public Task ReplicateAsync(byte[] entry, ProposedBlock context, CancellationToken leadership) => _cluster.ReplicateAsync(entry, context, leadership).AsTask();
    public Task ForceReplicationAsync(CancellationToken leadership) => _cluster.ForceReplicationAsync(leadership).AsTask();
    public Task<bool> AddMemberAsync(EndPoint member, CancellationToken leadership) => _cluster.AddMemberAsync(member, leadership);
    public Task<bool> RemoveMemberAsync(EndPoint member, CancellationToken leadership) => _cluster.RemoveMemberAsync(member, leadership);

    /// <summary>Stops the log's applier, then closes the snapshot store: after this nothing of the group writes to the ledger.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _cluster.Dispose();
        if (Interlocked.Exchange(ref _wal, null) is { } wal) await wal.DisposeAsync();
        await _machine.DisposeAsync();
    }
}
