using System.Security.Cryptography.X509Certificates;
using Chain.Node.Channels;
using Chain.Node.Errors;
using Chain.Node.Hosting;
using Chain.Node.Membership;
using Chain.Node.Network;
using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;

namespace Chain.Node.Rpc;

/// <summary>Node-to-node services on the mutual-TLS peer endpoint. The TLS handshake already refused untrusted peers.</summary>
internal sealed class PeerService(ChannelDirectory channels, NodeIdentity identity, PeerTrust trust, Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    TxRouter router, Microsoft.Extensions.Logging.ILogger<PeerService> logger) : Peer.PeerBase
{
    private (X509Certificate2 Certificate, string Organization) Caller(ServerCallContext context)
    {
        var certificate = context.GetHttpContext().Connection.ClientCertificate
            ?? throw new RequestException(ErrorCodes.NoCertificate, "peer calls need a client certificate");
        var organization = trust.OrganizationOf(certificate, out var reason)
            ?? throw new RequestException(ErrorCodes.UntrustedPeer, reason!);
        return (certificate, organization);
    }

    /// <summary>Streams committed blocks to a node of one of the channel's organisations, stored ones first, then live.</summary>
    public override async Task PullBlocks(PullBlocksRequest request, IServerStreamWriter<Block> responseStream, ServerCallContext context)
    {
        var (certificate, organization) = Caller(context);
        var channel = channels.Get(request.Channel);
        if (!channel.Views.Current.Admits(organization))
            throw new RequestException(ErrorCodes.NotAMember, $"{organization} is not an organisation of channel '{channel.Name}'");
        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "peer {Subject} of {Organization} pulls channel {Channel} from block {Start}",
            certificate.Subject, organization, channel.Name, request.StartBlock);
        // Headers go out at once, with this node's height: the puller knows it reached a peer, and how far behind it is.
        await context.WriteResponseHeadersAsync(new Metadata { { Network.BlockPuller.HeightHeader, channel.Ledger.Height.ToString(System.Globalization.CultureInfo.InvariantCulture) } });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        using var open = Observability.NodeMetrics.PeerStream("in");
        var cancel = linked.Token;
        var next = request.StartBlock;
        while (!cancel.IsCancellationRequested)
        {
            var signal = channel.Notifier.NextBlock; // taken before reading the height, so no commit is missed
            // A certificate revoked, or an organisation removed, by a configuration update ends the stream at its next blocks.
            if (next < channel.Ledger.Height)
            {
                if (trust.OrganizationOf(certificate, out var reason) is null) throw new RequestException(ErrorCodes.UntrustedPeer, reason!);
                if (!channel.Views.Current.Admits(organization))
                    throw new RequestException(ErrorCodes.NotAMember, $"{organization} is no longer an organisation of channel '{channel.Name}'");
            }
            while (next < channel.Ledger.Height)
            {
                try { await responseStream.WriteAsync(channel.Ledger.GetBlock(next)!, cancel); }
                catch (OperationCanceledException) { return; }
                next++;
            }
            try { await signal.WaitAsync(cancel); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>
    /// Admits transactions another node relays; each must belong to a channel the relaying node's organisation is part
    /// of. If this node does not lead a channel but knows its leader, the router passes those transactions on once more
    /// (the relaying node may not know the leader, e.g. a node not or no longer a consenter, or a consenter added later).
    /// </summary>
    public override async Task<SubmitBatchResponse> Forward(SubmitBatchRequest request, ServerCallContext context)
    {
        var (_, organization) = Caller(context);
        foreach (var transaction in request.Transactions)
        {
            string channelName;
            try { channelName = ChannelDirectory.ChannelNameOf(transaction); }
            catch (Execution.TxRejectedException) { continue; } // admission reports the bad payload
            if (channels.Find(channelName) is { } channel && !channel.Views.Current.Admits(organization))
                throw new RequestException(ErrorCodes.NotAMember, $"{organization} is not an organisation of channel '{channel.Name}' and cannot relay its transactions");
        }
        int hops = int.TryParse(context.RequestHeaders.GetValue(TxRouter.HopHeader), out var h) ? h : TxRouter.MaxHops;
        var response = new SubmitBatchResponse();
        response.Statuses.AddRange(await router.RouteAsync(request.Transactions, RouteOptions.Relayed(hops), context.CancellationToken));
        return response;
    }

    public override Task<HelloResponse> Hello(HelloRequest request, ServerCallContext context)
    {
        var (certificate, organization) = Caller(context);
        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "peer {NodeId} of {Organization} ({Subject}) said hello",
            string.IsNullOrEmpty(request.NodeId) ? "(unnamed)" : request.NodeId, organization, certificate.Subject);
        var response = new HelloResponse { NodeId = identity.NodeId, CallerOrganization = organization, CallerSubject = certificate.Subject };
        // Only the channels the caller's organisation belongs to.
        response.Channels.AddRange(channels.All
            .Where(c => c.Views.Current.Config?.HasOrganization(organization) == true)
            .Select(c => c.Name));
        return Task.FromResult(response);
    }
}
