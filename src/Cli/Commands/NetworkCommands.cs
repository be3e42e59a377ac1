using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Chain.Node.Configuration;
using Chain.Node.Hosting;
using Chain.Node.Membership.Crypto;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;

namespace Chain.Cli.Commands;

public static class NetworkCommands
{
    public const string DefaultNetworkFile = "network-config/network.yaml";
    /// <summary>A local node's mutual-TLS peer endpoint is its client port plus this.</summary>
    public const int PeerPortOffset = 1000;

    public static Command Build()
    {
        var nodes = new Option<int>("--nodes", "-n") { Description = "number of nodes (1 until multi-node ordering is available)", DefaultValueFactory = _ => 1 };
        var dir = new Option<string>("--dir") { Description = "folder for keys, configs and ledgers; reused if it exists", DefaultValueFactory = _ => ".chain" };
        var basePort = new Option<int?>("--base-port") { Description = "gRPC port of the first node, others follow (default: the first node's port in the network file)" };
        var networkFile = new Option<string>("--network") { Description = "network description (YAML)", DefaultValueFactory = _ => DefaultNetworkFile };
        var up = new Command("up", "generate (if needed) and run a local network on loopback in the foreground; Ctrl-C stops it") { nodes, dir, basePort, networkFile };
        up.SetHandler(async (parse, cancel) =>
        {
            var count = parse.GetValue(nodes);
            if (count != 1) throw new UsageException($"--nodes {count} is not supported yet: this version runs solo ordering, so use --nodes 1");
            var root = Path.GetFullPath(parse.GetValue(dir)!);
            var network = NetworkDefinition.Load(parse.GetValue(networkFile)!);
            var firstPort = parse.GetValue(basePort) ?? network.Nodes.First().Node.Port;
            if (firstPort < 1 || firstPort + count - 1 + PeerPortOffset > 65535)
                throw new UsageException($"--base-port {firstPort}: node ports and their peer ports (+{PeerPortOffset}) must stay within 1..65535");
            var configs = Enumerable.Range(1, count).Select(i => Prepare(root, $"node{i}", firstPort + i - 1, network)).ToArray();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            void OnSignal(PosixSignalContext context) { context.Cancel = true; stop.Cancel(); }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            return await RunAsync(configs, stop.Token);
        });
        var network = new Command("network", "local development networks");
        network.Subcommands.Add(up);
        return network;
    }

    /// <summary>
    /// Creates what a node of a local network needs unless it exists: the network's crypto material
    /// (<c>crypto/</c>, as 'chain crypto generate') and genesis blocks (<c>genesis/</c>, as 'chain channel
    /// create'), then the node's folder with its key and config. Returns the config path.
    /// </summary>
    public static string Prepare(string root, string nodeId, int port, NetworkDefinition network, IReadOnlyList<Chain.Protocol.Enrollment>? extraMembers = null)
    {
        var nodeDir = Path.Combine(root, nodeId);
        var configPath = Path.Combine(nodeDir, "config.json");
        if (File.Exists(configPath)) return configPath;

        var now = DateTimeOffset.UtcNow;
        var cryptoDir = Path.Combine(root, "crypto");
        var genesisDir = Path.Combine(root, "genesis");
        if (!File.Exists(Path.Combine(cryptoDir, CryptoGenerator.ManifestFile))) CryptoGenerator.Generate(network, cryptoDir, now);
        if (!network.Channels.All(c => File.Exists(GenesisPath(genesisDir, c.Name!))))
            ChannelCommands.CreateGenesisFiles(network, cryptoDir, genesisDir, null, now.ToUnixTimeMilliseconds(), extraMembers);

        Directory.CreateDirectory(nodeDir);
        // Node n of the local network uses the certificate of the n-th node of the network file.
        var (nodeOrg, nodeDefinition) = network.Nodes.ElementAt(Math.Min(int.Parse(nodeId.AsSpan(4)) - 1, network.Nodes.Count() - 1));
        var certificateDir = Path.Combine(cryptoDir, "orgs", nodeOrg.Name!, "nodes", nodeDefinition.Name!);
        // The block-signing key is the one the channel configurations list for this consenter.
        var config = new NodeConfig
        {
            NodeId = nodeId,
            Listen = $"127.0.0.1:{port}",
            PeerListen = $"127.0.0.1:{port + PeerPortOffset}",
            Tls = new TlsConfig
            {
                Certificate = Path.GetRelativePath(nodeDir, Path.Combine(certificateDir, "tls.crt")),
                PrivateKey = Path.GetRelativePath(nodeDir, Path.Combine(certificateDir, "tls.key")),
                ClientEndpoint = false, // local development: clients use plaintext on loopback
            },
            DataDir = "data",
            KeyFile = Path.GetRelativePath(nodeDir, Path.Combine(certificateDir, "node-key.json")),
            PasswordFile = Path.GetRelativePath(nodeDir, Path.Combine(certificateDir, "node-key.password")),
            Channels = network.Channels.Select(c =>
            {
                var settings = c.ToChannelSettings();
                settings.GenesisFile = Path.GetRelativePath(nodeDir, GenesisPath(genesisDir, c.Name!));
                return settings;
            }).ToList(),
        };
        config.Validate();
        config.Save(configPath);
        return configPath;
    }

