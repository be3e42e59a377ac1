using Chain.Node.Execution;

namespace Chain.Node.Consensus;

/// <summary>
/// Orders one channel's admitted transactions into blocks through its <see cref="IConsenterSupport"/>: solo cuts
/// them here, Raft on the leader and replicates them, an observer orders nothing and follows by block pull.
/// </summary>
internal interface IOrderer
{
    /// <summary>Queues a checked transaction; false when the queue is full (the caller should back off).</summary>
    bool TryEnqueue(CheckedTx tx);

    /// <summary>Null while this node orders the channel; otherwise why not and where to send its transactions.</summary>
    Redirect? Redirect { get; }

    /// <summary>This node's part in ordering the channel, for status answers.</summary>
    OrdererStatus Status { get; }

    /// <summary>Orders until <paramref name="stopping"/>; then finishes what it can of what was already admitted.</summary>
    Task RunAsync(CancellationToken stopping);
}

/// <summary>
/// Why this node does not order a channel's transactions now, and where they go instead: <see cref="Target"/> (a
/// peer endpoint, with its organisation's CA from the channel configuration) when one node orders them (the Raft
/// leader), null when any configured peer will do; <see cref="NoLeader"/> while Raft has no leader.
/// </summary>
internal sealed record Redirect(string Reason, string? Target = null, string? TargetCaPem = null, bool NoLeader = false);

/// <summary>
/// "solo", "observer", or a Raft role ("leader", "follower", "candidate", "joining", "removed", "halted"), with the
/// Raft term and the leader's node id when one is known; <see cref="Behind"/>: blocks (Raft entries) this node knows
/// are committed elsewhere but has not applied yet; <see cref="Unreached"/>: why this node, which follows peers, has
/// reached none of them lately (null while it has).
/// </summary>
internal sealed record OrdererStatus(string Role, long Term = 0, string? Leader = null, long Behind = 0, string? Unreached = null);
