using Chain.Node.Consensus;
using Chain.Node.Configuration;
using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Network;

/// <summary>
/// Pulls a channel's blocks from the configured peers over mutual TLS, from this node's height on, and hands them
/// to the channel (<see cref="IConsenterSupport.Apply"/>), which verifies, re-executes and commits each one. A broken connection moves on to the next peer
/// after a pause that grows up to 5 s; a block that fails verification stops the channel.
/// </summary>
internal sealed class BlockPuller(NodeConfig config, string nodeId, ILogger logger)
{
    private static readonly TimeSpan MinRetry = TimeSpan.FromMilliseconds(250), MaxRetry = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Pulls until the channel reaches <paramref name="targetHeight"/> (for ever with <see cref="ulong.MaxValue"/>).
    /// Returns false when the channel halted, there are no peers, or <paramref name="stop"/> fired first.
    /// </summary>
    public async Task<bool> PullAsync(IConsenterSupport channel, ulong targetHeight, CancellationToken stop)
    {
        if (config.Peers.Count == 0) return false;
        var retry = MinRetry;
        for (int attempt = 0; !stop.IsCancellationRequested; attempt++)
        {
            if (channel.Head.Height >= targetHeight) return true;
            var peer = config.Peers[attempt % config.Peers.Count];
            try
            {
                using var client = new ChainClient(peer.Endpoint, config.PeerTls(peer));
                using var call = client.Peer.PullBlocks(new PullBlocksRequest { Channel = channel.ChannelName, StartBlock = channel.Head.Height }, cancellationToken: stop);
                logger.LogInformation("node {Node} pulls channel {Channel} from {Peer} at block {Height}", nodeId, channel.ChannelName, peer.Endpoint, channel.Head.Height);
                await foreach (var block in call.ResponseStream.ReadAllAsync(stop))
                {
                    if (channel.Apply(block, "pulled") == ApplyOutcome.Halted) return false;
                    retry = MinRetry;
                    if (channel.Head.Height >= targetHeight) return true;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return false; }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested) { return false; }
            catch (RpcException e)
            {
                logger.LogWarning("pulling channel {Channel} from {Peer} failed: {Status} {Detail}", channel.ChannelName, peer.Endpoint, e.StatusCode, e.Status.Detail.ReplaceLineEndings(" "));
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or InvalidOperationException or HttpRequestException)
            {
                logger.LogWarning("pulling channel {Channel} from {Peer} failed: {Reason}", channel.ChannelName, peer.Endpoint, e.Message);
            }
            try { await Task.Delay(retry, stop); }
            catch (OperationCanceledException) { return false; }
            retry = TimeSpan.FromTicks(Math.Min(MaxRetry.Ticks, retry.Ticks * 2));
        }
        return false;
    }
}
