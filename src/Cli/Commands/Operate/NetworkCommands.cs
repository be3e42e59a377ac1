using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Chain.Node.Configuration;
using Chain.Node.Hosting;
using Chain.Node.Membership.Crypto;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;

namespace Chain.Cli.Commands.Operate;

internal static class NetworkCommands
{
    public const string DefaultNetworkFile = "network-config/network.yaml";
    /// <summary>A local node's mutual-TLS peer endpoint is its client port plus this.</summary>
    public const int PeerPortOffset = 1000;
    /// <summary>A local node's first Raft port is its client port plus this (see <see cref="NetworkDefinition.ForLocalNetwork"/>).</summary>
    public const int RaftPortOffset = 2000;
    /// <summary>A local node's HTTP/JSON API port is its client port plus this; its operations (metrics) port plus <see cref="OperationsPortOffset"/>.</summary>
    public const int HttpPortOffset = 3000;
    public const int OperationsPortOffset = 4000;

    public static Command Build()
    {
        var nodes = new Option<int>("--nodes", "-n") { Description = "consenters per channel: every channel is ordered by the first N consenters the network file lists for it (by Raft when more than one), each of those nodes started once", DefaultValueFactory = _ => 1 };
        var dir = new Option<string>("--dir") { Description = "folder for keys, configs and ledgers; reused if it exists", DefaultValueFactory = _ => ".chain" };
        var basePort = new Option<int?>("--base-port") { Description = "gRPC port of the first node, others follow (default: the first node's port in the network file)" };
        var networkFile = new Option<string>("--network") { Description = "network description (YAML)", DefaultValueFactory = _ => DefaultNetworkFile };
        var noObservers = new Option<bool>("--no-observers") { Description = "do not start the observer nodes of the network file (the regulators' and auditors' own nodes)" };
        var restart = new Option<string>("--restart") { Description = "on-failure: start a node again when it exits with an error or is killed (after 1 s, doubling to 30 s); no: report it only", DefaultValueFactory = _ => "no" };
        restart.AcceptOnlyFromAmong("no", "on-failure");
        var up = new Command("up", "generate (if needed) and run a local network on loopback in the foreground; Ctrl-C stops it") { nodes, dir, basePort, networkFile, noObservers, restart };
        up.SetHandler(async (parse, cancel) =>
        {
            var count = parse.GetValue(nodes);
            var root = Path.GetFullPath(parse.GetValue(dir)!);
            var network = NetworkDefinition.Load(parse.GetValue(networkFile)!);
            var firstPort = parse.GetValue(basePort) ?? network.Nodes.First().Node.Port;
            if (count < 1) throw new UsageException($"--nodes {count}: at least one node");
            bool observers = !parse.GetValue(noObservers);
            int total;
            try { total = network.ForLocalNetwork(count, firstPort, observers).Nodes.Count(); }
            catch (ConfigException e) { throw new UsageException($"--nodes {count}: {e.Message}"); }
            int highest = firstPort + total - 1 + Math.Max(RaftPortOffset + 100 * (network.Channels.Count - 1), OperationsPortOffset);
            if (firstPort < 1 || highest > 65535)
                throw new UsageException($"--base-port {firstPort}: node ports, peer ports (+{PeerPortOffset}), Raft ports (+{RaftPortOffset}, +100 per channel), HTTP API (+{HttpPortOffset}) and metrics ports (+{OperationsPortOffset}) must stay within 1..65535");
            var sizeFile = Path.Combine(root, "nodes");
            if (File.Exists(sizeFile) && File.ReadAllText(sizeFile).Trim() is var existing && existing != count.ToString())
                throw new UsageException($"{root} holds a network made with --nodes {existing}; use --nodes {existing} or another --dir");
            var configs = Enumerable.Range(1, total).Select(i => Prepare(root, i, network, count, firstPort, withObservers: observers)).OfType<string>().ToArray();
            File.WriteAllText(sizeFile, count.ToString());
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            void OnSignal(PosixSignalContext context) { context.Cancel = true; stop.Cancel(); }
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
            return await RunAsync(configs, parse.GetValue(restart) == "on-failure", stop.Token);
        });
        var network = new Command("network", "local development networks");
        network.Subcommands.Add(up);
        network.Subcommands.Add(NetworkStatus.Build(dir));
        return network;
    }

