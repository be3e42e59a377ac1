using Chain.Node.Configuration;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Protocol;

namespace Chain.Node.Consensus;

/// <summary>
/// The few things an orderer may do with its channel, whatever the consensus: read where the chain stands and the
/// configuration in force, execute a batch into a signed block, commit a block it executed, apply a block ordered
/// elsewhere (verified and re-executed first), hand admitted transactions back, and halt. Solo, Raft and block
/// pull all go through it, so the commit path and its single halt path are the same for all of them.
/// </summary>
/// <remarks>Blocks are executed, committed and applied on one thread at a time (the orderer's).</remarks>
internal interface IConsenterSupport
{
    string ChannelName { get; }

    /// <summary>The configuration in force: consensus kind, consenters, limits.</summary>
    ChannelView View { get; }

    ChainHead Head { get; }

    Block? GetBlock(ulong number);

    /// <summary>Executes a batch on the committed state and signs the block with the node key; nothing is written.</summary>
    BlockWriteSet Execute(IReadOnlyList<CheckedTx> batch, long timestampMs);

    /// <summary>Writes a block this node executed (<see cref="Execute"/>) and tells waiting clients.</summary>
    void Commit(BlockWriteSet set, IReadOnlyList<CheckedTx> batch);

    /// <summary>
    /// Applies a block ordered elsewhere (a Raft entry, a pulled block): one this node already has is
    /// <see cref="ApplyOutcome.Stale"/>; the next one is verified (it links, is consistent, is signed by a consenter of
    /// the configuration in force) and re-executed, and committed when this node reaches the same results and state
    /// root. Anything else halts the channel.
    /// </summary>
    ApplyOutcome Apply(Block block, string source);

    /// <summary>Admitted transactions this node hands to another node: they may be admitted here again later.</summary>
    void Release(IEnumerable<CheckedTx> transactions);

    bool Halted { get; }

    /// <summary>Stops committing on this channel, loudly; committed state stays readable.</summary>
    void Halt(string reason);

    /// <summary>Raised on the committing thread after a block that changed the channel configuration.</summary>
    event Action<ChannelConfig>? ConfigChanged;
}

internal enum ApplyOutcome { Applied, Stale, Halted }

internal static class ConsenterSupportExtensions
{
    /// <summary>Executes and commits one batch as the next block (solo; a Raft leader replicates in between).</summary>
    public static void CutBlock(this IConsenterSupport support, IReadOnlyList<CheckedTx> batch, long timestampMs) =>
        support.Commit(support.Execute(batch, timestampMs), batch);
}
