using System.Collections.Concurrent;
using Chain.Node.Ledger;
using Chain.Protocol;
using Chain.Sdk.Transactions;
using Chain.Tests.Node.Ledger;
using Chain.Tests.TestKit;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Integration;

public class DurabilityTests
{
    [Fact]
    public async Task GracefulRestart_KeepsEverything()
    {
        await using var node = await NodeProcess.StartAsync();
        var tx = Build.Put("durable", "yes");
        var status = await node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = tx });
        var before = await node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest());

        await node.StopAsync();
        await node.StartProcessAsync();

        var after = await node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest());
        // Every channel's chain as it was; the store's size on disk is not part of it (the log is replayed and flushed).
        static IEnumerable<ChannelInfo> Chains(ChainInfoResponse info) => info.Channels.Select(c => { var chain = c.Clone(); chain.StoreBytes = 0; return chain; });
        Assert.Equal(Chains(before), Chains(after));
        var stored = await node.Client.Ledger.GetTransactionAsync(new TransactionRequest { Channel = "sandbox", TxId = status.TxId });
        Assert.Equal(ValidationCode.Valid, stored.Result.Code);
        var replay = await Assert.ThrowsAsync<RpcException>(() => node.Client.Gateway.SubmitAsync(new SubmitRequest { Transaction = tx }).ResponseAsync);
        Assert.Equal(StatusCode.AlreadyExists, replay.StatusCode);
    }

    [Fact]
    public async Task ExistingLedger_WithAnotherGenesisFile_RefusesToStart()
    {
        await using var node = await NodeProcess.StartAsync();
        await node.StopAsync();
        var genesisFile = node.Config.Resolve(node.Config.Channels[0].GenesisFile!);
        var other = Chain.Node.Membership.GenesisBlock.Create(new ChannelConfig { Channel = "sandbox" }, 1);
        File.WriteAllBytes(genesisFile, Google.Protobuf.MessageExtensions.ToByteArray(other));

        Assert.NotEqual(0, await node.StartExpectingExitAsync());
        Assert.Contains("does not match block 0 of channel 'charity'", node.Log);
    }

    [Fact]
    public async Task NodeWhoseKeyIsNotAConsenter_RefusesToStart()
    {
        await using var node = new NodeProcess(config =>
        {
            Chain.Sdk.Crypto.Keystore.Write(config.Resolve("stranger.json"), Chain.Sdk.Crypto.AccountKey.Generate(), "pw", light: true);
            File.WriteAllText(config.Resolve("stranger.password"), "pw");
            config.KeyFile = "stranger.json";
            config.PasswordFile = "stranger.password";
        });
        Assert.NotEqual(0, await node.StartExpectingExitAsync());
        Assert.Contains("is not a consenter of channel", node.Log);
    }

    [Fact]
    public async Task GracefulStop_EndsOpenEventStreams()
    {
        await using var node = await NodeProcess.StartAsync();
        using var stream = node.Client.Events.Subscribe(new SubscribeRequest { Channel = "sandbox", StartBlock = 0 });
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None)); // genesis
        var reading = Task.Run(async () => { while (await stream.ResponseStream.MoveNext(CancellationToken.None)) { } });

        var stopping = System.Diagnostics.Stopwatch.StartNew();
        await node.StopAsync();

        // The node's shutdown timeout is 30 s; an open stream must not hold the node that long.
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(25), $"stop took {stopping.Elapsed}");
        await reading.WaitAsync(TimeSpan.FromSeconds(30)); // ends cleanly, no exception
    }

    [Fact]
    public async Task Sigkill_UnderLoad_LosesNoCommittedTransaction()
    {
        await using var node = await NodeProcess.StartAsync(c => c.Channels.ForEach(ch => ch.Batch.TimeoutMs = 5));
        var committed = new ConcurrentBag<(string TxId, ulong Block)>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var status = await node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = Build.Put($"crash-{w}-{i}", "v") });
                    if (status.Code == ValidationCode.Valid) committed.Add((status.TxId, status.BlockNumber));
                }
                catch (RpcException) { return; } // the node died under us
            }
        })).ToArray();

        await Wait.UntilAsync(() => Task.FromResult(committed.Count >= 100), "100 transactions committed before the crash");
        node.Kill();
        await stop.CancelAsync();
        await Task.WhenAll(writers);

        var verify = await ChainBinary.RunAsync("ledger", "verify", "--dir", node.DataDir);
        Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);

        await node.StartProcessAsync();
        await node.AssertServesAsync(committed);
        var info = (await node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "sandbox" })).Channels[0];
        var last = await node.Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "sandbox", Number = info.Height - 1 });
        Assert.Equal(info.LastBlockHash.ToByteArray(), Chain.Sdk.Encoding.ProtocolHashes.BlockHash(last.Header));
        Assert.True(committed.Max(c => c.Block) < info.Height);

        // The restarted node keeps committing on top of the recovered chain.
        var next = await node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = Build.Put("after-crash", "v") });
        Assert.Equal((ValidationCode.Valid, info.Height), (next.Code, next.BlockNumber));
    }

    [Fact]
    public async Task CorruptedLedger_FailsVerifyNamingTheBlock_AndTheNodeRefusesToStart()
    {
        await using var node = await NodeProcess.StartAsync();
        for (int i = 0; i < 3; i++) await node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = Build.Put($"c{i}", "v") });
        var height = (await node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "sandbox" })).Channels[0].Height;
        await node.StopAsync();

        // A flipped byte in a middle block: the offline check names it.
        ChannelLedgerTests.CorruptBlock(node.ChannelDir("sandbox"), 2);
        var verify = await ChainBinary.RunAsync("ledger", "verify", "--dir", node.DataDir);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("block 2", verify.StdErr);
        Assert.Single(verify.StdErr.Trim().Split('\n'));

        // A flipped byte in the last block: the node refuses to start and says which block.
        ChannelLedgerTests.CorruptBlock(node.ChannelDir("sandbox"), height - 1);
        var exit = await node.StartExpectingExitAsync();
        Assert.NotEqual(0, exit);
        Assert.Contains($"ledger is corrupt at block {height - 1}", node.Log);
    }
}
