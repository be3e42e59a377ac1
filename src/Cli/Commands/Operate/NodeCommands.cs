using System.CommandLine;
using System.Net.Sockets;
using Chain.Cli.Output;
using Chain.Node.Configuration;
using Chain.Node.Hosting;
using Chain.Node.Ledger;
using Grpc.Core;
using Grpc.Net.Client;

namespace Chain.Cli.Commands.Operate;

internal static class NodeCommands
{
    public static Command Build()
    {
        var config = new Option<string>("--config") { Description = "node configuration file (JSON)", Required = true };
        var start = new Command("start", "run a node in the foreground until Ctrl-C or SIGTERM") { config };
        start.SetHandler(async (parse, cancel) =>
        {
            var nodeConfig = NodeConfig.Load(parse.GetValue(config)!);
            await NodeHost.RunAsync(nodeConfig, cancel);
            return 0;
        });
        var node = new Command("node", "run, back up and restore a node");
        node.Subcommands.Add(start);
        node.Subcommands.Add(BuildBackup(config));
        node.Subcommands.Add(BuildRestore(config));
        return node;
    }

    private static Command BuildBackup(Option<string> config)
    {
        var output = new Option<string>("--out") { Description = "new or empty folder for the backup, on the node's machine", Required = true };
        var backup = new Command("backup", "a consistent copy of every channel's ledger with a manifest (heights, last hashes, state roots, checksums); a running node goes on serving") { config, output };
        backup.SetHandler(async (parse, cancel) =>
        {
            var nodeConfig = NodeConfig.Load(parse.GetValue(config)!);
            var outDir = Path.GetFullPath(parse.GetValue(output)!);
            var dataDir = nodeConfig.Resolve(nodeConfig.DataDir);
            LedgerBackup.Manifest manifest;
            if (NodePidFile.LiveNode(dataDir) is { } pid)
            {
                // A running node writes its own checkpoints, through its admin socket.
                var socket = AdminSocket.PathFor(nodeConfig);
                if (!File.Exists(socket)) throw new CommandFailedException($"node {nodeConfig.NodeId} runs (pid {pid}) but has no admin socket at {socket}");
                using var channel = AdminChannel(socket);
                var response = await new Chain.Protocol.Admin.AdminClient(channel).BackupAsync(new Chain.Protocol.BackupRequest { OutDir = outDir }, deadline: DateTime.UtcNow.AddHours(1), cancellationToken: cancel);
                manifest = System.Text.Json.JsonSerializer.Deserialize<LedgerBackup.Manifest>(response.ManifestJson, Printer.Json)!;
            }
            else
            {
                if (!Directory.Exists(dataDir)) throw new UsageException($"node {nodeConfig.NodeId} has no data folder '{dataDir}'");
                manifest = LedgerBackup.Write(nodeConfig.NodeId, nodeConfig.Channels.Select(c => c.Name).ToList(), LedgerBackup.FromStoppedNode(dataDir), outDir, DateTimeOffset.UtcNow);
            }
            Printer.Print(parse, manifest, () =>
            {
                Console.Out.WriteLine($"backup of {manifest.Node} in {outDir}");
                Console.Out.WriteLine($"{"CHANNEL",-18} {"HEIGHT",8} {"FILES",5} {"BYTES",9}  LAST BLOCK HASH / STATE ROOT");
                foreach (var c in manifest.Channels)
                    Console.Out.WriteLine($"{c.Channel,-18} {c.Height,8} {c.Files.Count,5} {Names.Bytes((ulong)c.Files.Sum(f => f.Bytes)),9}  {c.LastHash} / {c.StateRoot}");
            });
            return 0;
        });
        return backup;
    }

    private static Command BuildRestore(Option<string> config)
    {
        var from = new Option<string>("--from") { Description = "a backup folder written by 'chain node backup' (of this node, or of another node of the same network)", Required = true };
        var restore = new Command("restore", "restore a backup into the node's empty data folder, verifying every ledger first; the node then catches up from its peers") { config, from };
        restore.SetHandler((parse, _) =>
        {
            var nodeConfig = NodeConfig.Load(parse.GetValue(config)!);
            var dataDir = nodeConfig.Resolve(nodeConfig.DataDir);
            if (NodePidFile.LiveNode(dataDir) is { } pid) throw new UsageException($"node {nodeConfig.NodeId} is running (pid {pid}); stop it and move its data folder aside before restoring");
            var channels = nodeConfig.Channels.Select(c => (c.Name, c.GenesisFile is { } file ? nodeConfig.Resolve(file) : null)).ToList();
            var progress = new Dictionary<string, Progress>();
            IReadOnlyList<LedgerBackup.Restored> restored;
            try
            {
                restored = LedgerBackup.Restore(Path.GetFullPath(parse.GetValue(from)!), dataDir, channels,
                    (channel, done, total) => (progress.TryGetValue(channel, out var p) ? p : progress[channel] = Progress.Start($"verifying {channel} blocks", (long)total)).Report((long)done));
            }
            finally
            {
                foreach (var p in progress.Values) p.Dispose();
            }
            Printer.Print(parse, restored, () =>
            {
                foreach (var r in restored) Console.Out.WriteLine($"{r.Channel}: restored and verified, {r.Height} blocks, last hash {r.LastHash}, state root {r.StateRoot}");
                Console.Out.WriteLine($"start the node ('chain node start --config {parse.GetValue(config)}'); it catches up from its peers");
            });
            return Task.FromResult(0);
        });
        return restore;
    }

    /// <summary>A gRPC channel to a node's admin socket (a Unix domain socket).</summary>
    private static GrpcChannel AdminChannel(string socketPath) => GrpcChannel.ForAddress("http://admin.socket", new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        },
        MaxReceiveMessageSize = Chain.Sdk.Client.ChainClient.MaxMessageBytes,
    });
}
