using Chain.Node.Configuration;
using Chain.Node.Execution;

namespace Chain.Node.Consensus;

/// <summary>
/// Decides where one block ends and the next begins.
/// <code>
/// on Add(tx):  tx alone larger than MaxBytes  → cut the pending batch (if any), then tx as its own batch
///              pending + tx larger than MaxBytes → cut pending, tx starts the next batch
///              pending reaches MaxTxCount      → cut pending (tx included)
/// on timeout (BatchTimeout since the first pending tx) → cut pending
/// </code>
/// </summary>
/// <param name="limits">The limits in force, read on every use, so a configuration update applies from the next transaction.</param>
internal sealed class BlockCutter(Func<ChannelLimits> limits)
{
    private List<CheckedTx> _pending = [];
    private long _pendingBytes;

    public int PendingCount => _pending.Count;
    public TimeSpan BatchTimeout => limits().BatchTimeout;

    /// <summary>Adds a transaction; returns the batches (zero, one or two) that are now complete.</summary>
    public IReadOnlyList<IReadOnlyList<CheckedTx>> Add(CheckedTx tx)
    {
        var size = tx.Size;
        var current = limits();
        var cut = new List<IReadOnlyList<CheckedTx>>(2);
        if (size > current.MaxBlockBytes)
        {
            if (_pending.Count > 0) cut.Add(Cut());
            cut.Add([tx]);
            return cut;
        }
        if (_pendingBytes + size > current.MaxBlockBytes && _pending.Count > 0) cut.Add(Cut());
        _pending.Add(tx);
        _pendingBytes += size;
        if (_pending.Count >= current.MaxTxCount) cut.Add(Cut());
        return cut;
    }

    public IReadOnlyList<CheckedTx> Cut()
    {
        var batch = _pending;
        _pending = [];
        _pendingBytes = 0;
        return batch;
    }
}
