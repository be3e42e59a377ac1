using Chain.Protocol;
using Xunit;

namespace Chain.Tests.TestKit;

/// <summary>I11 on the real executor: a block of contract calls gives one state root, run twice here or once on another ledger.</summary>
public static class Determinism
{
    public static void AssertSameBlockSameRoot(Func<ChannelConfig> config, Transaction[] setup, Transaction[] work, long now)
    {
        using var first = new LedgerHarness(config()) { Now = now };
        using var second = new LedgerHarness(config()) { Now = now };
        Assert.All(first.Commit(setup).Results, r => Assert.True(r.Code == ValidationCode.Valid, r.Message));
        second.Commit(setup);

        var once = first.Execute(work);
        var twice = first.Execute(work);
        var elsewhere = second.Execute(work);
        Assert.All(once.Block.Results, r => Assert.True(r.Code == ValidationCode.Valid, r.Message));
        Assert.Equal(once.Block.Header.StateRoot, twice.Block.Header.StateRoot);
        Assert.Equal(once.Block.Header.StateRoot, elsewhere.Block.Header.StateRoot);
        Assert.Equal(once.Block.Header.ResultsRoot, elsewhere.Block.Header.ResultsRoot);
        Assert.NotEqual(first.Ledger.Head.StateRoot, once.Block.Header.StateRoot.ToByteArray()); // the block did change state
    }
}