    private static string GenesisPath(string genesisDir, string channel) => Path.Combine(genesisDir, channel + ChannelCommands.GenesisExtension);

    private static async Task<int> RunAsync(string[] configPaths, CancellationToken cancel)
    {
        var children = new List<(string Id, Process Process, string Endpoint, string Channels, byte[] Address)>();
        try
        {
            foreach (var path in configPaths)
            {
                var config = NodeConfig.Load(path);
                var process = Process.Start(ProcessControl.ChainStartInfo(null, "node", "start", "--config", path))!;
                Forward(process, config.NodeId);
                children.Add((config.NodeId, process, "http://" + config.Listen, string.Join(", ", config.Channels.Select(c => c.Name)), Keystore.AddressOf(config.Resolve(config.KeyFile))));
            }
            foreach (var (id, process, endpoint, channels, address) in children)
            {
                await WaitReadyAsync(process, endpoint, cancel, expectedAddress: address);
                Console.Out.WriteLine($"{id} ready at {endpoint}  (channels: {channels})");
            }
            Console.Out.WriteLine($"network up from {Path.GetDirectoryName(Path.GetDirectoryName(configPaths[0]))}; press Ctrl-C to stop");
            await Task.WhenAny(children.Select(c => c.Process.WaitForExitAsync(cancel)));
            if (!cancel.IsCancellationRequested)
            {
                var dead = children.First(c => c.Process.HasExited);
                Console.Error.WriteLine($"error: {dead.Id} exited with code {dead.Process.ExitCode}; stopping the network");
                return 1;
            }
            return 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            await Task.WhenAll(children.Select(c => ProcessControl.StopAsync(c.Process, TimeSpan.FromSeconds(30))));
            Console.Out.WriteLine("network stopped");
        }
    }

    private static void Forward(Process process, string id)
    {
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Console.Out.WriteLine($"[{id}] {e.Data}"); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[{id}] {e.Data}"); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    /// <summary>
    /// Polls the node until it answers, or fails when the process exits first. With an expected address,
    /// an answer from some other node already listening on that port is an error, not "ready".
    /// </summary>
    public static async Task WaitReadyAsync(Process process, string endpoint, CancellationToken cancel, TimeSpan? timeout = null, byte[]? expectedAddress = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        using var client = new ChainClient(endpoint);
        while (true)
        {
            if (process.HasExited) throw new UsageException($"node at {endpoint} exited with code {process.ExitCode} during start-up (see its log above)");
            try
            {
                var info = await client.Ledger.GetChainInfoAsync(new ChainInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(2), cancellationToken: cancel);
                if (expectedAddress is null || Address.TryParse(info.NodeAddress) is { } answered && answered.AsSpan().SequenceEqual(expectedAddress)) return;
                throw new UsageException($"another node ({info.NodeId}, {info.NodeAddress}) already answers at {endpoint}; stop it or choose another --base-port");
            }
            catch (Grpc.Core.RpcException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100, cancel);
            }
        }
    }
}
