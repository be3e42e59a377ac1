using Chain.Node.Configuration;
using Chain.Protocol;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// A second node process that observes the channels of the first: it pulls blocks over the mutual-TLS peer
/// endpoint, verifies and re-executes them, serves queries, relays transactions to the consenter, and resumes
/// after a restart.
/// </summary>
public sealed class ObserverTests
{
    private static Action<NodeConfig> ObserverOf(NodeProcess consenter) => config =>
    {
        config.Peers = [new PeerConfig { Endpoint = consenter.PeerEndpoint, CaCertificate = Path.Combine("..", "crypto", "orgs", "Bank", "ca", "ca.crt") }];
        foreach (var channel in config.Channels)
        {
            channel.Observe = true;
            channel.GenesisFile = consenter.Config.Resolve(consenter.Config.Channels.Single(c => c.Name == channel.Name).GenesisFile!);
        }
        // An observer signs no blocks; its key is not a consenter.
        Chain.Sdk.Crypto.Keystore.Write(config.Resolve("observer-key.json"), Chain.Sdk.Crypto.AccountKey.Generate(), "pw", light: true);
        File.WriteAllText(config.Resolve("observer-key.password"), "pw");
        config.KeyFile = "observer-key.json";
        config.PasswordFile = "observer-key.password";
    };

