using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Chain.Cli.Commands;
using Chain.Cli.Commands.Operate;
using Chain.Node.Configuration;
using Chain.Node.Membership;
using Chain.Sdk.Client;

namespace Chain.Tests.TestKit;

/// <summary>
/// A real node process (`chain node start`) on a free loopback port with its ledger in a temp folder.
/// The folder survives restarts of the process so tests can stop, kill and restart the same node.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly TempDirectory? _root;
    private Process? _process;
    private readonly ConcurrentQueue<string> _log = new();

    /// <summary>A node of a network prepared elsewhere (<see cref="LocalCluster"/>), which owns the folder.</summary>
    public NodeProcess(string configPath)
    {
        ConfigPath = configPath;
        Config = NodeConfig.Load(ConfigPath);
        Endpoint = "http://" + Config.Listen;
        Client = new ChainClient(Endpoint, reader: Build.Alice);
        CryptoDir = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(configPath))!, "crypto");
    }

    public NodeProcess(Action<NodeConfig>? configure = null)
    {
        _root = new TempDirectory();
        CopyDirectory(SharedCrypto.Value, Path.Combine(_root.Path, "crypto"));
        CryptoDir = Path.Combine(_root.Path, "crypto");
        // Build.Alice and Build.Bob are enrolled at genesis, so tests can sign with them on both channels.
        ConfigPath = NetworkCommands.Prepare(_root.Path, 1, Repo.SampleNetwork(), 1, FreePort(),
        [
            ChannelConfigBuilder.Enroll(Build.Alice.AddressText, "Bank", ["bank"]),
            ChannelConfigBuilder.Enroll(Build.Bob.AddressText, "Bank", ["donor"]),
        ]) ?? throw new InvalidOperationException("node1 of the sample network has no config");
        var config = NodeConfig.Load(ConfigPath);
        // A port just released can be handed out again: the peer port must not be the client port picked a moment ago.
        int peerPort;
        do peerPort = FreePort(); while ($"127.0.0.1:{peerPort}" == config.Listen);
        config.PeerListen = $"127.0.0.1:{peerPort}";
        var taken = new HashSet<int> { int.Parse(config.Listen.Split(':')[1]), peerPort };
        int OtherFreePort() { int p; do p = FreePort(); while (!taken.Add(p)); return p; }
        config.HttpListen = $"127.0.0.1:{OtherFreePort()}";
        config.OperationsListen = $"127.0.0.1:{OtherFreePort()}";
        configure?.Invoke(config);
        config.Save(ConfigPath);
        Config = NodeConfig.Load(ConfigPath);
        Endpoint = "http://" + Config.Listen;
        Client = new ChainClient(Endpoint, reader: Build.Alice);
    }

    public string ConfigPath { get; }
    public NodeConfig Config { get; }
    public string Endpoint { get; }
    public string PeerEndpoint => "https://" + Config.PeerListen;
    /// <summary>The HTTP/JSON API and the operations (metrics) endpoint.</summary>
    public string HttpEndpoint => "http://" + Config.HttpListen;
    public string OperationsEndpoint => "http://" + Config.OperationsListen;
    /// <summary>A client whose reads are signed by <see cref="Build.Alice"/> (Bank, role bank: she may read everything on the sample network).</summary>
    public ChainClient Client { get; }
    /// <summary>A client that does not sign its reads: it gets the public reads only.</summary>
    public ChainClient Anonymous => _anonymous ??= new ChainClient(Endpoint);
    private ChainClient? _anonymous;
    public string DataDir => Config.Resolve(Config.DataDir);
    /// <summary>The network's crypto material (CAs, node certificates, sample account keystores).</summary>
    public string CryptoDir { get; }
    public string Account(string org, string name) => Path.Combine(CryptoDir, "orgs", org, "accounts", name + ".json");
    public string ChannelDir(string channel) => Path.Combine(DataDir, channel);
    public string Log => string.Join('\n', _log);
    public int? ProcessId => _process?.Id;

    public static async Task<NodeProcess> StartAsync(Action<NodeConfig>? configure = null)
    {
        var node = new NodeProcess(configure);
        await node.StartProcessAsync();
        return node;
    }

    public async Task StartProcessAsync()
    {
        _process = ChainBinary.Start("node", "start", "--config", ConfigPath);
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        try { await NetworkCommands.WaitReadyAsync(_process, Endpoint, CancellationToken.None, TimeSpan.FromSeconds(90), Chain.Sdk.Crypto.Keystore.AddressOf(Config.Resolve(Config.KeyFile))); }
        catch (Exception e) { throw new InvalidOperationException($"{e.Message}\n--- node log ---\n{Log}", e); }
    }

    /// <summary>Starts the process and waits for it to exit by itself (e.g. refusing a broken ledger).</summary>
    public async Task<int> StartExpectingExitAsync()
    {
        _process = ChainBinary.Start("node", "start", "--config", ConfigPath);
        _process.OutputDataReceived += (_, e) => Collect(e.Data);
        _process.ErrorDataReceived += (_, e) => Collect(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await _process.WaitForExitAsync(timeout.Token);
        _process.WaitForExit(); // flush redirected output
        return _process.ExitCode;
    }

    /// <summary>Checks that the node serves each transaction a client saw committed, VALID in the block it was told.</summary>
    public async Task AssertServesAsync(IEnumerable<(string TxId, ulong Block)> committed, string channel = "sandbox")
    {
        foreach (var (txId, block) in committed)
        {
            var stored = await Client.Ledger.GetTransactionAsync(new Chain.Protocol.TransactionRequest { Channel = channel, TxId = txId });
            Xunit.Assert.Equal((block, Chain.Protocol.ValidationCode.Valid), (stored.BlockNumber, stored.Result.Code));
        }
    }

    /// <summary>Keeps a line of the node's output, in memory and in <c>node.log</c> beside its config (readable while a test runs).</summary>
    private void Collect(string? line)
    {
        if (line is null) return;
        _log.Enqueue(line);
        lock (_log) File.AppendAllText(LogFile, line + "\n");
    }

    /// <summary>Everything the node's processes wrote, one file for all its starts.</summary>
    public string LogFile => Path.Combine(Path.GetDirectoryName(ConfigPath)!, "node.log");

    /// <summary>The last <paramref name="lines"/> lines of the node's output, to show why a test failed.</summary>
    public string Tail(int lines = 200) => string.Join('\n', _log.TakeLast(lines));

    /// <summary>Waits for the running process to exit by itself (a fatal error); its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process!.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // flush redirected output
        int code = _process.ExitCode;
        _process.Dispose();
        _process = null;
        return code;
    }

    /// <summary>Graceful stop: SIGTERM and wait.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        await ProcessControl.StopAsync(_process, TimeSpan.FromSeconds(60));
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    /// <summary>Freezes the process (SIGSTOP): it holds its sockets and memory but answers nothing, as a stalled machine would.</summary>
    public void Pause() => Signal("-STOP");

    /// <summary>Lets a paused process run on (SIGCONT).</summary>
    public void Resume() => Signal("-CONT");

    private void Signal(string signal)
    {
        if (_process is null) return;
        using var kill = Process.Start("kill", [signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        kill.WaitForExit();
    }

    /// <summary>Crash: SIGKILL, no chance to clean up.</summary>
    public void Kill()
    {
        if (_process is null) return;
        _process.Kill();
        _process.WaitForExit();
        _process.Dispose();
        _process = null;
    }

    // Generating the sample network's CAs and keystores takes seconds; do it once per test run.
    internal static readonly Lazy<string> SharedCrypto = new(() =>
    {
        var folder = Path.Combine(Path.GetTempPath(), "chain-tests", "crypto-" + Guid.NewGuid().ToString("N")[..8]);
        Chain.Node.Membership.Crypto.CryptoGenerator.Generate(Repo.SampleNetwork(), folder, DateTimeOffset.UtcNow);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(folder, true); } catch (IOException) { } };
        return folder;
    });

    internal static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>
    /// A free loopback port for a node to listen on, from 12000-19999: below the kernel's ephemeral range (32768 and up),
    /// where outgoing connections take their source ports, so no connection can take it before the node binds it (a port
    /// from bind(0) could, and a node then failed to start with "address already in use"); apart from the blocks
    /// <see cref="LocalCluster.FreePortBlock"/> hands out (20000 up), and never the same port twice in a test run.
    /// </summary>
    public static int FreePort()
    {
        for (int attempt = 0; attempt < 2000; attempt++)
        {
            int port = Random.Shared.Next(12000, 20000);
            if (!HandedOut.TryAdd(port, 0)) continue;
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException) { } // in use by something else: try another
        }
        throw new InvalidOperationException("no free loopback port found in 12000-19999");
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        _anonymous?.Dispose();
        if (_process is { HasExited: false }) Kill();
        await Task.Yield();
        _root?.Dispose();
    }
}
