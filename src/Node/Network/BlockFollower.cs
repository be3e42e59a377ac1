using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Node.Hosting;
using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Network;

/// <summary>
/// Keeps every observed channel up to date: pulls blocks from the configured peers over mutual TLS, from this
/// node's height on, and hands them to the channel, which verifies, re-executes and commits each one. A broken
/// connection moves on to the next peer after a short pause; a block that fails verification stops the channel.
/// </summary>
internal sealed class BlockFollower(ChannelDirectory channels, NodeConfig config, NodeIdentity identity, ILogger<BlockFollower> logger) : BackgroundService
{
    private static readonly TimeSpan MinRetry = TimeSpan.FromMilliseconds(250), MaxRetry = TimeSpan.FromSeconds(5);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(channels.All.Where(c => c.Observing).Select(c => Task.Run(() => FollowAsync(c, stoppingToken), CancellationToken.None)));

    private async Task FollowAsync(ChannelRuntime channel, CancellationToken stop)
    {
        var retry = MinRetry;
        for (int attempt = 0; !stop.IsCancellationRequested; attempt++)
        {
            var peer = config.Peers[attempt % config.Peers.Count];
            try
            {
                var tls = config.PeerTls(peer);
                using var client = new ChainClient(peer.Endpoint, tls);
                using var call = client.Peer.PullBlocks(new PullBlocksRequest { Channel = channel.Name, StartBlock = channel.Ledger.Height }, cancellationToken: stop);
                logger.LogInformation("node {Node} follows channel {Channel} from {Peer} at block {Height}", identity.NodeId, channel.Name, peer.Endpoint, channel.Ledger.Height);
                await foreach (var block in call.ResponseStream.ReadAllAsync(stop))
                {
                    if (!channel.ApplyPulled(block)) return;
                    retry = MinRetry;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return; }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested) { return; }
            catch (RpcException e)
            {
                logger.LogWarning("pulling channel {Channel} from {Peer} failed: {Status} {Detail}", channel.Name, peer.Endpoint, e.StatusCode, e.Status.Detail.ReplaceLineEndings(" "));
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or InvalidOperationException or HttpRequestException)
            {
                logger.LogWarning("pulling channel {Channel} from {Peer} failed: {Reason}", channel.Name, peer.Endpoint, e.Message);
            }
            try { await Task.Delay(retry, stop); }
            catch (OperationCanceledException) { return; }
            retry = TimeSpan.FromTicks(Math.Min(MaxRetry.Ticks, retry.Ticks * 2));
        }
    }
}
