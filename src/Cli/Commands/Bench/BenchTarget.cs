using System.CommandLine;
using System.Diagnostics;
using Chain.Cli.Commands.Operate;
using Chain.Node.Configuration;

namespace Chain.Cli.Commands.Bench;

/// <summary>
/// Where a benchmark sends its load: a local network it starts itself in a temporary folder (<c>--nodes N</c>, stopped and
/// deleted afterwards), or a running one (<c>--endpoint</c>, with <c>--dir</c> naming its folder when it has one, for the
/// sample accounts and the node processes to watch). Either way it knows each node's process, to report its CPU and memory.
/// </summary>
internal sealed class BenchTarget : IAsyncDisposable
{
    public static readonly Option<int> Nodes = new("--nodes") { Description = "start a local network in a temporary folder for the run, every channel ordered by this many consenters (as network up --nodes; 0: use --endpoint)", DefaultValueFactory = _ => 0 };
    public static readonly Option<int> BasePort = new("--base-port") { Description = "with --nodes: gRPC port of its first node", DefaultValueFactory = _ => 17051 };
    public static readonly Option<string> Entry = new("--entry") { Description = "with --nodes: which node takes the load (first: node1; leader or follower: of the channel loaded)", DefaultValueFactory = _ => "first" };
    public static readonly Option<string> Network = new("--network") { Description = "with --nodes: network description (YAML)", DefaultValueFactory = _ => NetworkCommands.DefaultNetworkFile };
    public static readonly Option<string> Dir = new("--dir") { Description = "folder of the running network (as 'network up --dir'): its sample accounts sign, its node processes are measured", DefaultValueFactory = _ => ".chain" };

    public static void AddOptions(Command command)
    {
        command.Options.Add(Nodes);
        command.Options.Add(BasePort);
        command.Options.Add(Dir);
        command.Options.Add(Network);
        command.Options.Add(Entry);
    }

    static BenchTarget() => Entry.AcceptOnlyFromAmong("first", "leader", "follower");

    private readonly Process? _network;
    private readonly string? _temporary;

    private BenchTarget(string endpoint, string root, Process? network, string? temporary) => (Endpoint, Root, _network, _temporary) = (endpoint, root, network, temporary);

    /// <summary>The endpoints to use, comma separated, the entry node first.</summary>
    public string Endpoint { get; private set; }

    /// <summary>The network folder (crypto/, node folders).</summary>
    public string Root { get; }

    public string CryptoDir => Path.Combine(Root, "crypto");

