using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Protocol;
using Chain.Sdk.Client;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Network;

/// <summary>
/// Pulls a channel's blocks from the configured peers over mutual TLS, from this node's height on, and hands them
/// to the channel, which verifies, re-executes and commits each one. A broken connection moves on to the next peer
/// after a pause that grows up to 5 s; a block that fails verification stops the channel.
/// </summary>
public sealed class BlockPuller(NodeConfig config, string nodeId, ILogger logger)
{
    private static readonly TimeSpan MinRetry = TimeSpan.FromMilliseconds(250), MaxRetry = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Pulls until the channel reaches <paramref name="targetHeight"/> (for ever with <see cref="ulong.MaxValue"/>).
    /// Returns false when the channel halted, there are no peers, or <paramref name="stop"/> fired first.
    /// </summary>
    public async Task<bool> PullAsync(ChannelRuntime channel, ulong targetHeight, CancellationToken stop)
    {
        if (config.Peers.Count == 0) return false;
        var retry = MinRetry;
        for (int attempt = 0; !stop.IsCancellationRequested; attempt++)
        {
            if (channel.Ledger.Height >= targetHeight) return true;
            var peer = config.Peers[attempt % config.Peers.Count];
            try
            {
                using var client = new ChainClient(peer.Endpoint, config.PeerTls(peer));
                using var call = client.Peer.PullBlocks(new PullBlocksRequest { Channel = channel.Name, StartBlock = channel.Ledger.Height }, cancellationToken: stop);
                logger.LogInformation("node {Node} pulls channel {Channel} from {Peer} at block {Height}", nodeId, channel.Name, peer.Endpoint, channel.Ledger.Height);
                await foreach (var block in call.ResponseStream.ReadAllAsync(stop))
                {
                    if (!channel.ApplyPulled(block)) return false;
                    retry = MinRetry;
                    if (channel.Ledger.Height >= targetHeight) return true;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return false; }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested) { return false; }
            catch (RpcException e)
            {
                logger.LogWarning("pulling channel {Channel} from {Peer} failed: {Status} {Detail}", channel.Name, peer.Endpoint, e.StatusCode, e.Status.Detail.ReplaceLineEndings(" "));
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or InvalidOperationException or HttpRequestException)
            {
                logger.LogWarning("pulling channel {Channel} from {Peer} failed: {Reason}", channel.Name, peer.Endpoint, e.Message);
            }
            try { await Task.Delay(retry, stop); }
            catch (OperationCanceledException) { return false; }
            retry = TimeSpan.FromTicks(Math.Min(MaxRetry.Ticks, retry.Ticks * 2));
        }
        return false;
    }
}
