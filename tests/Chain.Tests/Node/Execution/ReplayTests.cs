using Chain.Node.Execution;
using Chain.Protocol;
using Chain.Sdk.Encoding;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.Node.Execution;

/// <summary>A follower re-executes a pulled block and must reach the same results and state root, or refuse it.</summary>
public sealed class ReplayTests
{
    private static (Block Block, byte[] Hash) CutOn(LedgerHarness leader, params Transaction[] txs)
    {
        var set = leader.Execute(txs);
        leader.Ledger.Commit(set);
        return (set.Block, set.Hash);
    }

    [Fact]
    public void Replay_OfTheLeadersBlock_GivesTheSameWrites_AndCommits()
    {
        using var leader = new LedgerHarness(TestNetwork.Config());
        using var follower = new LedgerHarness(TestNetwork.Config());
        var (block, hash) = CutOn(leader, Build.Put("a", "1"), Build.Put("b", "2"));
        var set = follower.Executor!.Replay(block, hash);
        follower.Ledger.Commit(set);
        Assert.Equal(leader.Ledger.Head.StateRoot, follower.Ledger.Head.StateRoot);
        Assert.Equal(leader.Ledger.LastHash, follower.Ledger.LastHash);
    }

    [Fact]
    public void Replay_RefusesABlockWhoseStateRootOrResultsDisagree()
    {
        using var leader = new LedgerHarness(TestNetwork.Config());
        using var follower = new LedgerHarness(TestNetwork.Config());
        var (block, hash) = CutOn(leader, Build.Put("a", "1"));

        var wrongRoot = block.Clone();
        wrongRoot.Header.StateRoot = ByteString.CopyFrom(new byte[32]);
        var root = Assert.Throws<BlockMismatchException>(() => follower.Executor!.Replay(wrongRoot, ProtocolHashes.BlockHash(wrongRoot.Header)));
        Assert.Contains("state root", root.Message);

        var wrongResult = block.Clone();
        wrongResult.Results[0] = new TxResult { Code = ValidationCode.ContractError, Message = "made up" };
        var result = Assert.Throws<BlockMismatchException>(() => follower.Executor!.Replay(wrongResult, hash));
        Assert.Contains("transaction 0 gives Valid here", result.Message);
        Assert.Equal(1UL, follower.Ledger.Height); // nothing was committed
    }
}
