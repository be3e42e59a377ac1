using System.Net;
using System.Net.Sockets;
using Chain.Cli.Commands;
using Chain.Node.Configuration;
using Chain.Node.Membership;
using Chain.Protocol;
using Google.Protobuf;

namespace Chain.Tests.TestKit;

/// <summary>
/// A local Raft network of real node processes on loopback, prepared like `chain network up --nodes N` (the first N
/// nodes of the sample network, all consenters), with its folders in one temp directory. Nodes can be stopped,
/// killed and restarted individually.
/// </summary>
public sealed class LocalCluster : IAsyncDisposable
{
    private readonly TempDirectory _root = new();

    private LocalCluster(int count, Action<NetworkDefinition>? network, Action<NodeConfig>? configure)
    {
        NodeProcess.CopyDirectory(NodeProcess.SharedCrypto.Value, Path.Combine(_root.Path, "crypto"));
        var definition = Repo.SampleNetwork();
        network?.Invoke(definition);
        var basePort = FreePortBlock(count, definition.Channels.Count);
        var nodes = new List<NodeProcess>();
        for (int i = 1; i <= count; i++)
        {
            var path = NetworkCommands.Prepare(_root.Path, i, definition, count, basePort,
            [
                ChannelConfigBuilder.Enroll(Build.Alice.AddressText, "Bank", ["bank"]),
                ChannelConfigBuilder.Enroll(Build.Bob.AddressText, "Bank", ["donor"]),
            ]);
            if (configure is not null)
            {
                var config = NodeConfig.Load(path);
                configure(config);
                config.Save(path);
            }
            nodes.Add(new NodeProcess(path));
        }
        Nodes = nodes;
    }

    public IReadOnlyList<NodeProcess> Nodes { get; }

    public static async Task<LocalCluster> StartAsync(int count, Action<NetworkDefinition>? network = null, Action<NodeConfig>? configure = null)
    {
        var cluster = new LocalCluster(count, network, configure);
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

    /// <summary>A base port such that each node's client, peer (+1000) and Raft ports (+2000, +100 per channel) are free, below the ephemeral range.</summary>
    private static int FreePortBlock(int count, int channels)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            int basePort = Random.Shared.Next(20000, 29000);
            var ports = Enumerable.Range(0, count).SelectMany(i => new[] { basePort + i, basePort + i + 1000 }
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
