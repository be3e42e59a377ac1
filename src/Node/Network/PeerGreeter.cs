using Chain.Node.Configuration;
using Chain.Node.Hosting;
using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Network;

/// <summary>
/// At start, greets every configured peer over mutual TLS with this node's certificate and logs the outcome:
/// which organisation the peer recognised, or that it refused the certificate. An early, loud check that
/// the node-to-node links of a network are set up right.
/// </summary>
internal sealed class PeerGreeter(NodeConfig config, NodeIdentity identity, ILogger<PeerGreeter> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (config.Peers.Count == 0 || config.Tls is null) return;
        foreach (var peer in config.Peers)
        {
            try
            {
                var tls = config.PeerTls(peer);
                using var client = new ChainClient(peer.Endpoint, tls);
                var hello = await client.Peer.HelloAsync(new HelloRequest { NodeId = identity.NodeId }, deadline: DateTime.UtcNow.AddSeconds(15), cancellationToken: stoppingToken);
                logger.LogInformation("peer {Peer} ({Endpoint}) recognised this node as {Organization}", hello.NodeId, peer.Endpoint, hello.CallerOrganization);
            }
            catch (RpcException e)
            {
                logger.LogWarning("peer {Endpoint} did not accept this node: {Status} {Detail}", peer.Endpoint, e.StatusCode, e.Status.Detail.ReplaceLineEndings(" "));
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or ArgumentException)
            {
                logger.LogWarning("cannot greet peer {Endpoint}: {Reason}", peer.Endpoint, e.Message);
            }
        }
    }
}
