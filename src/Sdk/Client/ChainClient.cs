using Chain.Protocol;
using Grpc.Net.Client;

namespace Chain.Sdk.Client;

/// <summary>
/// Typed access to a node's public gRPC services, one HTTP/2 connection per endpoint. With several endpoints (a list,
/// or "a,b,c"), calls go to the current one; <see cref="FailOver"/> moves to the next, which the retry policy does when
/// a node is gone, stopping or halted (<see cref="RetryPolicy"/>).
/// </summary>
public sealed class ChainClient : IDisposable
{
    public const int MaxMessageBytes = 64 * 1024 * 1024;

    private sealed record Connection(string Endpoint, GrpcChannel Channel, Gateway.GatewayClient Gateway, Ledger.LedgerClient Ledger, Events.EventsClient Events, Peer.PeerClient Peer);

    private readonly Connection[] _connections;
    private int _current;

    /// <param name="endpoint">One endpoint URL, or several separated by commas (tried in that order).</param>
    /// <param name="reader">The account that signs this client's reads (<see cref="ReadSigning"/>); without one, only the public reads answer.</param>
    public ChainClient(string endpoint, TlsOptions? tls = null, Crypto.AccountKey? reader = null)
        : this(endpoint.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), tls, reader) { }

    public ChainClient(IReadOnlyList<string> endpoints, TlsOptions? tls = null, Crypto.AccountKey? reader = null)
    {
        if (endpoints.Count == 0) throw new ArgumentException("no endpoint given", nameof(endpoints));
        Reader = reader;
        _connections = endpoints.Select(e => Connect(e, tls, reader)).ToArray();
    }

    private static Connection Connect(string endpoint, TlsOptions? tls, Crypto.AccountKey? reader)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"endpoint '{endpoint}' is not an http:// or https:// URL", nameof(endpoint));
        var channel = GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
            HttpHandler = tls?.CreateHandler(),
        });
        var invoker = reader is null ? channel.CreateCallInvoker() : Grpc.Core.Interceptors.CallInvokerExtensions.Intercept(channel.CreateCallInvoker(), new ReadSigningInterceptor(reader));
        return new Connection(endpoint, channel, new Gateway.GatewayClient(invoker), new Ledger.LedgerClient(invoker), new Events.EventsClient(invoker), new Peer.PeerClient(channel));
    }

    private Connection Current => _connections[Volatile.Read(ref _current)];

    /// <summary>The account that signs this client's reads, if any.</summary>
    public Crypto.AccountKey? Reader { get; }

    /// <summary>Every endpoint of this client, in the order they are tried.</summary>
    public IReadOnlyList<string> Endpoints => _connections.Select(c => c.Endpoint).ToList();

    /// <summary>The endpoint calls go to now.</summary>
    public string Endpoint => Current.Endpoint;

    /// <summary>Moves to the next endpoint (round the list); false when there is only one.</summary>
    public bool FailOver()
    {
        if (_connections.Length == 1) return false;
        int now = Volatile.Read(ref _current);
        Interlocked.CompareExchange(ref _current, (now + 1) % _connections.Length, now);
        return true;
    }

    public Gateway.GatewayClient Gateway => Current.Gateway;
    public Ledger.LedgerClient Ledger => Current.Ledger;
    public Events.EventsClient Events => Current.Events;
    /// <summary>Node-to-node services; only answer on a peer endpoint, over mutual TLS.</summary>
    public Peer.PeerClient Peer => Current.Peer;

    public void Dispose()
    {
        foreach (var connection in _connections) connection.Channel.Dispose();
    }
}