    /// <param name="channel">The channel loaded, for --entry leader|follower.</param>
    public static async Task<BenchTarget> OpenAsync(ParseResult parse, CancellationToken cancel, string? channel = null)
    {
        int nodes = parse.GetValue(Nodes);
        if (nodes == 0) return new BenchTarget(parse.GetValue(GlobalOptions.Endpoint)!, Path.GetFullPath(parse.GetValue(Dir)!), null, null);
        if (nodes is < 1 or > 5) throw new UsageException($"--nodes {nodes}: 1 to 5");
        int port = parse.GetValue(BasePort);
        if (port is < 1024 or > 60000) throw new UsageException($"--base-port {port}: 1024..60000");
        var temporary = Path.Combine(Path.GetTempPath(), "chain-bench-net-" + Guid.NewGuid().ToString("N")[..8]);
        var info = ProcessControl.ChainStartInfo(null, "network", "up", "--nodes", nodes.ToString(System.Globalization.CultureInfo.InvariantCulture), "--dir", temporary,
            "--base-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-observers", "--network", NetworkFile(parse));
        var network = Process.Start(info) ?? throw new CommandFailedException("could not start 'chain network up'");
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        void Keep(string? line) { if (line is null) return; log.Enqueue(line); while (log.Count > 40) log.TryDequeue(out _); }
        network.OutputDataReceived += (_, e) => Keep(e.Data);
        network.ErrorDataReceived += (_, e) => Keep(e.Data);
        network.BeginOutputReadLine();
        network.BeginErrorReadLine();
        // The load goes to the nodes that order the channel (with --nodes 3 the sample's charity and fund channels are ordered by different nodes).
        var local = Chain.Node.Configuration.NetworkDefinition.Load(NetworkFile(parse)).ForLocalNetwork(nodes, port);
        var ordering = local.Channels.FirstOrDefault(c => c.Name == channel)?.Consenters;
        var endpoints = local.Nodes.Select((n, i) => (n.Node.Name, Endpoint: $"http://127.0.0.1:{port + i}")).Where(n => ordering is null || ordering.Contains(n.Name!)).Select(n => n.Endpoint);
        var target = new BenchTarget(string.Join(",", endpoints), temporary, network, temporary);
        try
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (network.HasExited) throw new CommandFailedException($"'chain network up' exited ({network.ExitCode}): {string.Join(" | ", log.TakeLast(5))}");
                if (deadline.Elapsed > TimeSpan.FromSeconds(120)) throw new CommandFailedException("the benchmark's network did not come up within 120 s: " + string.Join(" | ", log.TakeLast(5)));
                if (await target.ReadyAsync(cancel))
                {
                    if (parse.GetValue(Entry) is "leader" or "follower" && channel is not null) await target.EnterAtAsync(parse.GetValue(Entry)!, channel, cancel);
                    return target;
                }
                await Task.Delay(500, cancel);
            }
        }
        catch
        {
            await target.DisposeAsync();
            throw;
        }
    }

    private static string NetworkFile(ParseResult parse)
    {
        var file = parse.GetValue(Network)!;
        if (!File.Exists(file)) throw new UsageException($"--network '{file}' does not exist (run from the repository root, or name the network file)");
        return Path.GetFullPath(file);
    }

    /// <summary>Every node serves and every channel it orders has a leader.</summary>
    private async Task<bool> ReadyAsync(CancellationToken cancel)
    {
        var configs = NodeConfigs();
        if (configs.Count == 0) return false;
        var states = await Task.WhenAll(configs.Select(c => NetworkStatus.StateOfAsync(c, cancel)));
        return states.All(s => s.State == "serving" && s.Pid is not null && s.Channels.Count > 0 && s.Channels.All(c => c.Role is "solo" or "observer" || c.Leader.Length > 0));
    }

    /// <summary>Puts a node of <paramref name="role"/> on <paramref name="channel"/> first among the endpoints.</summary>
    private async Task EnterAtAsync(string role, string channel, CancellationToken cancel)
    {
        var states = await Task.WhenAll(NodeConfigs().Select(c => NetworkStatus.StateOfAsync(c, cancel)));
        var entry = states.FirstOrDefault(s => s.Channels.Any(c => c.Channel == channel && c.Role == role))
            ?? throw new CommandFailedException($"--entry {role}: no node is {role} of channel '{channel}' ({string.Join(", ", states.Select(s => s.Node + ": " + string.Join("/", s.Channels.Where(c => c.Channel == channel).Select(c => c.Role))))})");
        Endpoint = string.Join(",", new[] { entry.Endpoint }.Concat(Endpoint.Split(',').Where(e => e != entry.Endpoint)));
    }

    private List<NodeConfig> NodeConfigs() => !Directory.Exists(Root) ? [] :
        Directory.GetDirectories(Root).Select(d => Path.Combine(d, "config.json")).Where(File.Exists).Order(StringComparer.Ordinal).Select(NodeConfig.Load).ToList();

    /// <summary>The node processes of the folder now running (none when the network has no folder here).</summary>
    public IReadOnlyList<(string Node, int Pid)> Processes() =>
        NodeConfigs().Select(c => (c.NodeId, Pid: Chain.Node.Hosting.NodePidFile.LiveNode(c.Resolve(c.DataDir)))).Where(n => n.Pid is not null).Select(n => (n.NodeId, n.Pid!.Value)).ToList();

    public async ValueTask DisposeAsync()
    {
        if (_network is not null)
        {
            await ProcessControl.StopAsync(_network, TimeSpan.FromSeconds(30));
            _network.Dispose();
        }
        if (_temporary is not null && Directory.Exists(_temporary))
        {
            try { Directory.Delete(_temporary, recursive: true); }
            catch (IOException) { } // a node's last file handle; the temp folder is the OS's to clear
        }
    }
}

/// <summary>CPU time and memory of a node process, from /proc (Linux).</summary>
internal sealed record NodeUsage(string Node, int Pid, double CpuSeconds, double RssMegabytes, double PeakRssMegabytes)
{
    public static NodeUsage? Read(string node, int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
            double ticks = double.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + double.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            double Kb(string name) => File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith(name + ":", StringComparison.Ordinal))
                .Select(l => double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
            return new NodeUsage(node, pid, ticks / 100.0, Kb("VmRSS") / 1024, Kb("VmHWM") / 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException) { return null; }
    }

    /// <summary>Each node's CPU seconds between <paramref name="before"/> and now, with its memory now.</summary>
    public static IReadOnlyList<NodeUsage> Since(IReadOnlyList<NodeUsage> before) =>
        before.Select(b => Read(b.Node, b.Pid) is { } now ? now with { CpuSeconds = now.CpuSeconds - b.CpuSeconds } : null).OfType<NodeUsage>().ToList();

    public static IReadOnlyList<NodeUsage> Now(IEnumerable<(string Node, int Pid)> processes) => processes.Select(p => Read(p.Node, p.Pid)).OfType<NodeUsage>().ToList();
}
