using Chain.Node.Channels;
using Chain.Protocol;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.Node.Execution;

public class CommitNotifierTests
{
    private static Block BlockWith(ValidationCode code) => new()
    {
        Header = new BlockHeader { Number = 7 },
        Transactions = { new Transaction { Payload = ByteString.CopyFromUtf8("x") } },
        Results = { new TxResult { Code = code } },
    };

    [Fact]
    public async Task DisposingOneWaiter_LeavesOtherWaitersForTheSameTx()
    {
        // Regression: a refused duplicate SubmitAndWait used to remove the first caller's waiter, which then hung.
        var notifier = new CommitNotifier();
        using var first = notifier.WaitForTx("t1");
        var second = notifier.WaitForTx("t1");
        second.Dispose();

        notifier.BlockCommitted(BlockWith(ValidationCode.Valid), ["t1"]);

        var status = await first.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal((7UL, ValidationCode.Valid), (status.BlockNumber, status.Code));
        Assert.False(second.Task.IsCompleted);
    }

    [Fact]
    public async Task DuplicateCopyInABlock_DoesNotCompleteTheWaiter()
    {
        var notifier = new CommitNotifier();
        using var waiter = notifier.WaitForTx("t1");
        notifier.BlockCommitted(BlockWith(ValidationCode.DuplicateTxid), ["t1"]);
        Assert.False(waiter.Task.IsCompleted);
        var next = notifier.NextBlock;
        notifier.BlockCommitted(BlockWith(ValidationCode.ContractError), ["t1"]);
        Assert.Equal(ValidationCode.ContractError, (await waiter.Task.WaitAsync(TimeSpan.FromSeconds(10))).Code);
        Assert.True(next.IsCompleted);
    }

    [Fact]
    public void WaitersAreBounded_ABusyAnswerPastTheBound_AndRoomAgainOnceTheyEnd()
    {
        var notifier = new CommitNotifier(maxWaiters: 2);
        var a = notifier.WaitForTx("t1");
        using var b = notifier.WaitForTx("t2");
        var busy = Assert.Throws<ChannelBusyException>(() => notifier.WaitForTx("t3"));
        Assert.Contains("2 calls are waiting", busy.Message);

        a.Dispose();
        a.Dispose(); // a second dispose frees nothing more
        Assert.Equal(1, notifier.Waiting);
        using var c = notifier.WaitForTx("t3");
        notifier.BlockCommitted(BlockWith(ValidationCode.Valid), ["t2"]);
        Assert.Equal(1, notifier.Waiting);
        b.Dispose(); // after its block: nothing to free
        Assert.Equal(1, notifier.Waiting);
        notifier.FailAll(new InvalidOperationException("halted"));
        Assert.Equal(0, notifier.Waiting);
    }
}
