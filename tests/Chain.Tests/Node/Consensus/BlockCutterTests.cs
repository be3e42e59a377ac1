using Chain.Node.Configuration;
using Chain.Node.Consensus;
using Chain.Node.Execution;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Node.Consensus;

public class BlockCutterTests
{
    private static BlockCutter Cutter(BatchConfig batch) => new(() => ChannelLimits.Of(new ChannelSettings { Batch = batch }));

    private static CheckedTx Tx(int valueLength = 1) => TxValidator.CheckStateless(Build.Put(Guid.NewGuid().ToString(), new string('v', valueLength)), 1 << 20);

    [Fact]
    public void ReachingMaxTxCount_CutsABatch()
    {
        var cutter = Cutter(new BatchConfig { MaxTxCount = 3 });
        Assert.Empty(cutter.Add(Tx()));
        Assert.Empty(cutter.Add(Tx()));
        var cut = Assert.Single(cutter.Add(Tx()));
        Assert.Equal(3, cut.Count);
        Assert.Equal(0, cutter.PendingCount);
    }

    [Fact]
    public void ExceedingMaxBytes_CutsPendingAndStartsANewBatch()
    {
        var size = Tx(1000).Size;
        var cutter = Cutter(new BatchConfig { MaxTxCount = 100, MaxBytes = size * 2 + 10 });
        Assert.Empty(cutter.Add(Tx(1000)));
        Assert.Empty(cutter.Add(Tx(1000)));
        var cut = Assert.Single(cutter.Add(Tx(1000)));
        Assert.Equal(2, cut.Count);
        Assert.Equal(1, cutter.PendingCount);
    }

    [Fact]
    public void OversizedTx_GoesAloneAfterPending()
    {
        var cutter = Cutter(new BatchConfig { MaxTxCount = 100, MaxBytes = 1024 });
        cutter.Add(Tx());
        var cuts = cutter.Add(Tx(4000));
        Assert.Equal(2, cuts.Count);
        Assert.Single(cuts[0]);
        Assert.Single(cuts[1]);
        Assert.Equal(0, cutter.PendingCount);
    }

    [Fact]
    public void Cut_ReturnsPendingInArrivalOrder()
    {
        var cutter = Cutter(new BatchConfig());
        var a = Tx();
        var b = Tx();
        cutter.Add(a);
        cutter.Add(b);
        Assert.Equal([a, b], cutter.Cut());
    }

    [Fact]
    public async Task BatchLoop_WhenACommitFails_ReturnsTheBatchesCutButNotHandedOver()
    {
        // An oversized transaction cuts two batches at once (pending, then itself); a commit that fails on the first
        // (a Raft leader losing leadership) must not lose the second.
        var cutter = Cutter(new BatchConfig { MaxTxCount = 100, MaxBytes = 1024, TimeoutMs = 60_000 });
        var queue = System.Threading.Channels.Channel.CreateUnbounded<CheckedTx>();
        var small = Tx();
        var oversized = Tx(2000);
        queue.Writer.TryWrite(small);
        queue.Writer.TryWrite(oversized);
        var unsent = new List<IReadOnlyList<CheckedTx>>();
        var committed = new List<IReadOnlyList<CheckedTx>>();
        ValueTask Commit(IReadOnlyList<CheckedTx> batch)
        {
            committed.Add(batch);
            throw new InvalidOperationException("leadership lost");
        }
        await Assert.ThrowsAsync<InvalidOperationException>(() => BatchLoop.RunAsync(queue.Reader, cutter, TimeProvider.System, Commit, CancellationToken.None, unsent));
        Assert.Equal([small], Assert.Single(committed));
        Assert.Equal([oversized], Assert.Single(unsent));
        Assert.Equal(0, cutter.PendingCount);
    }
}
