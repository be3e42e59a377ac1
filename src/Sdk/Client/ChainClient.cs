using Chain.Protocol;
using Grpc.Net.Client;

namespace Chain.Sdk.Client;

/// <summary>Typed access to one node's public gRPC services over a single HTTP/2 connection.</summary>
public sealed class ChainClient : IDisposable
{
    public const int MaxMessageBytes = 64 * 1024 * 1024;
    private readonly GrpcChannel _channel;

    public ChainClient(string endpoint, TlsOptions? tls = null)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"endpoint '{endpoint}' is not an http:// or https:// URL", nameof(endpoint));
        _channel = GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
            HttpHandler = tls?.CreateHandler(),
        });
        Gateway = new Gateway.GatewayClient(_channel);
        Peer = new Peer.PeerClient(_channel);
        Ledger = new Ledger.LedgerClient(_channel);
        Events = new Events.EventsClient(_channel);
    }

    public Gateway.GatewayClient Gateway { get; }
    public Ledger.LedgerClient Ledger { get; }
    public Events.EventsClient Events { get; }
    /// <summary>Node-to-node services; only answer on a peer endpoint, over mutual TLS.</summary>
    public Peer.PeerClient Peer { get; }

    public void Dispose() => _channel.Dispose();
}
