using System.Security.Cryptography.X509Certificates;
using Chain.Node.Channels;
using Chain.Node.Hosting;
using Chain.Node.Network;
using Chain.Protocol;
using Grpc.Core;

namespace Chain.Node.Rpc;

/// <summary>Node-to-node services on the mutual-TLS peer endpoint. The TLS handshake already refused untrusted peers.</summary>
public sealed class PeerService(ChannelDirectory channels, NodeIdentity identity, PeerTrust trust, Microsoft.Extensions.Logging.ILogger<PeerService> logger) : Peer.PeerBase
{
    public override Task<HelloResponse> Hello(HelloRequest request, ServerCallContext context)
    {
        var certificate = context.GetHttpContext().Connection.ClientCertificate
            ?? throw new Interceptors.RequestException(StatusCode.Unauthenticated, "NO_CERTIFICATE: peer calls need a client certificate");
        var organization = trust.OrganizationOf(certificate, out var reason)
            ?? throw new Interceptors.RequestException(StatusCode.PermissionDenied, $"UNTRUSTED_PEER: {reason}");
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
