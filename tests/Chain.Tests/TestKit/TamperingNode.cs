using System.Net;
using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Chain.Tests.TestKit;

/// <summary>
/// A lying node at the gRPC boundary: a real gRPC server on 127.0.0.1 whose Ledger service passes each proof read on
/// to a real node (with the caller's own signed-read headers) and changes one field of the answer before returning it.
/// </summary>
public sealed class TamperingNode : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TamperingNode(WebApplication app, string endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public string Endpoint { get; }

    public static async Task<TamperingNode> StartAsync(string realEndpoint, Action<StateProof>? stateProof = null, Action<Receipt>? receipt = null, Action<EvaluateResponse>? answer = null,
        Action<AccountActivityResponse>? activity = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(new Forwarder(new ChainClient(realEndpoint), stateProof ?? (_ => { }), receipt ?? (_ => { }), answer ?? (_ => { }), activity ?? (_ => { })));
        var app = builder.Build();
        app.MapGrpcService<TamperingLedger>();
        app.MapGrpcService<TamperingGateway>();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new TamperingNode(app, address.Replace("[::1]", "127.0.0.1"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    internal sealed record Forwarder(ChainClient Real, Action<StateProof> StateProof, Action<Receipt> Receipt, Action<EvaluateResponse> Answer, Action<AccountActivityResponse> Activity);

    private static Metadata ReadHeaders(ServerCallContext context)
    {
        var headers = new Metadata();
        foreach (var header in context.RequestHeaders.Where(h => h.Key.StartsWith("chain-read", StringComparison.Ordinal))) headers.Add(header.Key, header.Value);
        return headers;
    }

    internal sealed class TamperingGateway(Forwarder forwarder) : Chain.Protocol.Gateway.GatewayBase
    {
        public override async Task<EvaluateResponse> Evaluate(EvaluateRequest request, ServerCallContext context)
        {
            var response = await forwarder.Real.Gateway.EvaluateAsync(request, ReadHeaders(context));
            forwarder.Answer(response);
            return response;
        }
    }

    internal sealed class TamperingLedger(Forwarder forwarder) : Chain.Protocol.Ledger.LedgerBase
    {
        public override async Task<StateProof> GetStateProof(StateProofRequest request, ServerCallContext context)
        {
            var proof = await forwarder.Real.Ledger.GetStateProofAsync(request, ReadHeaders(context));
            forwarder.StateProof(proof);
            return proof;
        }

        public override async Task<AccountActivityResponse> GetAccountActivity(AccountActivityRequest request, ServerCallContext context)
        {
            var page = await forwarder.Real.Ledger.GetAccountActivityAsync(request, ReadHeaders(context));
            forwarder.Activity(page);
            return page;
        }

        public override async Task<Receipt> GetReceipt(ReceiptRequest request, ServerCallContext context)
        {
            var receipt = await forwarder.Real.Ledger.GetReceiptAsync(request, ReadHeaders(context));
            forwarder.Receipt(receipt);
            return receipt;
        }
    }
}
