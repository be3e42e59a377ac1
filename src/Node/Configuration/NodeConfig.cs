using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chain.Node.Configuration;

/// <summary>A node's configuration file (JSON). Relative paths are resolved against the file's folder.</summary>
public sealed class NodeConfig
{
    public string NodeId { get; set; } = "node1";
    /// <summary>host:port for the gRPC endpoint (HTTP/2 without TLS; loopback by default).</summary>
    public string Listen { get; set; } = "127.0.0.1:7051";
    /// <summary>
    /// host:port of the mutual-TLS endpoint for node-to-node traffic (optional). Needs <see cref="Tls"/>; peers
    /// must present a certificate issued by the CA of an organisation of one of this node's channels.
    /// </summary>
    public string? PeerListen { get; set; }
    /// <summary>
    /// host:port of the HTTP/JSON API (optional): the client services transcoded to JSON over HTTP/1.1 and HTTP/2, and
    /// their OpenAPI document at <c>/openapi/v1.json</c>. HTTPS with the node certificate when the client endpoint is;
    /// plaintext only on loopback.
    /// </summary>
    public string? HttpListen { get; set; }
    /// <summary>host:port of the operations endpoint (optional): Prometheus metrics at <c>/metrics</c> and <c>/healthz</c>, plaintext HTTP.</summary>
    public string? OperationsListen { get; set; }
    /// <summary>OpenTelemetry traces (optional): where spans of submit → order → execute → commit are exported (OTLP).</summary>
    public TelemetryConfig? Telemetry { get; set; }
    /// <summary>Other nodes' peer endpoints; at start the node greets each over mutual TLS and logs how it was recognised.</summary>
    public List<PeerConfig> Peers { get; set; } = [];
    /// <summary>The node's TLS certificate and key (PEM, from `chain crypto generate`). With it the client endpoint is HTTPS.</summary>
    public TlsConfig? Tls { get; set; }
    public string DataDir { get; set; } = "data";
    /// <summary>Web3 Secret Storage file of the node's signing key (signs the blocks it proposes).</summary>
    public string KeyFile { get; set; } = "node-key.json";
    /// <summary>File holding the key's password; if absent, the CHAIN_NODE_PASSWORD environment variable is used.</summary>
    public string? PasswordFile { get; set; }
    /// <summary>"simple" (human readable) or "json" (one JSON object per line).</summary>
    public string LogFormat { get; set; } = "simple";
    public List<ChannelSettings> Channels { get; set; } = [];

    [JsonIgnore] public string BaseDirectory { get; private set; } = Environment.CurrentDirectory;

    public string Resolve(string path) => Path.GetFullPath(Path.Combine(BaseDirectory, path));

