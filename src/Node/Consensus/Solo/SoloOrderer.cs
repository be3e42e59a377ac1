using System.Threading.Channels;
using Chain.Node.Configuration;
using Chain.Node.Execution;

namespace Chain.Node.Consensus.Solo;

/// <summary>
/// Single-node ordering for development and single-organisation deployments: admitted transactions
/// are queued, cut into batches by <see cref="BlockCutter"/>, and handed to the sink one batch at a time.
/// While a block commits, new transactions queue up, so batches grow with load.
/// </summary>
public sealed class SoloOrderer(ChannelSettings config, IBatchSink sink, TimeProvider clock) : IOrderer
{
    private readonly Channel<CheckedTx> _queue = Channel.CreateBounded<CheckedTx>(new BoundedChannelOptions(config.MaxPendingTxs)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public bool TryEnqueue(CheckedTx tx) => _queue.Writer.TryWrite(tx);

    /// <summary>Runs until <paramref name="stopping"/>; then drains what was already admitted into final blocks.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var cutter = new BlockCutter(config.Batch);
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stopping))
            {
                long deadline = 0; // when the oldest pending transaction's batch timeout ends
                while (true)
                {
                    while (reader.TryRead(out var tx))
                    {
                        foreach (var batch in cutter.Add(tx)) Commit(batch);
                        if (cutter.PendingCount == 1) deadline = clock.GetTimestamp() + (long)(cutter.BatchTimeout.TotalSeconds * clock.TimestampFrequency);
                    }
                    if (cutter.PendingCount == 0) break;
                    var remaining = clock.GetElapsedTime(clock.GetTimestamp(), deadline);
                    if (remaining <= TimeSpan.Zero) break;
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    timeout.CancelAfter(remaining);
                    try { if (!await reader.WaitToReadAsync(timeout.Token)) break; }
                    catch (OperationCanceledException) when (!stopping.IsCancellationRequested) { break; }
                }
                if (cutter.PendingCount > 0) Commit(cutter.Cut());
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }

        _queue.Writer.TryComplete();
        while (reader.TryRead(out var tx))
            foreach (var batch in cutter.Add(tx)) Commit(batch);
        if (cutter.PendingCount > 0) Commit(cutter.Cut());
    }

    private void Commit(IReadOnlyList<CheckedTx> batch) => sink.CommitBatch(batch, clock.GetUtcNow().ToUnixTimeMilliseconds());
}
