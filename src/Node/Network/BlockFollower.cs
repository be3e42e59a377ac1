using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Node.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Network;

/// <summary>Keeps every observed channel up to date by pulling its blocks from the configured peers for as long as the node runs.</summary>
internal sealed class BlockFollower(ChannelDirectory channels, NodeConfig config, NodeIdentity identity, ILogger<BlockFollower> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var puller = new BlockPuller(config, identity.NodeId, logger);
        return Task.WhenAll(channels.All.Where(c => c.Observing).Select(c => Task.Run(() => puller.PullAsync(c, ulong.MaxValue, stoppingToken), CancellationToken.None)));
    }
}