    /// <summary>Mutual TLS to a peer: this node's certificate and key, trusting only the CA configured for that peer.</summary>
    public Chain.Sdk.Client.TlsOptions PeerTls(PeerConfig peer) =>
        Chain.Sdk.Client.TlsOptions.FromPemFiles(Resolve(peer.CaCertificate), Resolve(Tls!.Certificate), Resolve(Tls.PrivateKey));

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static NodeConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"config file '{path}' does not exist");
        NodeConfig? config;
        try { config = JsonSerializer.Deserialize<NodeConfig>(File.ReadAllText(path), JsonOptions); }
        catch (JsonException e) { throw new ConfigException($"config file '{path}' is not valid: {e.Message}"); }
        if (config is null) throw new ConfigException($"config file '{path}' is empty");
        config.BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        config.Validate();
        return config;
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, JsonOptions));

    private static System.Net.IPEndPoint IPEndPointOrThrow(string value, string setting) =>
        System.Net.IPEndPoint.TryParse(value, out var parsed) && parsed.Port != 0 ? parsed : throw new ConfigException($"{setting} '{value}' is not an IP:port address");

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(NodeId)) throw new ConfigException("nodeId must not be empty");
        var endpoint = IPEndPointOrThrow(Listen, "listen");
        if (Channels.Count == 0) throw new ConfigException("at least one channel must be configured");
        if (Tls is not { ClientEndpoint: true } && !System.Net.IPAddress.IsLoopback(endpoint.Address))
            throw new ConfigException($"listen '{Listen}' is not a loopback address: plaintext gRPC is allowed only on loopback; configure tls");
        if (PeerListen is not null)
        {
            var peer = IPEndPointOrThrow(PeerListen, "peerListen");
            if (peer.Port == endpoint.Port) throw new ConfigException($"peerListen '{PeerListen}' uses the port of listen '{Listen}'");
            if (Tls is null) throw new ConfigException("peerListen needs tls (the node's certificate and key) for mutual TLS");
        }
        // Each endpoint its own port: the node tells the services apart by the port a connection arrived on.
        var ports = new Dictionary<int, string> { [endpoint.Port] = "listen" };
        if (PeerListen is not null) ports[IPEndPointOrThrow(PeerListen, "peerListen").Port] = "peerListen";
        System.Net.IPEndPoint? OwnPort(string? value, string setting)
        {
            if (value is null) return null;
            var parsed = IPEndPointOrThrow(value, setting);
            if (!ports.TryAdd(parsed.Port, setting)) throw new ConfigException($"{setting} '{value}' uses the port of {ports[parsed.Port]}");
            return parsed;
        }
        if (OwnPort(HttpListen, "httpListen") is { } http && Tls is not { ClientEndpoint: true } && !System.Net.IPAddress.IsLoopback(http.Address))
            throw new ConfigException($"httpListen '{HttpListen}' is not a loopback address: plaintext HTTP is allowed only on loopback; configure tls");
        OwnPort(OperationsListen, "operationsListen");
        if (Telemetry is { } telemetry)
        {
            if (!Uri.TryCreate(telemetry.OtlpEndpoint, UriKind.Absolute, out var otlp) || otlp.Scheme is not ("http" or "https"))
                throw new ConfigException($"telemetry.otlpEndpoint '{telemetry.OtlpEndpoint}' must be an http:// or https:// URL");
            if (telemetry.Protocol is not ("grpc" or "http/protobuf")) throw new ConfigException($"telemetry.protocol '{telemetry.Protocol}' must be 'grpc' or 'http/protobuf'");
        }
        for (int i = 0; i < Peers.Count; i++)
        {
            if (!Uri.TryCreate(Peers[i].Endpoint, UriKind.Absolute, out var uri) || uri.Scheme != "https") throw new ConfigException($"peers[{i}].endpoint '{Peers[i].Endpoint}' must be an https:// URL");
            if (string.IsNullOrWhiteSpace(Peers[i].CaCertificate)) throw new ConfigException($"peers[{i}].caCertificate is required");
            if (Tls is null) throw new ConfigException("peers need tls (the node's certificate and key) for mutual TLS");
        }
        if (LogFormat is not ("simple" or "json")) throw new ConfigException($"logFormat '{LogFormat}' must be 'simple' or 'json'");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var channel in Channels)
        {
            channel.Validate();
            if (channel.Observe && Peers.Count == 0) throw new ConfigException($"channel '{channel.Name}' is observed, so the node needs 'peers' to pull its blocks from");
            if (!names.Add(channel.Name)) throw new ConfigException($"channel '{channel.Name}' is configured twice");
        }
    }
}

public sealed class TelemetryConfig
{
    /// <summary>The OTLP collector, e.g. http://127.0.0.1:4317 (grpc) or http://127.0.0.1:4318 (http/protobuf; /v1/traces is appended).</summary>
    public string OtlpEndpoint { get; set; } = "";
    /// <summary>"grpc" or "http/protobuf".</summary>
    public string Protocol { get; set; } = "grpc";
}

public sealed class PeerConfig
{
    /// <summary>https://host:port of the other node's peer endpoint.</summary>
    public string Endpoint { get; set; } = "";
    /// <summary>CA certificate (PEM) of the organisation that issued the other node's certificate.</summary>
    public string CaCertificate { get; set; } = "";
}

public sealed class TlsConfig
{
    public string Certificate { get; set; } = "";
    public string PrivateKey { get; set; } = "";
    /// <summary>Serve the client endpoint over TLS too (server authentication). Off: plaintext, allowed on loopback only.</summary>
    public bool ClientEndpoint { get; set; } = true;
}