    private static async Task PutAsync(NodeProcess node, string key) =>
        Assert.Equal(ValidationCode.Valid, (await node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = Build.Put(key, "v-" + key) })).Code);

    private static async Task<(ulong Height, ByteString Hash, ByteString StateRoot)> HeadAsync(NodeProcess node, string channel = "sandbox")
    {
        var info = (await node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = channel })).Channels[0];
        return (info.Height, info.LastBlockHash, info.StateRoot);
    }

    private static async Task CaughtUpAsync(NodeProcess observer, NodeProcess consenter)
    {
        var target = await HeadAsync(consenter);
        try { await Wait.UntilAsync(async () => (await HeadAsync(observer)).Height >= target.Height, "observer catches up"); }
        catch (TimeoutException e) { throw new TimeoutException($"{e.Message}\n--- observer ---\n{observer.Tail(60)}", e); }
        Assert.Equal(target, await HeadAsync(observer));
    }

    [Fact]
    public async Task ObserverJoiningLate_CatchesUpFromGenesis_FollowsLive_ServesQueries_AndRefusesTransactions()
    {
        await using var consenter = await NodeProcess.StartAsync();
        for (int i = 0; i < 12; i++) await PutAsync(consenter, $"early-{i}");

        await using var observer = await NodeProcess.StartAsync(ObserverOf(consenter));
        await CaughtUpAsync(observer, consenter);
        var last = (await HeadAsync(consenter)).Height - 1;
        var here = await observer.Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "sandbox", Number = last });
        var there = await consenter.Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "sandbox", Number = last });
        Assert.Equal(there.Header.StateRoot, here.Header.StateRoot);

        var value = await observer.Client.Gateway.EvaluateAsync(new EvaluateRequest { Channel = "sandbox", Contract = "kv", Function = "get", Args = ByteString.CopyFromUtf8("{\"key\":\"early-7\"}") });
        Assert.Contains("v-early-7", value.Result.ToStringUtf8());

        Assert.Equal("observer", (await observer.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "sandbox" })).Channels[0].Role);
        Assert.Equal("solo", (await consenter.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "sandbox" })).Channels[0].Role);
        // A transaction sent to the observer is relayed to the consenter; SubmitAndWait answers once the observer has the block.
        var relayed = await observer.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = Build.Put("via-observer", "relayed") });
        Assert.Equal(ValidationCode.Valid, relayed.Code);
        var onConsenter = await consenter.Client.Gateway.CommitStatusAsync(new CommitStatusRequest { Channel = "sandbox", TxId = relayed.TxId });
        Assert.Equal((true, relayed.BlockNumber), (onConsenter.Committed, onConsenter.BlockNumber));
        // Refusals come back as the consenter's own answer.
        var expired = await Assert.ThrowsAsync<RpcException>(() => observer.Client.Gateway.SubmitAsync(new SubmitRequest { Transaction = Build.Put("nope", "x", timestampMs: 1) }).ResponseAsync);
        Assert.StartsWith("EXPIRED:", expired.Status.Detail);

        for (int i = 0; i < 5; i++) await PutAsync(consenter, $"live-{i}");
        await CaughtUpAsync(observer, consenter);

        // Restarted, it resumes from its own height.
        await observer.StopAsync();
        for (int i = 0; i < 5; i++) await PutAsync(consenter, $"while-down-{i}");
        await observer.StartProcessAsync();
        await CaughtUpAsync(observer, consenter);
        Assert.Contains("applied pulled block", observer.Log);

        // Without a reachable ordering node the observer says so instead of accepting.
        await consenter.StopAsync();
        var unreachable = await Assert.ThrowsAsync<RpcException>(() => observer.Client.Gateway.SubmitAsync(new SubmitRequest { Transaction = Build.Put("lost", "x") }).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, unreachable.StatusCode);
        Assert.StartsWith("NO_ORDERER:", unreachable.Status.Detail);
        // ...and its health does too, once no peer has answered its pull for a while.
        await Wait.UntilAsync(async () => (await observer.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "sandbox" })).Channels[0].Problems
            .Any(p => p.StartsWith("channel 'sandbox': no peer reached since", StringComparison.Ordinal)), "the observer reports its unreachable peer", TimeSpan.FromSeconds(30));
    }

    [Fact]
    public void ObservedChannel_WithoutPeers_IsAConfigError()
    {
        var config = new NodeConfig { Channels = { new ChannelSettings { Name = "sandbox", Observe = true } } };
        var error = Assert.Throws<ConfigException>(config.Validate);
        Assert.Contains("needs 'peers'", error.Message);
    }
    [Fact]
    public async Task ABlockWhoseReExecutionDiffersHere_HaltsTheChannelOnTheObserver_WritesNothing_AndItFollowsAgainOnceItsStateIsRepaired()
    {
        await using var consenter = await NodeProcess.StartAsync();
        await PutAsync(consenter, "diverge");
        await using var observer = await NodeProcess.StartAsync(ObserverOf(consenter));
        await CaughtUpAsync(observer, consenter);
        var before = await HeadAsync(observer);

        // Behind the ledger's back the observer's copy now says Bob owns the key, so its re-execution of Alice's next
        // write to it refuses what the consenter accepted: its results and state root differ from the block's.
        await observer.StopAsync();
        var owner = Chain.Node.Storage.KeyCodec.State("kv", "o/diverge");
        byte[]? alice = null;
        Node.Ledger.ChannelLedgerTests.Rewrite(observer.ChannelDir("sandbox"), Chain.Node.Storage.Column.State, owner, v => { alice = v; return System.Text.Encoding.UTF8.GetBytes(Build.Bob.AddressText); });
        await observer.StartProcessAsync();
        await PutAsync(consenter, "diverge");
        await Wait.UntilAsync(async () => (await observer.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "sandbox" })).Channels[0].Role == "halted",
            "the observer halts the channel");
        var halted = (await observer.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "sandbox" })).Channels[0];
        Assert.Contains(halted.Problems, p => p.Contains("stopped following its peers") && p.Contains($"block {before.Height}"));
        Assert.Equal(before.Height, halted.Height); // the differing block was not written
        // Its committed state stays readable; transactions are refused with the reason.
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => observer.Client.Gateway.SubmitAsync(new SubmitRequest { Transaction = Build.Put("more", "v") }).ResponseAsync);
        Assert.StartsWith("HALTED:", refused.Status.Detail);

        // The offline check finds the cause; repaired, the observer follows again and ends identical to the consenter.
        await observer.StopAsync();
        var verify = await ChainBinary.RunAsync("ledger", "verify", "--dir", observer.DataDir);
        Assert.Equal(1, verify.ExitCode);
        Assert.Contains("state was altered", verify.StdErr);
        Node.Ledger.ChannelLedgerTests.Rewrite(observer.ChannelDir("sandbox"), Chain.Node.Storage.Column.State, owner, _ => alice!);
        await observer.StartProcessAsync();
        await CaughtUpAsync(observer, consenter);
    }
}
