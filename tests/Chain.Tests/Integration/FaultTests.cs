using Chain.Protocol;
using Chain.Tests.TestKit;
using Grpc.Core;
using Xunit;
using Xunit.Abstractions;

namespace Chain.Tests.Integration;

/// <summary>
/// The halt paths, caused for real: a disk that fills in the middle of a commit, and a node whose re-execution of a
/// block differs. Each ends in the documented state (a clear error, nothing half-written) and recovers once the cause
/// is removed.
/// </summary>
public sealed class FaultTests(ITestOutputHelper output)
{
    [TmpfsFact]
    public async Task ADiskThatFillsDuringACommit_StopsTheNodeWithTheReason_LosesNoCommittedBlock_AndItResumesOnceThereIsSpace()
    {
        using var disk = Tmpfs.Mount(megabytes: 32);
        await using var node = await NodeProcess.StartAsync(c => c.DataDir = disk.Path);
        var committed = new System.Collections.Concurrent.ConcurrentBag<(string TxId, ulong Block)>();
        var value = new string('x', 60_000);
        RpcException? failure = null;
        for (int round = 0; round < 200 && failure is null; round++)
        {
            // 16 writes of 60 KB at a time, so blocks are large and the disk fills in seconds.
            var calls = Enumerable.Range(0, 16).Select(async i =>
            {
                try
                {
                    var status = await node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = Build.Put($"fill-{round}-{i}", value) }, deadline: DateTime.UtcNow.AddSeconds(30));
                    Assert.Equal(ValidationCode.Valid, status.Code);
                    committed.Add((status.TxId, status.BlockNumber));
                }
                catch (RpcException e) { failure ??= e; }
            });
            await Task.WhenAll(calls);
        }
        Assert.NotNull(failure); // the disk filled before 200 rounds of 1 MB
        output.WriteLine($"{committed.Count} transactions committed before: {failure!.Status.Detail}");

        // The node stops by itself, naming the cause; the call that was waiting was told the channel halted (or the node went away).
        var exit = await node.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exit);
        Assert.Contains("No space left on device", node.Log);
        Assert.Contains("stopped after a fatal error", node.Log);

        // Nothing half-written: with space again, the offline check passes and the node serves every committed transaction.
        disk.Resize(megabytes: 512);
        var verify = await ChainBinary.RunAsync("ledger", "verify", "--dir", node.DataDir);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        await node.StartProcessAsync();
        await node.AssertServesAsync(committed);
        var next = await node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = Build.Put("after-the-disk-filled", "v") });
        Assert.Equal(ValidationCode.Valid, next.Code);
    }
}
