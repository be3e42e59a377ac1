using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chain.Tests.TestKit;

/// <summary>
/// A stand-in for another node's peer endpoint: a real gRPC server on 127.0.0.1 over mutual TLS, showing
/// <c>certificate</c> and taking any client certificate, serving <typeparamref name="TService"/> (which gets
/// <c>state</c> injected).
/// </summary>
public sealed class PeerServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PeerServer(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    public static async Task<PeerServer> StartAsync<TService, TState>(X509Certificate2 certificate, TState state) where TService : class where TState : class
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o =>
        {
            o.Protocols = HttpProtocols.Http2;
            o.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = certificate,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (_, _, _) => true,
            });
        }));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(state);
        var app = builder.Build();
        app.MapGrpcService<TService>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new PeerServer(app, address.Replace("[::1]", "127.0.0.1"));
    }

    /// <summary>A certificate with its key, from the PEM files a node config names, usable by the TLS stack.</summary>
    public static X509Certificate2 Certificate(string certificateFile, string keyFile) =>
        Chain.Sdk.Client.TlsOptions.FromPemFiles(null, certificateFile, keyFile).ClientCertificate!;

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