    /// <summary>
    /// Creates what node <paramref name="index"/> (1-based) of a local network needs unless it exists: the network's
    /// crypto material (<c>crypto/</c>, as 'chain crypto generate') and genesis blocks (<c>genesis/</c>, as 'chain
    /// channel create'), then the node's folder with its key and config. The local network is
    /// <see cref="NetworkDefinition.ForLocalNetwork"/> for <paramref name="count"/> consenters per channel from <paramref name="basePort"/>:
    /// node i is its i-th node, with that node's ports and certificate.
    /// The node joins every channel of its organisation; it orders those that list it as a consenter and observes
    /// the others, and it knows every other node of the local network as a peer. Observer nodes (after the
    /// ordering ones, with <paramref name="withObservers"/>) are named after their definition
    /// (e.g. <c>civil-node1</c>). Returns the config path, or null for an observer whose crypto material predates it.
    /// </summary>
    public static string? Prepare(string root, int index, NetworkDefinition network, int count, int basePort, IReadOnlyList<Chain.Protocol.Enrollment>? extraMembers = null,
        bool withObservers = false)
    {
        var local = network.ForLocalNetwork(count, basePort, withObservers);
        var (definitionOrg, definition) = local.Nodes.ElementAt(index - 1);
        var nodeId = definition.Observer ? definition.Name! : $"node{index}";
        var nodeDir = Path.Combine(root, nodeId);
        var configPath = Path.Combine(nodeDir, "config.json");
        if (File.Exists(configPath)) return configPath;

        var now = DateTimeOffset.UtcNow;
        var cryptoDir = Path.Combine(root, "crypto");
        var genesisDir = Path.Combine(root, "genesis");
        if (!File.Exists(Path.Combine(cryptoDir, CryptoGenerator.ManifestFile))) CryptoGenerator.Generate(network, cryptoDir, now); // every node of the file, so a bigger network can reuse it
        if (!local.Channels.All(c => File.Exists(GenesisPath(genesisDir, c.Name!))))
            ChannelCommands.CreateGenesisFiles(local, cryptoDir, genesisDir, null, now.ToUnixTimeMilliseconds(), extraMembers);

        var nodes = local.Nodes.ToList();
        var (nodeOrg, nodeDefinition) = (definitionOrg, definition);
        string CertificateDir(string org, string node) => Path.Combine(cryptoDir, "orgs", org, "nodes", node);
        var certificateDir = CertificateDir(nodeOrg.Name!, nodeDefinition.Name!);
        if (nodeDefinition.Observer && !Directory.Exists(certificateDir))
        {
            Console.Error.WriteLine($"warning: observer {nodeDefinition.Name} has no certificate under {cryptoDir} (made before the network file listed it); it is not started (a new --dir has it)");
            return null;
        }
        Directory.CreateDirectory(nodeDir);
        var channels = local.Channels.Where(c => c.Organizations.Contains(nodeOrg.Name!)).ToList();
        // The block-signing key is the one the channel configurations list for this consenter.
        var config = new NodeConfig
        {
            NodeId = nodeId,
            Listen = $"127.0.0.1:{nodeDefinition.Port}",
            PeerListen = $"127.0.0.1:{nodeDefinition.Port + PeerPortOffset}",
            HttpListen = $"127.0.0.1:{nodeDefinition.Port + HttpPortOffset}",
            OperationsListen = $"127.0.0.1:{nodeDefinition.Port + OperationsPortOffset}",
            // Blocks are pulled from ordering nodes only: an observer may itself be behind, and a pull stream to it would wait.
            // And only from nodes that order a channel this node runs: the others neither serve its channels nor trust its organisation.
            Peers = nodes.Where(n => n.Node.Name != nodeDefinition.Name && !n.Node.Observer && channels.Any(c => c.Consenters.Contains(n.Node.Name!))).Select(n => new PeerConfig
            {
                Endpoint = $"https://127.0.0.1:{n.Node.Port + PeerPortOffset}",
                CaCertificate = Path.GetRelativePath(nodeDir, Path.Combine(cryptoDir, "orgs", n.Org.Name!, "ca", "ca.crt")),
            }).ToList(),
            Tls = new TlsConfig
            {
                Certificate = Path.GetRelativePath(nodeDir, Path.Combine(certificateDir, "tls.crt")),
                PrivateKey = Path.GetRelativePath(nodeDir, Path.Combine(certificateDir, "tls.key")),
                ClientEndpoint = false, // local development: clients use plaintext on loopback
            },
            DataDir = "data",
            KeyFile = Path.GetRelativePath(nodeDir, Path.Combine(certificateDir, "node-key.json")),
            PasswordFile = Path.GetRelativePath(nodeDir, Path.Combine(certificateDir, "node-key.password")),
            Channels = channels.Select(c =>
            {
                var settings = c.ToChannelSettings();
                settings.GenesisFile = Path.GetRelativePath(nodeDir, GenesisPath(genesisDir, c.Name!));
                settings.Observe = !c.Consenters.Contains(nodeDefinition.Name!);
                return settings;
            }).ToList(),
        };
        config.Validate();
        config.Save(configPath);
        return configPath;
    }

