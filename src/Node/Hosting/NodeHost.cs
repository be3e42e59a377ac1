using System.Net;
using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Node.Consensus;
using Chain.Node.Consensus.Following;
using Chain.Node.Consensus.Raft;
using Chain.Node.Consensus.Solo;
using Chain.Node.Ledger;
using Chain.Node.Network;
using Chain.Node.Observability;
using Chain.Node.Rpc;
using Chain.Node.Rpc.Interceptors;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Hosting;

/// <summary>
/// Composition root of a node: opens every channel's ledger (refusing to start on a broken chain),
/// starts one orderer per channel and serves the gRPC API on Kestrel (HTTP/2).
/// </summary>
public static class NodeHost
{
    public const string PasswordEnvironmentVariable = "CHAIN_NODE_PASSWORD";

    /// <summary>
    /// The largest request message a node reads: twice the largest transaction a channel may allow, so a batch of the
    /// largest transactions or a relayed batch fits; larger requests are refused with RESOURCE_EXHAUSTED, unread.
    /// </summary>
    public const int MaxRequestBytes = 2 * Configuration.LimitRules.MaxTxBytes;

    public static async Task RunAsync(NodeConfig config, CancellationToken cancellationToken = default)
    {
        var key = LoadNodeKey(config);
        // No file-watching configuration reload: the node is configured by its own file, and a watcher on the
        // working directory would wake up for every RocksDB file change (and use inotify instances).
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = config.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        if (config.LogFormat == "json") builder.Logging.AddJsonConsole(o => o.TimestampFormat = "O");
        else builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Grpc", LogLevel.Warning);
        // The Raft engine logs every state transition and retry; the node logs leader changes itself.
        builder.Logging.AddFilter("DotNext", LogLevel.Error);

        var endpoint = IPEndPoint.Parse(config.Listen);
        var peerEndpoint = config.PeerListen is { } peer ? IPEndPoint.Parse(peer) : null;
        var httpEndpoint = config.HttpListen is { } http ? IPEndPoint.Parse(http) : null;
        var operationsEndpoint = config.OperationsListen is { } operations ? IPEndPoint.Parse(operations) : null;
        // Read again from its files when they change: a renewed certificate is used from the next handshake on, without a restart.
        var tlsFiles = config.Tls is { } tls ? LoadCertificate(config, tls) : null;
        var certificate = tlsFiles?.Current;
        var liveCertificate = new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions { ServerCertificateSelector = (_, _) => tlsFiles!.Current };
        var adminSocket = AdminSocket.PathFor(config);
        bool serveAdmin = System.Text.Encoding.UTF8.GetByteCount(adminSocket) <= AdminSocket.MaxPathBytes;
        PeerTrust? peerTrust = null; // filled once the channels are open; the handshake callback reads it
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(endpoint, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (certificate is not null && config.Tls!.ClientEndpoint) listen.UseHttps(liveCertificate);
            });
            if (peerEndpoint is not null)
                kestrel.Listen(peerEndpoint, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    listen.UseHttps(new Microsoft.AspNetCore.Server.Kestrel.Https.HttpsConnectionAdapterOptions
                    {
                        ServerCertificateSelector = (_, _) => tlsFiles!.Current,
                        ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate,
                        // Only certificates from the CAs of this node's channel organisations pass the handshake.
                        ClientCertificateValidation = (clientCertificate, _, _) => peerTrust?.OrganizationOf(clientCertificate, out _) is not null,
                    });
                });
            if (httpEndpoint is not null)
                kestrel.Listen(httpEndpoint, listen =>
                {
                    // HTTP/2 next to HTTP/1.1 needs TLS (ALPN); in plaintext the JSON API speaks HTTP/1.1.
                    bool https = certificate is not null && config.Tls!.ClientEndpoint;
                    listen.Protocols = https ? HttpProtocols.Http1AndHttp2 : HttpProtocols.Http1;
                    if (https) listen.UseHttps(liveCertificate);
                });
            if (operationsEndpoint is not null) kestrel.Listen(operationsEndpoint, listen => listen.Protocols = HttpProtocols.Http1);
            if (serveAdmin) kestrel.ListenUnixSocket(adminSocket, listen => listen.Protocols = HttpProtocols.Http2);
            kestrel.Limits.Http2.MaxStreamsPerConnection = 1000;
            // Above the gRPC limit, so an oversized request is answered by gRPC (RESOURCE_EXHAUSTED) before the web server cuts it off.
            kestrel.Limits.MaxRequestBodySize = MaxRequestBytes + 1024 * 1024;
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        builder.Services.AddGrpc(o =>
        {
            o.Interceptors.Add<ErrorMappingInterceptor>();
            o.Interceptors.Add<ReadAccessInterceptor>();
            o.MaxReceiveMessageSize = MaxRequestBytes;
            o.MaxSendMessageSize = ChainClient.MaxMessageBytes;
        }).AddJsonTranscoding(HttpApi.Configure);
        HttpApi.AddOpenApi(builder.Services);
        NodeTelemetry.AddTracing(builder.Services, config);
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<NodeHealth>();
        builder.Services.AddGrpcHealthChecks().AddCheck<NodeHealth>("node");
        builder.Services.AddSingleton(new NodeIdentity(config.NodeId, key, certificate) { LiveTls = tlsFiles is null ? null : () => tlsFiles.Current });
        builder.Services.AddSingleton(services =>
        {
            var channels = services.GetRequiredService<ChannelDirectory>();
            return new PeerTrust(() => channels.All.Select(c => c.Views.Current.Config).OfType<Protocol.ChannelConfig>());
        });
        builder.Services.AddSingleton(TimeProvider.System);
        Exception? fatal = null;
        builder.Services.AddSingleton(services => OpenChannels(config, key, tlsFiles, services, e => Interlocked.CompareExchange(ref fatal, e, null)));
        builder.Services.AddHostedService<OrdererService>();
        builder.Services.AddSingleton(config);
        builder.Services.AddHostedService<PeerGreeter>();
        builder.Services.AddSingleton<TxForwarder>();
        builder.Services.AddSingleton<ITxTransport>(services => services.GetRequiredService<TxForwarder>());
        builder.Services.AddSingleton<TxRouter>();
        builder.Services.AddHostedService<CustodyResender>();

        await using var app = builder.Build();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Chain.Node");
        if (certificate is null || !config.Tls!.ClientEndpoint)
            logger.LogWarning("client endpoint {Endpoint} is plaintext gRPC, allowed on loopback only (development setting)", endpoint);
        else
            logger.LogInformation("client endpoint {Endpoint} uses TLS with certificate {Subject}", endpoint, certificate.Subject);

        // Open ledgers before accepting calls, so a broken chain stops the node at once.
        var channels = app.Services.GetRequiredService<ChannelDirectory>();
        var dataDir = config.Resolve(config.DataDir);
        NodePidFile.Write(dataDir); // the ledgers are open, so this node owns the folder
        if (serveAdmin)
        {
            File.Delete(adminSocket); // left by a node that was killed; this node owns the folder now
            app.Lifetime.ApplicationStarted.Register(() => { if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(adminSocket, UnixFileMode.UserRead | UnixFileMode.UserWrite); });
        }
        else logger.LogWarning("no admin socket: {Path} is longer than a Unix socket path may be; 'chain node backup' needs the node stopped", adminSocket);
        // Client services answer only on the client endpoint, peer services only on the mutual-TLS peer endpoint.
        // Decided by the port the connection arrived on, never by a header the caller chooses.
        app.Use(async (context, next) =>
        {
            int port = context.Connection.LocalPort;
            // The admin socket (no IP address) serves the Admin service and nothing else, and the Admin service is served nowhere else.
            bool onAdminSocket = context.Connection.LocalIpAddress is null;
            bool adminService = context.Request.Path.StartsWithSegments("/" + Protocol.Admin.Descriptor.FullName);
            if (onAdminSocket != adminService)
            {
                NotServedHere(context, onAdminSocket ? "only admin services are served on the admin socket" : "admin services are served only on the admin socket");
                return;
            }
            if (onAdminSocket)
            {
                await next(context);
                return;
            }
            if (operationsEndpoint is not null && port == operationsEndpoint.Port)
            {
                if (context.Request.Path.StartsWithSegments(NodeMetrics.Path) || context.Request.Path.StartsWithSegments(NodeMetrics.HealthPath)) await next(context);
                else context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }
            if (context.Request.Path.StartsWithSegments(NodeMetrics.Path) || context.Request.Path.StartsWithSegments(NodeMetrics.HealthPath))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound; // served on the operations endpoint only
                return;
            }
            bool onPeerEndpoint = peerEndpoint is not null && port == peerEndpoint.Port;
            bool peerService = context.Request.Path.StartsWithSegments("/" + Protocol.Peer.Descriptor.FullName);
            if (onPeerEndpoint != peerService)
            {
                NotServedHere(context, onPeerEndpoint ? "only peer services are served on the peer endpoint" : "peer services are served only on the peer endpoint");
                return;
            }
            await next(context);
        });
        HttpApi.MapOpenApi(app);
        if (operationsEndpoint is not null) NodeMetrics.Map(app, channels);
        app.MapGrpcService<GatewayService>();
        app.MapGrpcService<LedgerService>();
        app.MapGrpcService<EventsService>();
        app.MapGrpcService<AdminService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        if (peerEndpoint is not null)
        {
            peerTrust = app.Services.GetRequiredService<PeerTrust>();
            app.MapGrpcService<PeerService>();
            logger.LogInformation("peer endpoint {Endpoint} requires mutual TLS; trusted organisations: {Organizations}", peerEndpoint, string.Join(", ", peerTrust.Organizations));
        }

        foreach (var channel in channels.All)
            logger.LogInformation("channel {Channel}: height {Height}, contracts {Contracts}", channel.Name, channel.Ledger.Height, string.Join(",", channel.Contracts.Names));
        string scheme = certificate is not null && config.Tls!.ClientEndpoint ? "https" : "http";
        logger.LogInformation("node {NodeId} ({Address}) serving on {Scheme}://{Endpoint}", config.NodeId, key.AddressText, scheme, endpoint);
        if (httpEndpoint is not null) logger.LogInformation("HTTP/JSON API on {Scheme}://{Endpoint} (OpenAPI at {OpenApi})", scheme, httpEndpoint, HttpApi.OpenApiPath);
        if (operationsEndpoint is not null) logger.LogInformation("operations endpoint on http://{Endpoint} ({Metrics}, {Health})", operationsEndpoint, NodeMetrics.Path, NodeMetrics.HealthPath);
        try { await app.RunAsync(cancellationToken); }
        finally
        {
            foreach (var channel in channels.All) await channel.DisposeAsync();
            if (serveAdmin) File.Delete(adminSocket);
            NodePidFile.Remove(dataDir);
        }
        if (fatal is not null) throw new NodeHaltedException($"node {config.NodeId} stopped after a fatal error: {fatal.Message}", fatal);
        logger.LogInformation("node {NodeId} stopped cleanly", config.NodeId);
    }

    /// <summary>A gRPC "trailers-only" answer: no such method on the endpoint the call arrived on.</summary>
    private static void NotServedHere(HttpContext context, string message)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)Grpc.Core.StatusCode.Unimplemented).ToString();
        context.Response.Headers["grpc-message"] = message;
    }

    private static Sdk.Client.PemCertificateFile LoadCertificate(NodeConfig config, TlsConfig tls)
    {
        var certificatePath = config.Resolve(tls.Certificate);
        var keyPath = config.Resolve(tls.PrivateKey);
        if (!File.Exists(certificatePath)) throw new ConfigException($"tls.certificate '{certificatePath}' does not exist");
        if (!File.Exists(keyPath)) throw new ConfigException($"tls.privateKey '{keyPath}' does not exist");
        try
        {
            var files = new Sdk.Client.PemCertificateFile(certificatePath, keyPath);
            _ = files.Current; // a missing or broken pair stops the node here
            return files;
        }
        catch (System.Security.Cryptography.CryptographicException e) { throw new ConfigException($"cannot load the TLS certificate '{certificatePath}' with key '{keyPath}': {e.Message}"); }
    }

    public static AccountKey LoadNodeKey(NodeConfig config)
    {
        string? password = config.PasswordFile is { } file
            ? File.Exists(config.Resolve(file)) ? File.ReadAllText(config.Resolve(file)).TrimEnd('\r', '\n') : throw new ConfigException($"password file '{config.Resolve(file)}' does not exist")
            : Environment.GetEnvironmentVariable(PasswordEnvironmentVariable);
        if (password is null) throw new ConfigException($"no password for the node key: set passwordFile in the config or {PasswordEnvironmentVariable}");
        try { return Keystore.Read(config.Resolve(config.KeyFile), password); }
        catch (KeystoreException e) { throw new ConfigException($"cannot load node key '{config.Resolve(config.KeyFile)}': {e.Message}"); }
    }

    private static ChannelDirectory OpenChannels(NodeConfig config, AccountKey key, Sdk.Client.PemCertificateFile? certificate,
        IServiceProvider services, Action<Exception> onFatal)
    {
        var loggers = services.GetRequiredService<ILoggerFactory>();
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        var clock = services.GetRequiredService<TimeProvider>();
        var puller = new BlockPuller(config, config.NodeId, loggers.CreateLogger("Chain.Follow"), clock);
        var directory = new ChannelDirectory();

        // Which orderer a channel gets: it follows an observed channel, else its configuration's consensus decides.
        // The router and the peer trust are resolved when first used, after every channel is open.
        IOrderer OrdererFor(ChannelSettings settings, IConsenterSupport support)
        {
            if (settings.Observe) return new FollowingOrderer(support, puller);
            if (support.View.Consensus != "raft") return new SoloOrderer(support, settings.MaxPendingTxs, clock);
            RaftOrderer.CheckCanRun(support, config, key.Address, certificate is not null);
            var logger = loggers.CreateLogger("Chain.Raft." + settings.Name);
            return new RaftOrderer(support, settings, key.Address,
                DotNextRaftGroup.Factory(support, settings, config, certificate!, () => services.GetRequiredService<PeerTrust>(), loggers),
                (transactions, stop) => services.GetRequiredService<TxRouter>().RouteAsync(transactions.ToList(), RouteOptions.HandOver, stop),
                new BlockPuller(config, config.NodeId, logger, clock), logger, clock);
        }

        try
        {
            foreach (var settings in config.Channels)
            {
                var ledger = ChannelLedger.Open(Path.Combine(config.Resolve(config.DataDir), settings.Name), settings.Name);
                try
                {
                    var genesisFile = settings.GenesisFile is { } file ? config.Resolve(file) : null;
                    directory.Add(ChannelBootstrap.Open(settings, genesisFile, ledger, key, clock, loggers.CreateLogger("Chain.Channel." + settings.Name),
                        e => { onFatal(e); lifetime.StopApplication(); }, support => OrdererFor(settings, support)));
                }
                catch
                {
                    ledger.Dispose();
                    throw;
                }
            }
        }
        catch
        {
            foreach (var channel in directory.All) channel.DisposeAsync().AsTask().GetAwaiter().GetResult();
            throw;
        }
        return directory;
    }
}

/// <summary>The node stopped because a channel could not commit; the restart's recovery check decides what happens next.</summary>
public sealed class NodeHaltedException(string message, Exception inner) : Exception(message, inner);

/// <summary>Runs every channel's orderer; on shutdown lets each finish the block it is writing and drain its queue.</summary>
internal sealed class OrdererService(ChannelDirectory channels) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(channels.All.Select(c => Task.Run(() => c.Orderer.RunAsync(stoppingToken), CancellationToken.None)));
}
