using System.Security.Cryptography.X509Certificates;
using Chain.Node.Channels;
using Chain.Node.Hosting;
using Chain.Node.Network;
using Chain.Protocol;
using Grpc.Core;

namespace Chain.Node.Rpc;

/// <summary>Node-to-node services on the mutual-TLS peer endpoint. The TLS handshake already refused untrusted peers.</summary>
public sealed class PeerService(ChannelDirectory channels, NodeIdentity identity, PeerTrust trust, Microsoft.Extensions.Hosting.IHostApplicationLifetime lifetime,
    TxForwarder forwarder, Microsoft.Extensions.Logging.ILogger<PeerService> logger) : Peer.PeerBase
{
    private (X509Certificate2 Certificate, string Organization) Caller(ServerCallContext context)
    {
        var certificate = context.GetHttpContext().Connection.ClientCertificate
            ?? throw new Interceptors.RequestException(StatusCode.Unauthenticated, "NO_CERTIFICATE: peer calls need a client certificate");
        var organization = trust.OrganizationOf(certificate, out var reason)
            ?? throw new Interceptors.RequestException(StatusCode.PermissionDenied, $"UNTRUSTED_PEER: {reason}");
        return (certificate, organization);
    }

    /// <summary>Streams committed blocks to a node of one of the channel's organisations, stored ones first, then live.</summary>
    public override async Task PullBlocks(PullBlocksRequest request, IServerStreamWriter<Block> responseStream, ServerCallContext context)
    {
        var (certificate, organization) = Caller(context);
        var channel = channels.Get(request.Channel);
        if (Membership.SystemState.ReadConfig(channel.Ledger) is { } config && config.Organizations.All(o => o.Name != organization))
            throw new Interceptors.RequestException(StatusCode.PermissionDenied, $"NOT_A_MEMBER: {organization} is not an organisation of channel '{channel.Name}'");
        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "peer {Subject} of {Organization} pulls channel {Channel} from block {Start}",
            certificate.Subject, organization, channel.Name, request.StartBlock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var cancel = linked.Token;
        var next = request.StartBlock;
        while (!cancel.IsCancellationRequested)
        {
            var signal = channel.Notifier.NextBlock; // taken before reading the height, so no commit is missed
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
    /// of. If this node does not lead a channel but knows its leader, it passes those transactions on once more (the
    /// relaying node may not know the leader, e.g. a node not or no longer a consenter, or a consenter added later).
    /// </summary>
    public override async Task<SubmitBatchResponse> Forward(SubmitBatchRequest request, ServerCallContext context)
    {
        var (_, organization) = Caller(context);
        foreach (var transaction in request.Transactions)
        {
            string channelName;
            try { channelName = TxPayload.Parser.ParseFrom(transaction.Payload).Channel; }
            catch (Google.Protobuf.InvalidProtocolBufferException) { continue; } // admission reports the bad payload
            if (channels.All.FirstOrDefault(c => c.Name == channelName) is { } channel
                && Membership.SystemState.ReadConfig(channel.Ledger) is { } config && config.Organizations.All(o => o.Name != organization))
                throw new Interceptors.RequestException(StatusCode.PermissionDenied, $"NOT_A_MEMBER: {organization} is not an organisation of channel '{channel.Name}' and cannot relay its transactions");
        }
        var response = GatewayService.Admit(request.Transactions, channels);
        int hop = int.TryParse(context.RequestHeaders.GetValue(TxForwarder.HopHeader), out var h) ? h : TxForwarder.MaxHops;
        if (hop >= TxForwarder.MaxHops) return response;
        var onward = Enumerable.Range(0, response.Statuses.Count)
            .Where(i => Interceptors.ErrorMappingInterceptor.IsNotLeader(response.Statuses[i]))
            .Select(i => (Index: i, Redirect: TryChannel(request.Transactions[i])?.Orderer.Redirect))
            .Where(x => x.Redirect is { NoLeader: false, Target.Length: > 0 })
            .GroupBy(x => x.Redirect!.Target);
        foreach (var group in onward)
        {
            var items = group.ToArray();
            try
            {
                var statuses = await forwarder.ForwardAsync(items.Select(x => request.Transactions[x.Index]).ToList(), context.CancellationToken, group.Key, items[0].Redirect!.TargetCaPem, hop + 1);
                for (int k = 0; k < items.Length; k++) response.Statuses[items[k].Index] = statuses[k];
            }
            catch (Interceptors.RequestException) { } // the leader is unreachable from here too: the caller keeps the NOT_LEADER answers and retries
        }
        return response;
    }

    private ChannelRuntime? TryChannel(Transaction transaction)
    {
        try { return channels.All.FirstOrDefault(c => c.Name == TxPayload.Parser.ParseFrom(transaction.Payload).Channel); }
        catch (Google.Protobuf.InvalidProtocolBufferException) { return null; }
    }

    public override Task<HelloResponse> Hello(HelloRequest request, ServerCallContext context)
    {
        var (certificate, organization) = Caller(context);
        Microsoft.Extensions.Logging.LoggerExtensions.LogInformation(logger, "peer {NodeId} of {Organization} ({Subject}) said hello",
            string.IsNullOrEmpty(request.NodeId) ? "(unnamed)" : request.NodeId, organization, certificate.Subject);
        var response = new HelloResponse { NodeId = identity.NodeId, CallerOrganization = organization, CallerSubject = certificate.Subject };
        // Only the channels the caller's organisation belongs to.
        response.Channels.AddRange(channels.All
            .Where(c => Membership.SystemState.ReadConfig(c.Ledger)?.Organizations.Any(o => o.Name == organization) == true)
            .Select(c => c.Name));
        return Task.FromResult(response);
    }
}