    private static string GenesisPath(string genesisDir, string channel) => Path.Combine(genesisDir, channel + ChannelCommands.GenesisExtension);

    /// <summary>One node of the network this command runs (or found running on its folder, <see cref="External"/>).</summary>
    private sealed class Child(string configPath, NodeConfig config)
    {
        public string ConfigPath { get; } = configPath;
        public string Id { get; } = config.NodeId;
        public string Endpoint { get; } = "http://" + config.Listen;
        public string Channels { get; } = string.Join(", ", config.Channels.Select(c => c.Name));
        /// <summary>Where else the node answers: its HTTP/JSON API and its metrics, when configured.</summary>
        public string Extras { get; } = (config.HttpListen is { } http ? $"; http api http://{http}" : "") + (config.OperationsListen is { } ops ? $"; metrics http://{ops}/metrics" : "");
        public string DataDir { get; } = config.Resolve(config.DataDir);
        public byte[] Address { get; } = Keystore.AddressOf(config.Resolve(config.KeyFile));
        public Process? Process { get; set; }
        /// <summary>The node was already running on its folder (started by hand, say): left as it is, not supervised, not stopped.</summary>
        public int? External { get; set; }
        public int Restarts { get; set; }
        public DateTime StartedAt { get; set; }

        public void Start()
        {
            Process = Process.Start(ProcessControl.ChainStartInfo(null, "node", "start", "--config", ConfigPath))!;
            StartedAt = DateTime.UtcNow;
            Forward(Process, Id);
        }
    }

    private static async Task<int> RunAsync(string[] configPaths, bool restartOnFailure, CancellationToken cancel)
    {
        var children = configPaths.Select(p => new Child(p, NodeConfig.Load(p))).ToList();
        try
        {
            foreach (var child in children)
            {
                if (Chain.Node.Hosting.NodePidFile.LiveNode(child.DataDir) is { } pid)
                {
                    child.External = pid;
                    Console.Out.WriteLine($"{child.Id} already runs on {child.DataDir} (pid {pid}, not started by this command); left as it is");
                }
                else child.Start();
            }
            int ready = 0;
            foreach (var child in children)
            {
                if (Console.IsErrorRedirected is false) Console.Error.Write($"\rwaiting for {child.Id} ({ready} of {children.Count} ready)…".PadRight(60) + "\r");
                await WaitReadyAsync(child.Process, child.Endpoint, cancel, expectedAddress: child.Address);
                ready++;
                Console.Out.WriteLine($"{child.Id} ready at {child.Endpoint}  (channels: {child.Channels}{child.Extras})");
            }
            Console.Out.WriteLine($"network up from {Path.GetDirectoryName(Path.GetDirectoryName(configPaths[0]))}; press Ctrl-C to stop");
            // One node of several may stop (or be stopped) while the others go on, as in any Raft network; a single node's exit ends it.
            var running = children.Where(c => c.Process is not null).ToList();
            while (running.Count > 0)
            {
                await Task.WhenAny(running.Select(c => c.Process!.WaitForExitAsync(cancel)));
                if (cancel.IsCancellationRequested) break;
                foreach (var dead in running.Where(c => c.Process!.HasExited).ToList())
                {
                    int code = dead.Process!.ExitCode;
                    if (restartOnFailure && code != 0)
                    {
                        // A node that ran a minute or more starts again at once; one that keeps failing waits longer each time.
                        if (DateTime.UtcNow - dead.StartedAt > TimeSpan.FromMinutes(1)) dead.Restarts = 0;
                        var pause = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, dead.Restarts++)));
                        Console.Error.WriteLine($"warning: {dead.Id} exited with code {code}; starting it again in {pause.TotalSeconds:F0} s (restart {dead.Restarts})");
                        await Task.Delay(pause, cancel);
                        dead.Process.Dispose();
                        dead.Start();
                        continue;
                    }
                    running.Remove(dead);
                    Console.Error.WriteLine(running.Count > 0
                        ? $"warning: {dead.Id} exited with code {code}; {running.Count} node(s) keep running"
                        : $"error: {dead.Id} exited with code {code}; no node is left");
                    if (running.Count == 0 || children.Count == 1) return 1; // a single node's exit ends the network
                }
            }
            return 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            return 0;
        }
        finally
        {
            await Task.WhenAll(children.Where(c => c.Process is not null).Select(c => ProcessControl.StopAsync(c.Process!, TimeSpan.FromSeconds(30))));
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
    public static async Task WaitReadyAsync(Process? process, string endpoint, CancellationToken cancel, TimeSpan? timeout = null, byte[]? expectedAddress = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        using var client = new ChainClient(endpoint);
        while (true)
        {
            if (process is { HasExited: true }) throw new UsageException($"node at {endpoint} exited with code {process.ExitCode} during start-up (see its log above)");
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
