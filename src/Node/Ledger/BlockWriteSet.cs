using Chain.Protocol;

namespace Chain.Node.Ledger;

/// <summary>
/// Everything one block changes, computed by the executor and written by <see cref="ChannelLedger.Commit"/>
/// in a single synced WriteBatch.
/// </summary>
internal sealed class BlockWriteSet
{
    public required Block Block { get; init; }
    public required byte[] Hash { get; init; }
    public required IReadOnlyList<byte[]> TxIds { get; init; }
    /// <summary>Final value of every state key the block wrote (null = deleted), keyed by encoded state key.</summary>
    public required IReadOnlyDictionary<byte[], byte[]?> StateWrites { get; init; }
    /// <summary>Every individual write in order, for key history.</summary>
    public required IReadOnlyList<StateWrite> History { get; init; }
    public required StateUpdate StateUpdate { get; init; }
    /// <summary>Time spent running transactions and computing the state root, for the commit log line.</summary>
    public TimeSpan RunTime { get; init; }
    public TimeSpan StateRootTime { get; init; }
    /// <summary>When execution of the block began (UTC), for the trace spans of its transactions.</summary>
    public DateTime ExecuteStartedUtc { get; set; }
}

internal readonly record struct StateWrite(byte[] StateKey, uint TxIndex, long TimestampMs, byte[]? Value);
