using System.CommandLine;
using Chain.Cli.Output;
using Chain.Node.Configuration;
using Chain.Node.Hosting;
using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;

namespace Chain.Cli.Commands.Operate;

/// <summary>
/// <c>chain network status</c>: every node of a local network folder (each <c>*/config.json</c> under it), whoever started
/// it: its process (from the node's own <c>node.pid</c>), and for each channel its role, term, leader and height as the
/// node answers them, or why it does not answer.
/// </summary>
internal static class NetworkStatus
{
    public sealed record ChannelState(string Channel, string Role, ulong Term, string Leader, ulong Height, IReadOnlyList<string> Problems);

    public sealed record NodeState(string Node, string Endpoint, int? Pid, string State, IReadOnlyList<ChannelState> Channels);

    public static Command Build(Option<string> upDir)
    {
        var dir = new Option<string>("--dir") { Description = upDir.Description, DefaultValueFactory = _ => ".chain" };
        var status = new Command("status", "each node of a local network folder: its process, and per channel its role, leader and height") { dir };
        status.SetHandler(async (parse, cancel) =>
        {
            var root = Path.GetFullPath(parse.GetValue(dir)!);
            if (!Directory.Exists(root)) throw new UsageException($"--dir {root} does not exist; 'chain network up --dir {parse.GetValue(dir)}' creates it");
            var configs = Directory.GetDirectories(root).Select(d => Path.Combine(d, "config.json")).Where(File.Exists).Order(StringComparer.Ordinal).ToList();
            if (configs.Count == 0) throw new UsageException($"{root} holds no node (no */config.json)");
            var nodes = await Task.WhenAll(configs.Select(c => StateOfAsync(NodeConfig.Load(c), cancel)));
            Printer.Print(parse, nodes, () => PrintTable(nodes));
            return nodes.All(n => n.State == "serving") ? 0 : 1;
        });
        return status;
    }

    public static async Task<NodeState> StateOfAsync(NodeConfig config, CancellationToken cancel)
    {
        var endpoint = "http://" + config.Listen;
        var pid = NodePidFile.LiveNode(config.Resolve(config.DataDir));
        using var client = new ChainClient(endpoint);
        try
        {
            var info = await client.Ledger.GetChainInfoAsync(new ChainInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(3), cancellationToken: cancel);
            var channels = info.Channels.Select(c => new ChannelState(c.Channel, c.Role, c.Term, c.Leader, c.Height, c.Problems.ToList())).ToList();
            // The folder's node answers with its own id; anything else on the port is a stranger.
            var state = info.NodeId == config.NodeId ? "serving" : $"port taken by another node ({info.NodeId})";
            return new NodeState(config.NodeId, endpoint, pid, state, channels);
        }
        catch (RpcException e)
        {
            return new NodeState(config.NodeId, endpoint, pid, pid is null ? "not running" : $"running, not answering ({e.StatusCode})", []);
        }
    }

    private static void PrintTable(IReadOnlyList<NodeState> nodes)
    {
        var rows = new List<string[]> { new[] { "NODE", "PID", "STATE", "CHANNEL", "ROLE", "TERM", "LEADER", "HEIGHT" } };
        foreach (var node in nodes)
        {
            var pid = node.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-";
            if (node.Channels.Count == 0) rows.Add([node.Node, pid, node.State, "", "", "", "", ""]);
            foreach (var c in node.Channels)
                rows.Add([node.Node, pid, node.State, c.Channel, c.Role, c.Term == 0 ? "" : c.Term.ToString(System.Globalization.CultureInfo.InvariantCulture), c.Leader,
                    c.Height.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        foreach (var row in rows) Console.Out.WriteLine(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd());
    }
}
