using System.Threading.Channels;
using Chain.Node.Configuration;
using Chain.Node.Execution;

namespace Chain.Node.Consensus.Solo;

/// <summary>
/// Single-node ordering for development and single-organisation deployments: admitted transactions
/// are queued, cut into batches by <see cref="BlockCutter"/>, and handed to the sink one batch at a time.
/// </summary>
public sealed class SoloOrderer(ChannelSettings config, IBatchSink sink, TimeProvider clock) : IOrderer
{
    private readonly Channel<CheckedTx> _queue = Channel.CreateBounded<CheckedTx>(new BoundedChannelOptions(config.MaxPendingTxs)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public bool TryEnqueue(CheckedTx tx) => _queue.Writer.TryWrite(tx);

    public Channels.RelayException? Redirect => null;

    /// <summary>Runs until <paramref name="stopping"/>; then drains what was already admitted into final blocks.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var cutter = new BlockCutter(config.Batch);
        try { await BatchLoop.RunAsync(_queue.Reader, cutter, clock, Commit, stopping); }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
        _queue.Writer.TryComplete();
        await BatchLoop.DrainAsync(_queue.Reader, cutter, Commit);
    }

    private ValueTask Commit(IReadOnlyList<CheckedTx> batch)
    {
        sink.CommitBatch(batch, clock.GetUtcNow().ToUnixTimeMilliseconds());
        return ValueTask.CompletedTask;
    }
}
