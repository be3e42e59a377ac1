using System.Threading.Channels;
using Chain.Node.Execution;

namespace Chain.Node.Consensus;

/// <summary>
/// The ordering loop shared by solo and the Raft leader: reads admitted transactions, lets the
/// <see cref="BlockCutter"/> decide block boundaries (size, count, or the batch timeout since the first pending
/// transaction) and hands every batch to <paramref name="commit"/>, one at a time. While a block commits, new
/// transactions queue up, so batches grow with load.
/// </summary>
internal static class BatchLoop
{
    /// <summary>
    /// Runs until <paramref name="stop"/> fires or the queue completes; pending transactions stay in <paramref name="cutter"/>.
    /// If <paramref name="commit"/> throws, batches already cut but not yet handed to it are added to <paramref name="unsent"/>.
    /// </summary>
    public static async Task RunAsync(ChannelReader<CheckedTx> reader, BlockCutter cutter, TimeProvider clock,
        Func<IReadOnlyList<CheckedTx>, ValueTask> commit, CancellationToken stop, List<IReadOnlyList<CheckedTx>>? unsent = null)
    {
        while (await reader.WaitToReadAsync(stop))
        {
            long deadline = 0; // when the oldest pending transaction's batch timeout ends
            while (true)
            {
                while (reader.TryRead(out var tx))
                {
                    var batches = cutter.Add(tx);
                    for (int i = 0; i < batches.Count; i++)
                    {
                        try { await commit(batches[i]); }
                        catch
                        {
                            unsent?.AddRange(batches.Skip(i + 1));
                            throw;
                        }
                    }
                    if (cutter.PendingCount == 1) deadline = clock.GetTimestamp() + (long)(cutter.BatchTimeout.TotalSeconds * clock.TimestampFrequency);
                }
                if (cutter.PendingCount == 0) break;
                var remaining = clock.GetElapsedTime(clock.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero) break;
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(remaining);
                try { if (!await reader.WaitToReadAsync(timeout.Token)) break; }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested) { break; }
            }
            if (cutter.PendingCount > 0) await commit(cutter.Cut());
        }
    }

    /// <summary>Cuts everything already admitted into final batches (at shutdown).</summary>
    public static async Task DrainAsync(ChannelReader<CheckedTx> reader, BlockCutter cutter, Func<IReadOnlyList<CheckedTx>, ValueTask> commit)
    {
        while (reader.TryRead(out var tx))
            foreach (var batch in cutter.Add(tx)) await commit(batch);
        if (cutter.PendingCount > 0) await commit(cutter.Cut());
    }
}
