using System.Threading.Channels;
using Chain.Node.Execution;

namespace Chain.Node.Consensus.Solo;

/// <summary>
/// Single-node ordering for development and single-organisation deployments: admitted transactions are queued, cut
/// into batches by <see cref="BlockCutter"/>, and each batch is executed and committed as the next block.
/// </summary>
internal sealed class SoloOrderer(IConsenterSupport support, int maxPendingTxs, TimeProvider clock) : IOrderer
{
    private static readonly OrdererStatus Solo = new("solo");

    private readonly Channel<CheckedTx> _queue = Channel.CreateBounded<CheckedTx>(new BoundedChannelOptions(maxPendingTxs)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public bool TryEnqueue(CheckedTx tx) => _queue.Writer.TryWrite(tx);

    public Redirect? Redirect => null;

    public OrdererStatus Status => Solo;

    /// <summary>Runs until <paramref name="stopping"/>; then drains what was already admitted into final blocks.</summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        var cutter = new BlockCutter(() => support.View.Limits);
        try { await BatchLoop.RunAsync(_queue.Reader, cutter, clock, Commit, stopping); }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested) { }
        _queue.Writer.TryComplete();
        await BatchLoop.DrainAsync(_queue.Reader, cutter, Commit);
    }

    private ValueTask Commit(IReadOnlyList<CheckedTx> batch)
    {
        support.CutBlock(batch, clock.GetUtcNow().ToUnixTimeMilliseconds());
        return ValueTask.CompletedTask;
    }
}
