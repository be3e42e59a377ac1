using System.Net;
using System.Net.Sockets;
using Chain.Cli.Commands;
using Chain.Cli.Commands.Operate;
using Chain.Node.Configuration;
using Chain.Node.Membership;
using Chain.Protocol;
using Google.Protobuf;

namespace Chain.Tests.TestKit;

/// <summary>
/// A local Raft network of real node processes on loopback, prepared like `chain network up --nodes N` (every channel
/// ordered by its first N consenters), with its folders in one temp directory. Nodes can be stopped, killed and
/// restarted individually. <see cref="StartAsync"/> orders every channel by the Bank's nodes, so N consenters are N
/// processes (the Raft mechanics do not depend on who runs the nodes); <see cref="StartSampleAsync"/> runs the sample
/// network as its file lays it out, each channel ordered by nodes of three organisations.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly TempDirectory _root = new();
    private readonly NetworkDefinition _definition;
    private readonly int _basePort;
    private readonly Action<NodeConfig>? _configure;
    private readonly List<NodeProcess> _nodes = [];
    private int _consentersPerChannel;

    private LocalCluster(int count, Action<NetworkDefinition>? network, Action<NodeConfig>? configure, bool asTheFileSays = false)
    {
        NodeProcess.CopyDirectory(NodeProcess.SharedCrypto.Value, Path.Combine(_root.Path, "crypto"));
        _definition = Repo.SampleNetwork();
        if (!asTheFileSays) OrderEveryChannelByTheBank(_definition);
        network?.Invoke(_definition);
        _configure = configure;
        _consentersPerChannel = count;
        int nodes = _definition.ForLocalNetwork(count, 0).Nodes.Count();
        // Room for two more nodes than the network starts with, for membership changes.
        _basePort = FreePortBlock(nodes + 2, _definition.Channels.Count);
        for (int i = 1; i <= nodes; i++) _nodes.Add(PrepareNode(i, count));
    }

    private static void OrderEveryChannelByTheBank(NetworkDefinition network)
    {
        var bankNodes = network.Organization("Bank").Nodes.Select(n => n.Name!).ToList();
        foreach (var channel in network.Channels) channel.Consenters = bankNodes;
    }

    /// <summary>Node <paramref name="index"/> of the sample network, configured as if the network had <paramref name="networkSize"/> nodes (its channels' genesis blocks are shared).</summary>
    private NodeProcess PrepareNode(int index, int networkSize)
    {
        var path = NetworkCommands.Prepare(_root.Path, index, _definition, networkSize, _basePort,
        [
            ChannelConfigBuilder.Enroll(Build.Alice.AddressText, "Bank", ["bank"]),
            ChannelConfigBuilder.Enroll(Build.Bob.AddressText, "Bank", ["donor"]),
        ]) ?? throw new InvalidOperationException($"node {index} of the network has no config");
        if (_configure is not null)
        {
            var config = NodeConfig.Load(path);
            _configure(config);
            config.Save(path);
        }
        return new NodeProcess(path);
    }

    /// <summary>
    /// Prepares the next node of the sample network (e.g. bank-node4) with the existing genesis blocks: the channel
    /// configuration does not list it, so it joins once a configuration update adds it. Not started.
    /// </summary>
    public NodeProcess AddNode()
    {
        var node = PrepareNode(_nodes.Count + 1, _nodes.Count + 1);
        _nodes.Add(node);
        _consentersPerChannel = _nodes.Count;
        return node;
    }

    /// <summary>The consenter entry a configuration update adds for <paramref name="node"/> on <paramref name="channel"/>.</summary>
    public ConsenterConfig ConsenterEntry(NodeProcess node, string channel = "sandbox")
    {
        var local = _definition.ForLocalNetwork(_consentersPerChannel, _basePort);
        int index = _nodes.IndexOf(node);
        var (org, definition) = local.Nodes.ElementAt(index);
        return new ConsenterConfig
        {
            Node = definition.Name, Organization = org.Name, Host = definition.Host, Port = (uint)definition.Port,
            RaftPort = (uint)NetworkDefinition.RaftPort(definition, local.Channels.FindIndex(c => c.Name == channel)),
            TlsCertificatePem = File.ReadAllText(Path.Combine(_root.Path, "crypto", "orgs", org.Name!, "nodes", definition.Name!, "tls.crt")),
            Address = ByteString.CopyFrom(Chain.Sdk.Crypto.Keystore.AddressOf(node.Config.Resolve(node.Config.KeyFile))),
        };
    }

    /// <summary>Proposes, signs (by the admin of every member organisation of the channel) and commits a configuration update through <paramref name="via"/>.</summary>
    public async Task<CommitStatusResponse> UpdateConfigAsync(NodeProcess via, Action<ChannelConfig> change, string channel = "sandbox")
    {
        var json = (await via.Client.Gateway.EvaluateAsync(new EvaluateRequest { Channel = channel, Contract = SystemState.ConfigNamespace, Function = "get", Args = ByteString.CopyFromUtf8("{}") })).Result.ToStringUtf8();
        var proposed = ChannelConfig.Parser.ParseJson(json);
        proposed.Sequence++;
        proposed.Members.Clear();
        change(proposed);
        var admins = _definition.Channels.Single(c => c.Name == channel).Organizations.Select(Admin).ToArray();
        var envelope = ConfigUpdates.Sign(proposed, admins);
        var tx = Build.Call("update", $"{{\"envelope\":\"{Convert.ToBase64String(envelope.ToByteArray())}\"}}", admins[0], channel, SystemState.ConfigNamespace);
        return await via.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = tx });
    }

    /// <summary>The admin account of <paramref name="organization"/> in the cluster's crypto material.</summary>
    public Chain.Sdk.Crypto.AccountKey Admin(string organization)
    {
        var accounts = Path.Combine(_root.Path, "crypto", "orgs", organization, "accounts");
        return Chain.Sdk.Crypto.Keystore.Read(Path.Combine(accounts, "admin.json"), File.ReadAllText(Path.Combine(accounts, "admin.password")).Trim());
    }

    /// <summary>The folder holding the cluster's crypto material (<c>orgs/&lt;Org&gt;/…</c>).</summary>
    public string CryptoDir => Path.Combine(_root.Path, "crypto");

    /// <summary>The node definition (name, organisation) behind <paramref name="node"/>.</summary>
    public (string Organization, string Name) DefinitionOf(NodeProcess node)
    {
        var (org, definition) = _definition.ForLocalNetwork(_consentersPerChannel, _basePort).Nodes.ElementAt(_nodes.IndexOf(node));
        return (org.Name!, definition.Name!);
    }

    public IReadOnlyList<NodeProcess> Nodes => _nodes;

    /// <summary>
    /// The network with its sandbox channel only, then <paramref name="more"/>: for tests of Raft mechanics on one channel,
    /// whose nodes then run one Raft group each instead of three (less CPU on a 2-core machine, faster starts).
    /// </summary>
    public static Action<NetworkDefinition> SandboxOnly(Action<NetworkDefinition>? more = null) => network =>
    {
        network.Channels.RemoveAll(c => c.Name != "sandbox");
        more?.Invoke(network);
    };

    /// <summary>The network's folders and configs, no process started.</summary>
    public static LocalCluster Prepare(int count, Action<NetworkDefinition>? network = null, Action<NodeConfig>? configure = null) => new(count, network, configure);

    public static Task<LocalCluster> StartAsync(int count, Action<NetworkDefinition>? network = null, Action<NodeConfig>? configure = null) =>
        StartAsync(new LocalCluster(count, network, configure));

    /// <summary>The sample network as its file lays it out, every channel ordered by its first <paramref name="consentersPerChannel"/> consenters.</summary>
    public static Task<LocalCluster> StartSampleAsync(int consentersPerChannel, Action<NetworkDefinition>? network = null) =>
        StartAsync(new LocalCluster(consentersPerChannel, network, null, asTheFileSays: true));

    private static async Task<LocalCluster> StartAsync(LocalCluster cluster)
    {
        try { await Task.WhenAll(cluster.Nodes.Select(n => n.StartProcessAsync())); }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
        return cluster;
    }

    public static async Task<ChannelInfo?> InfoAsync(NodeProcess node, string channel = "sandbox")
    {
        try { return (await node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = channel }, deadline: DateTime.UtcNow.AddSeconds(5))).Channels[0]; }
        catch (Grpc.Core.RpcException) { return null; }
    }

    /// <summary>Waits until one of <paramref name="among"/> (default: all nodes) says it leads the channel, and the others it answers for agree.</summary>
    public async Task<NodeProcess> LeaderAsync(string channel = "sandbox", IEnumerable<NodeProcess>? among = null, TimeSpan? timeout = null)
    {
        var candidates = (among ?? Nodes).ToList();
        NodeProcess? leader = null;
        await Wait.UntilAsync(async () =>
        {
            foreach (var node in candidates)
                if ((await InfoAsync(node, channel))?.Role == "leader") { leader = node; return true; }
            return false;
        }, $"a leader of channel {channel}", timeout);
        return leader!;
    }

    /// <summary>Waits until every listed node has the same height, last block hash and state root, and returns that head.</summary>
    public static async Task<ChannelInfo> ConvergedAsync(IReadOnlyList<NodeProcess> nodes, string channel = "sandbox", ulong atLeast = 0, TimeSpan? timeout = null)
    {
        ChannelInfo? head = null;
        await Wait.UntilAsync(async () =>
        {
            var infos = await Task.WhenAll(nodes.Select(n => InfoAsync(n, channel)));
            if (infos.Any(i => i is null) || infos[0]!.Height < atLeast) return false;
            head = infos[0];
            return infos.All(i => i!.Height == head!.Height && i.LastBlockHash == head.LastBlockHash && i.StateRoot == head.StateRoot);
        }, $"nodes agree on channel {channel}", timeout ?? TimeSpan.FromSeconds(120));
        return head!;
    }

    /// <summary>Every transaction id of the channel's blocks with its validation code, read from one node.</summary>
    public static async Task<List<(string TxId, ValidationCode Code, ulong Block)>> TransactionsAsync(NodeProcess node, string channel = "sandbox")
    {
        var height = (await InfoAsync(node, channel))!.Height;
        var all = new List<(string, ValidationCode, ulong)>();
        for (ulong n = 1; n < height; n++)
        {
            var block = await node.Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = channel, Number = n });
            for (int i = 0; i < block.Transactions.Count; i++)
                all.Add((Convert.ToHexStringLower(Chain.Sdk.Encoding.ProtocolHashes.TxId(block.Transactions[i].Payload.Span)), block.Results[i].Code, n));
        }
        return all;
    }

    /// <summary>A base port such that each node's client, peer (+1000), Raft (+2000, +100 per channel), HTTP API (+3000) and metrics ports (+4000) are free, below the ephemeral range.</summary>
    public static int FreePortBlock(int count, int channels)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int basePort = Random.Shared.Next(20000, 28500); // with its offsets (up to +4000) below the ephemeral range (32768 up)
            var ports = Enumerable.Range(0, count).SelectMany(i => new[] { basePort + i, basePort + i + 1000, basePort + i + 3000, basePort + i + 4000 }
                .Concat(Enumerable.Range(0, channels).Select(c => basePort + i + 2000 + 100 * c)));
            if (ports.All(IsFree)) return basePort;
        }
        throw new InvalidOperationException("no free block of loopback ports found");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException) { return false; }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes) await node.DisposeAsync();
        _root.Dispose();
    }
}
