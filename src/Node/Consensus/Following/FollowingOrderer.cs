using Chain.Node.Execution;
using Chain.Node.Network;

namespace Chain.Node.Consensus.Following;

/// <summary>
/// An observed channel: this node orders nothing (its transactions go to any peer that orders them) and keeps the
/// channel current by pulling its blocks from the configured peers for as long as the node runs.
/// </summary>
internal sealed class FollowingOrderer(IConsenterSupport support, BlockPuller puller) : IOrderer
{
    private readonly Redirect _redirect = new($"this node observes channel '{support.ChannelName}' and does not order its transactions");

    public bool TryEnqueue(CheckedTx tx) => false;

    public Redirect? Redirect => _redirect;

    public OrdererStatus Status
    {
        get
        {
            var progress = puller.ProgressOf(support.ChannelName);
            return new OrdererStatus("observer", Behind: progress.Behind(support.Head.Height), Unreached: progress.Unreached());
        }
    }

    public Task RunAsync(CancellationToken stopping) => puller.PullAsync(support, ulong.MaxValue, stopping);
}
