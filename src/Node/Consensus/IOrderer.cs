using Chain.Node.Execution;

namespace Chain.Node.Consensus;

/// <summary>
/// Orders admitted transactions into batches for one channel. Solo cuts batches locally; Raft will cut
/// them on the leader and replicate them. Either way every batch reaches <see cref="IBatchSink"/> in order.
/// </summary>
public interface IOrderer
{
    /// <summary>Queues a checked transaction; false when the queue is full (the caller should back off).</summary>
    bool TryEnqueue(CheckedTx tx);

    /// <summary>Null while this node orders the channel; otherwise why not and where to relay (a Raft follower).</summary>
    Channels.RelayException? Redirect { get; }

    Task RunAsync(CancellationToken stopping);
}

/// <summary>Receives ordered batches: executes and commits them as blocks.</summary>
public interface IBatchSink
{
    void CommitBatch(IReadOnlyList<CheckedTx> batch, long timestampMs);
}
