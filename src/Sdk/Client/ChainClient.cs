using Chain.Protocol;
using Grpc.Net.Client;

namespace Chain.Sdk.Client;

/// <summary>Typed access to one node's public gRPC services over a single HTTP/2 connection.</summary>
public sealed class ChainClient : IDisposable
{
    public const int MaxMessageBytes = 64 * 1024 * 1024;
    private readonly GrpcChannel _channel;

    /// <param name="reader">The account that signs this client's reads (<see cref="ReadSigning"/>); without one, only the public reads answer.</param>
    public ChainClient(string endpoint, TlsOptions? tls = null, Crypto.AccountKey? reader = null)
    {
        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            throw new ArgumentException($"endpoint '{endpoint}' is not an http:// or https:// URL", nameof(endpoint));
        _channel = GrpcChannel.ForAddress(uri, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = MaxMessageBytes,
            MaxSendMessageSize = MaxMessageBytes,
            HttpHandler = tls?.CreateHandler(),
        });
        var invoker = reader is null ? _channel.CreateCallInvoker() : Grpc.Core.Interceptors.CallInvokerExtensions.Intercept(_channel.CreateCallInvoker(), new ReadSigningInterceptor(reader));
        Reader = reader;
        Gateway = new Gateway.GatewayClient(invoker);
        Peer = new Peer.PeerClient(_channel);
        Ledger = new Ledger.LedgerClient(invoker);
        Events = new Events.EventsClient(invoker);
    }

    /// <summary>The account that signs this client's reads, if any.</summary>
    public Crypto.AccountKey? Reader { get; }

    public Gateway.GatewayClient Gateway { get; }
    public Ledger.LedgerClient Ledger { get; }
    public Events.EventsClient Events { get; }
    /// <summary>Node-to-node services; only answer on a peer endpoint, over mutual TLS.</summary>
    public Peer.PeerClient Peer { get; }

    public void Dispose() => _channel.Dispose();
}
