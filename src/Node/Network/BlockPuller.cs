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
internal sealed class BlockPuller(NodeConfig config, string nodeId, ILogger logger, TimeProvider? clock = null)
{
    /// <summary>The response header in which a peer serving PullBlocks announces its height.</summary>
    public const string HeightHeader = "chain-height";

    private static readonly TimeSpan MinRetry = TimeSpan.FromMilliseconds(250), MaxRetry = TimeSpan.FromSeconds(5);
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PullProgress> _progress = new();

    /// <summary>How pulling a channel goes: the height its peers announced, and since when none could be reached.</summary>
    public PullProgress ProgressOf(string channel) => _progress.GetOrAdd(channel, _ => new PullProgress(_clock));

    /// <summary>
    /// Pulls until the channel reaches <paramref name="targetHeight"/> (for ever with <see cref="ulong.MaxValue"/>).
    /// Returns false when the channel halted, there are no peers, or <paramref name="stop"/> fired first.
    /// </summary>
    public async Task<bool> PullAsync(IConsenterSupport channel, ulong targetHeight, CancellationToken stop)
    {
        if (config.Peers.Count == 0) return false;
        var progress = ProgressOf(channel.ChannelName);
        try { return await PullFromPeersAsync(channel, targetHeight, progress, stop); }
        finally { progress.Stopped(); }
    }

    private async Task<bool> PullFromPeersAsync(IConsenterSupport channel, ulong targetHeight, PullProgress progress, CancellationToken stop)
    {
        var retry = MinRetry;
        int notServedInARow = 0;
        for (int attempt = 0; !stop.IsCancellationRequested; attempt++)
        {
            if (channel.Head.Height >= targetHeight) return true;
            var peer = config.Peers[attempt % config.Peers.Count];
            try
            {
                using var client = new ChainClient(peer.Endpoint, config.PeerTls(peer));
                using var call = client.Peer.PullBlocks(new PullBlocksRequest { Channel = channel.ChannelName, StartBlock = channel.Head.Height }, cancellationToken: stop);
                var headers = await call.ResponseHeadersAsync;
                using var open = Observability.NodeMetrics.PeerStream("out");
                progress.Reached(ulong.TryParse(headers.GetValue(HeightHeader), out var peerHeight) ? peerHeight : 0);
                logger.LogInformation("node {Node} pulls channel {Channel} from {Peer} at block {Height}", nodeId, channel.ChannelName, peer.Endpoint, channel.Head.Height);
                await foreach (var block in call.ResponseStream.ReadAllAsync(stop))
                {
                    progress.Reached((block.Header?.Number ?? 0) + 1);
                    if (channel.Apply(block, "pulled") == ApplyOutcome.Halted) return false;
                    retry = MinRetry;
                    notServedInARow = 0;
                    if (channel.Head.Height >= targetHeight) return true;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested) { return false; }
            catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stop.IsCancellationRequested) { return false; }
            catch (RpcException e) when (e.Is(ErrorCodes.Of(ValidationCode.WrongChannel)) && ++notServedInARow < config.Peers.Count)
            {
                continue; // a peer that does not serve this channel (a consortium's nodes serve different ones): the next one, at once
            }
            catch (RpcException e)
            {
                logger.LogWarning("pulling channel {Channel} from {Peer} failed: {Status} {Detail}", channel.ChannelName, peer.Endpoint, e.StatusCode, e.Status.Detail.ReplaceLineEndings(" "));
                progress.Failed($"{peer.Endpoint}: {e.StatusCode} {e.Status.Detail.ReplaceLineEndings(" ")}");
            }
            catch (Exception e) when (e is IOException or System.Security.Cryptography.CryptographicException or InvalidOperationException or HttpRequestException)
            {
                logger.LogWarning("pulling channel {Channel} from {Peer} failed: {Reason}", channel.ChannelName, peer.Endpoint, e.Message);
                progress.Failed($"{peer.Endpoint}: {e.Message}");
            }
            try { await Task.Delay(retry, stop); }
            catch (OperationCanceledException) { return false; }
            retry = TimeSpan.FromTicks(Math.Min(MaxRetry.Ticks, retry.Ticks * 2));
        }
        return false;
    }
}


/// <summary>
/// One channel's pull, as health reports it: the highest height a peer announced or delivered, and since when no peer
/// could be reached (with the last reason) while this node was pulling.
/// </summary>
internal sealed class PullProgress(TimeProvider clock)
{
    /// <summary>Unreachable peers are reported once pulling has failed for this long.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private ulong _peerHeight;
    private DateTimeOffset? _failingSince;
    private string? _lastFailure;

    public ulong PeerHeight { get { lock (_gate) return _peerHeight; } }

    public void Reached(ulong peerHeight)
    {
        lock (_gate)
        {
            _peerHeight = Math.Max(_peerHeight, peerHeight);
            _failingSince = null;
        }
    }

    public void Failed(string reason)
    {
        lock (_gate)
        {
            _failingSince ??= clock.GetUtcNow();
            _lastFailure = reason;
        }
    }

    /// <summary>Pulling ended (caught up to its target, or stopped): nothing is unreachable any more.</summary>
    public void Stopped()
    {
        lock (_gate) _failingSince = null;
    }

    /// <summary>Blocks the peers have that <paramref name="height"/> lacks.</summary>
    public long Behind(ulong height) => (long)Math.Min(long.MaxValue, PeerHeight > height ? PeerHeight - height : 0);

    /// <summary>Why no peer has been reached for longer than <see cref="Patience"/>, or null.</summary>
    public string? Unreached()
    {
        lock (_gate)
        {
            if (_failingSince is not { } since || clock.GetUtcNow() - since < Patience) return null;
            return $"no peer reached since {since.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC (last: {_lastFailure})";
        }
    }
}