public sealed class ChannelSettings
{
    public string Name { get; set; } = "";
    public List<string> Contracts { get; set; } = ["kv"];
    /// <summary>
    /// Genesis block file written by `chain channel create` (relative to the config file); it carries the
    /// channel configuration. Without it the channel starts from an empty genesis block at
    /// <see cref="GenesisTimestampMs"/> and has no configuration.
    /// </summary>
    public string? GenesisFile { get; set; }
    /// <summary>Timestamp of the empty genesis block; the same on every node of a channel.</summary>
    public long GenesisTimestampMs { get; set; }
    public BatchConfig Batch { get; set; } = new();
    public int MaxTxBytes { get; set; } = 1024 * 1024;
    /// <summary>A transaction's timestamp may differ from the block's (or, at admission, the node's) time by at most this much.</summary>
    public long TimestampWindowMs { get; set; } = 5 * 60 * 1000;
    /// <summary>Transactions admitted but not yet in a block; beyond this, Submit answers UNAVAILABLE (back-pressure).</summary>
    public int MaxPendingTxs { get; set; } = 100_000;
    /// <summary>The most state entries one query may read; a query that needs more stops with RESOURCE_EXHAUSTED instead of occupying the node.</summary>
    public int QueryReadBudget { get; set; } = DefaultQueryReadBudget;
    public const int DefaultQueryReadBudget = 1_000_000;
    /// <summary>State proofs can be asked at any of this many latest blocks (each keeps an undo record of its tree changes); 0: at the latest only.</summary>
    public int ProofHistoryBlocks { get; set; } = DefaultProofHistoryBlocks;
    public const int DefaultProofHistoryBlocks = 256;
    /// <summary>
    /// Follow the channel read-only: pull its blocks from the configured <c>peers</c>, verify and re-execute
    /// them, and serve queries; the node neither orders nor accepts transactions for it.
    /// </summary>
    public bool Observe { get; set; }
    /// <summary>Raft timing and log compaction, used when the channel configuration says "raft".</summary>
    public RaftSettings Raft { get; set; } = new();

    public void Validate()
    {
        if (!System.Text.RegularExpressions.Regex.IsMatch(Name, "^[a-z][a-z0-9-]{0,62}$"))
            throw new ConfigException($"channel name '{Name}' must be 1-63 lowercase letters, digits or '-', starting with a letter");
        if (Contracts.Count == 0) throw new ConfigException($"channel '{Name}' has no contracts");
        if ((LimitRules.TxBytes(MaxTxBytes) ?? LimitRules.TimestampWindow(TimestampWindowMs)) is { } problem) throw new ConfigException($"channel '{Name}': {problem}");
        if (MaxPendingTxs < 1) throw new ConfigException($"channel '{Name}': maxPendingTxs must be positive");
        if (QueryReadBudget < 1) throw new ConfigException($"channel '{Name}': queryReadBudget must be positive");
        if (ProofHistoryBlocks is < 0 or > 1_000_000) throw new ConfigException($"channel '{Name}': proofHistoryBlocks is {ProofHistoryBlocks}, allowed range is 0..1000000");
        Batch.Validate(Name);
        Raft.Validate(Name);
    }
}

/// <summary>
/// Raft timing for one channel. Requests must time out before an election starts, and with mutual TLS a fresh
/// connection's handshake has to fit into the request timeout, so elections are slower than the textbook 150-300 ms.
/// </summary>
public sealed class RaftSettings
{
    public int LowerElectionTimeoutMs { get; set; } = 1000;
    public int UpperElectionTimeoutMs { get; set; } = 2000;
    public int RequestTimeoutMs { get; set; } = 900;
    public int ConnectTimeoutMs { get; set; } = 500;
    /// <summary>The Raft log keeps the entries since the last snapshot; a snapshot is taken every this many entries.</summary>
    public int SnapshotInterval { get; set; } = 200;

    public void Validate(string channel)
    {
        if (LowerElectionTimeoutMs < 50 || UpperElectionTimeoutMs <= LowerElectionTimeoutMs)
            throw new ConfigException($"channel '{channel}': raft.lowerElectionTimeoutMs must be at least 50 and below raft.upperElectionTimeoutMs");
        if (RequestTimeoutMs <= 0 || RequestTimeoutMs >= LowerElectionTimeoutMs)
            throw new ConfigException($"channel '{channel}': raft.requestTimeoutMs {RequestTimeoutMs} must be positive and below raft.lowerElectionTimeoutMs {LowerElectionTimeoutMs}");
        if (ConnectTimeoutMs <= 0 || ConnectTimeoutMs > RequestTimeoutMs)
            throw new ConfigException($"channel '{channel}': raft.connectTimeoutMs {ConnectTimeoutMs} must be positive and at most raft.requestTimeoutMs");
        if (SnapshotInterval < 2) throw new ConfigException($"channel '{channel}': raft.snapshotInterval must be at least 2");
    }
}

/// <summary>When the orderer cuts a block: whichever of the three limits is reached first.</summary>
public sealed class BatchConfig
{
    public int MaxTxCount { get; set; } = 2000;
    public int MaxBytes { get; set; } = 8 * 1024 * 1024;
    public int TimeoutMs { get; set; } = 50;

    public void Validate(string channel)
    {
        if (LimitRules.Batch(MaxTxCount, MaxBytes, TimeoutMs) is { } problem) throw new ConfigException($"channel '{channel}': {problem}");
    }
}

public sealed class ConfigException(string message) : Exception(message);
