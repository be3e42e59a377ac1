using System.Diagnostics;
using System.Text.Json;
using Chain.Cli.Commands;
using Chain.Cli.Commands.Bench;
using Chain.Cli.Commands.Operate;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>The `chain` program as a user runs it, against a real node.</summary>
// Never beside the other test that runs the five-process sample network: two of them at once starve 2 cores.
[Collection(ConsortiumOrderingTests.FiveProcessNetworks)]
public class CliTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private NodeProcess Node => fixture.Node;

    private Task<ChainBinary.Result> Run(params string[] args) => ChainBinary.RunAsync(["--endpoint", Node.Endpoint, .. args]);

    [Fact]
    public async Task WithSeveralEndpoints_ACallFailsOverFromAGoneNode_AndTheSameTransactionAgainReportsItsOriginalCommit()
    {
        var gone = $"http://127.0.0.1:{NodeProcess.FreePort()}";
        var teller = Node.Account("Bank", "teller1");
        var password = Path.ChangeExtension(teller, ".password");
        string[] put = ["invoke", "-c", "sandbox", "-k", "kv", "-f", "put", "-a", "{\"key\":\"failover\",\"value\":\"v\"}", "--key", teller, "--password-file", password, "--wait", "-o", "json"];
        var invoked = await ChainBinary.RunAsync(["--endpoint", $"{gone},{Node.Endpoint}", .. put]);
        Assert.True(invoked.ExitCode == 0, invoked.StdErr);
        Assert.Equal("VALID", JsonDocument.Parse(invoked.StdOut).RootElement.GetProperty("code").GetString());
        Assert.StartsWith("retrying (1): ", invoked.StdErr);
        Assert.Contains("; trying the next endpoint", invoked.StdErr);
        // One try, when asked: one line, non-zero.
        var once = await ChainBinary.RunAsync(["--endpoint", gone, "--retry-for", "0", .. put]);
        Assert.NotEqual(0, once.ExitCode);
        Assert.StartsWith("error: ", Assert.Single(once.StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        // The SDK: the same signed transaction sent again is not applied again; the answer is its first commit.
        var key = Chain.Sdk.Crypto.Keystore.Read(teller, File.ReadAllText(password).Trim());
        using var client = new Chain.Sdk.Client.ChainClient($"{gone},{Node.Endpoint}");
        var tx = Chain.Sdk.Transactions.TransactionFactory.Create(key, "sandbox", "kv", "put", "{\"key\":\"twice\",\"value\":\"v\"}");
        var first = await Chain.Sdk.Client.ContractCalls.SubmitAndWaitAsync(client, tx, key);
        Assert.Equal(Node.Endpoint, client.Endpoint);
        var again = await Chain.Sdk.Client.ContractCalls.SubmitAndWaitAsync(client, tx, key);
        Assert.Equal((true, first.BlockNumber, Chain.Protocol.ValidationCode.Valid), (again.Committed, again.BlockNumber, again.Code));
        Assert.Equal(first.TxId, await Chain.Sdk.Client.ContractCalls.SubmitAsync(client, tx));
    }

    [Fact]
    public async Task AccountInvokeQueryBlockTx_Walkthrough()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("pw"), "correct horse");
        var created = await Run("account", "new", "--out", dir.Combine("alice.json"), "--password-file", dir.Combine("pw"), "--light-kdf", "-o", "json");
        Assert.Equal(0, created.ExitCode);
        var address = JsonDocument.Parse(created.StdOut).RootElement.GetProperty("address").GetString();

        var shown = await Run("account", "show", dir.Combine("alice.json"), "-o", "json");
        Assert.Equal(address, JsonDocument.Parse(shown.StdOut).RootElement.GetProperty("address").GetString());

        // A new account can do nothing until its organisation's admin enrols it.
        var refused = await Run("invoke", "-c", "sandbox", "-k", "kv", "-f", "put", "-a", "{\"key\":\"cli\",\"value\":\"walk\"}",
            "--key", dir.Combine("alice.json"), "--password-file", dir.Combine("pw"), "--wait");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("PermissionDenied: NOT_AUTHORIZED: account " + address + " is not enrolled on channel 'sandbox'", refused.StdErr);
        var bankAdmin = Node.Account("Bank", "admin");
        var enrolled = await Run("member", "enroll", "-c", "sandbox", "--address", address!, "--roles", "bank", "--key", bankAdmin,
            "--password-file", Path.ChangeExtension(bankAdmin, ".password"), "--wait");
        Assert.True(enrolled.ExitCode == 0, enrolled.StdErr);
        // Reads are signed too: Alice, now a Bank member with the role bank, reads the sandbox channel (and, as bank, its raw data).
        string[] asAlice = ["--key", dir.Combine("alice.json"), "--password-file", dir.Combine("pw")];
        var membership = JsonDocument.Parse((await Run(["member", "get", "-c", "sandbox", "--address", address!, .. asAlice])).StdOut).RootElement;
        Assert.Equal(("Bank", false), (membership.GetProperty("organization").GetString(), membership.GetProperty("revoked").GetBoolean()));

        var invoked = await Run("invoke", "-c", "sandbox", "-k", "kv", "-f", "put", "-a", "{\"key\":\"cli\",\"value\":\"walk\"}",
            "--key", dir.Combine("alice.json"), "--password-file", dir.Combine("pw"), "--wait", "-o", "json");
        Assert.True(invoked.ExitCode == 0, invoked.StdErr);
        var result = JsonDocument.Parse(invoked.StdOut).RootElement;
        Assert.Equal("VALID", result.GetProperty("code").GetString());
        var txId = result.GetProperty("txId").GetString()!;
        var block = result.GetProperty("block").GetUInt64();

        var unsigned = await Run("query", "-c", "sandbox", "-k", "kv", "-f", "get", "-a", "{\"key\":\"cli\"}");
        Assert.Equal(1, unsigned.ExitCode);
        Assert.StartsWith("error: Unauthenticated: UNSIGNED_READ: kv.get needs a signed read", unsigned.StdErr);
        var queried = await Run(["query", "-c", "sandbox", "-k", "kv", "-f", "get", "-a", "{\"key\":\"cli\"}", .. asAlice]);
        var value = JsonDocument.Parse(queried.StdOut).RootElement;
        Assert.Equal(("walk", address), (value.GetProperty("value").GetString(), value.GetProperty("owner").GetString()));

        var shownBlock = JsonDocument.Parse((await Run(["block", "get", block.ToString(), "-c", "sandbox", "-o", "json", .. asAlice])).StdOut).RootElement;
        Assert.Contains(txId, shownBlock.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("txId").GetString()));

        var shownTx = JsonDocument.Parse((await Run(["tx", "get", txId, "-c", "sandbox", "-o", "json", .. asAlice])).StdOut).RootElement;
        Assert.Equal((block, address), (shownTx.GetProperty("block").GetUInt64(), shownTx.GetProperty("creator").GetString()));

        var status = JsonDocument.Parse((await Run("status", "-o", "json")).StdOut).RootElement;
        Assert.Equal(["charity", "demolition-fund", "sandbox"], status.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel").GetString()));
    }

    [Theory]
    [InlineData(2, "WRONG_CHANNEL", "invoke", "-c", "nope", "-k", "kv", "-f", "put", "-a", "{\"key\":\"a\",\"value\":\"b\"}")]
    [InlineData(2, "UNKNOWN_FUNCTION", "invoke", "-c", "sandbox", "-k", "kv", "-f", "zap", "-a", "{}")]
    [InlineData(2, "--args is not valid JSON", "invoke", "-c", "sandbox", "-k", "kv", "-f", "put", "-a", "{oops")]
    [InlineData(2, "BAD_ARGS", "invoke", "-c", "sandbox", "-k", "kv", "-f", "put", "-a", "{\"key\":1,\"value\":\"b\"}")]
    [InlineData(1, "CONTRACT_ERROR", "query", "-c", "sandbox", "-k", "kv", "-f", "get", "-a", "{\"key\":\"no-such-key\"}")]
    [InlineData(2, "NO_SUCH_BLOCK", "block", "get", "999999", "-c", "sandbox")]
    [InlineData(2, "BAD_TXID", "tx", "get", "not-hex", "-c", "sandbox")]
    public async Task BadInput_ExitsNonZeroWithOneReadableLine(int exitCode, string message, params string[] args)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("pw"), "pw");
        global::Chain.Sdk.Crypto.Keystore.Write(dir.Combine("k.json"), Build.Alice, "pw", light: true);
        string[] signed = [.. args, "--key", dir.Combine("k.json"), "--password-file", dir.Combine("pw")];
        string[] full = args[0] == "invoke" ? [.. signed, "--wait"] : args[0] is "query" or "block" or "tx" ? signed : args;

        var result = await Run(full);

        Assert.Equal(exitCode, result.ExitCode);
        var lines = result.StdErr.Trim().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(message, lines[0]);
    }

    [Theory]
    [InlineData("block", "get")]
    [InlineData("invoke", "--bogus")]
    [InlineData("status", "-o", "xml")]
    public async Task UsageErrors_ExitWith2AndOneLine(params string[] args)
    {
        var result = await ChainBinary.RunAsync(args);
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StdErr.Trim().Split('\n'));
        Assert.StartsWith("error: ", result.StdErr);
    }

    [Fact]
    public async Task BenchKv_CommitsEveryTransactionItSent()
    {
        var result = await Run("bench", "kv", "--txs", "400", "--batch", "50", "--concurrency", "2", "-c", "sandbox", "-o", "json",
            "--key", Node.Account("Bank", "teller1"));
        Assert.True(result.ExitCode == 0, result.StdErr);
        var load = JsonDocument.Parse(result.StdOut).RootElement.GetProperty("load");
        Assert.Equal(400, load.GetProperty("committed").GetInt32());
        Assert.Equal(400, load.GetProperty("valid").GetInt32());
        Assert.True(load.GetProperty("txPerSecond").GetDouble() > 0);
    }

    [Fact]
    public async Task BenchFlood_AdmitsNoGarbage_AnswersEachKindSpecifically_AndEveryHonestTransactionCommits()
    {
        var result = await Run("bench", "flood", "--txs", "200", "--rate", "200", "--attackers", "2", "-c", "sandbox", "-o", "json", "--key", Node.Account("Bank", "teller1"));
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        var report = JsonDocument.Parse(result.StdOut).RootElement;
        Assert.Equal(0, report.GetProperty("admittedGarbage").GetInt64());
        Assert.Equal(0, report.GetProperty("unexpectedAnswers").GetInt64());
        Assert.Equal(200, report.GetProperty("underFlood").GetProperty("valid").GetInt32());
        foreach (var kind in report.GetProperty("garbage").EnumerateArray())
        {
            Assert.True(kind.GetProperty("calls").GetInt64() > 0, kind.ToString());
            Assert.All(kind.GetProperty("answers").EnumerateObject(), a => Assert.Contains(a.Name, BenchFloodCommand.Expected[kind.GetProperty("kind").GetString()!]));
        }
    }

    [Fact]
    public async Task BenchLedger_CommitsEveryBlockInAFreshLedger()
    {
        using var dir = new TempDirectory();
        var result = await ChainBinary.RunAsync("bench", "ledger", "--txs", "500", "--block-size", "100", "--dir", dir.Combine("ledger"), "-o", "json");
        Assert.True(result.ExitCode == 0, result.StdErr);
        var report = JsonDocument.Parse(result.StdOut).RootElement;
        Assert.Equal((500, 5), (report.GetProperty("transactions").GetInt32(), report.GetProperty("blocks").GetInt32()));
        var verify = await ChainBinary.RunAsync("ledger", "verify", "--dir", dir.Combine("ledger"));
        Assert.True(verify.ExitCode == 0, verify.StdErr);
        Assert.Contains("intact, 6 blocks", verify.StdOut);
    }

    [Fact]
    public async Task NetworkUp_OnAPortAnotherNodeServes_FailsInsteadOfReportingReady()
    {
        using var dir = new TempDirectory();
        var port = new Uri(Node.Endpoint).Port.ToString();
        var result = await ChainBinary.RunAsync("network", "up", "--dir", dir.Combine("net"), "--base-port", port, "--network", Repo.SampleNetworkFile);
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("ready at", result.StdOut);
        Assert.Contains($"127.0.0.1:{port}", result.StdErr);
        Assert.NotNull(await Node.Client.Ledger.GetChainInfoAsync(new global::Chain.Protocol.ChainInfoRequest())); // the existing node is untouched
    }

    [Fact]
    public async Task CryptoGenerateAndChannelCreate_WriteManifestAndGenesis_AndBadNetworkFileIsOneLine()
    {
        using var dir = new TempDirectory();
        var result = await ChainBinary.RunAsync("crypto", "generate", "--network", Repo.SampleNetworkFile, "--out", dir.Combine("crypto"), "-o", "json");
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(12, JsonDocument.Parse(result.StdOut).RootElement.GetProperty("organizations").GetArrayLength());
        Assert.True(File.Exists(dir.Combine("crypto", "manifest.json")));

        var created = await ChainBinary.RunAsync("channel", "create", "--network", Repo.SampleNetworkFile, "--crypto", dir.Combine("crypto"), "--out", dir.Combine("genesis"), "-o", "json");
        Assert.True(created.ExitCode == 0, created.StdErr);
        Assert.Equal(["charity", "demolition-fund", "sandbox"], JsonDocument.Parse(created.StdOut).RootElement.EnumerateArray().Select(c => c.GetProperty("channel").GetString()));
        Assert.True(File.Exists(dir.Combine("genesis", "demolition-fund.genesis")));

        File.WriteAllText(dir.Combine("bad.yaml"), "organizations: []\nchannels: []\n");
        var bad = await ChainBinary.RunAsync("crypto", "generate", "--network", dir.Combine("bad.yaml"), "--out", dir.Combine("crypto2"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Equal($"error: {dir.Combine("bad.yaml")}: organizations: at least one organisation is required", bad.StdErr.Trim());
    }

    [Fact]
    public async Task ChannelUpdate_SignedOffline_AppliesOnlyWithAMajorityOfAdmins()
    {
        using var dir = new TempDirectory();
        string[] Admin(string org) => ["--key", Node.Account(org, "admin"), "--password-file", Path.ChangeExtension(Node.Account(org, "admin"), ".password")];

        Assert.Equal(0, (await Run(["channel", "fetch", "-c", "demolition-fund", "--out", dir.Combine("config.json"), .. Admin("Bank")])).ExitCode);
        var json = File.ReadAllText(dir.Combine("config.json"));
        Assert.Contains("\"maxTxCount\": 2000", json);
        File.WriteAllText(dir.Combine("config.json"), json.Replace("\"maxTxCount\": 2000", "\"maxTxCount\": 500"));
        var proposed = await Run(["channel", "update", "-c", "demolition-fund", "--config", dir.Combine("config.json"), "--out", dir.Combine("update.pb"), .. Admin("Bank")]);
        Assert.True(proposed.ExitCode == 0, proposed.StdErr);

        // One of eight organisations: refused, and the reason says why.
        Assert.Equal(0, (await Run(["channel", "sign", dir.Combine("update.pb"), .. Admin("Bank")])).ExitCode);
        var minority = await Run(["channel", "submit", dir.Combine("update.pb"), .. Admin("Bank")]);
        Assert.True(minority.ExitCode == 1, minority.StdErr);
        Assert.Contains("needs the 'admins' policy (MAJORITY admin)", minority.StdErr);

        // Five of eight: applied.
        foreach (var org in new[] { "FinanceBureau", "StreetOffice", "AuditBureau", "Discipline" })
            Assert.Equal(0, (await Run(["channel", "sign", dir.Combine("update.pb"), .. Admin(org)])).ExitCode);
        var majority = await Run(["channel", "submit", dir.Combine("update.pb"), .. Admin("Bank")]);
        Assert.True(majority.ExitCode == 0, majority.StdErr);

        Assert.Equal(0, (await Run(["channel", "fetch", "-c", "demolition-fund", "--out", dir.Combine("after.json"), .. Admin("Bank")])).ExitCode);
        var after = File.ReadAllText(dir.Combine("after.json"));
        Assert.Contains("\"sequence\": \"1\"", after);
        Assert.Contains("\"maxTxCount\": 500", after);
    }

    [Fact]
    public async Task UnreachableNode_ExitsWith3()
    {
        var result = await ChainBinary.RunAsync("--endpoint", $"http://127.0.0.1:{NodeProcess.FreePort()}", "status");
        Assert.Equal(3, result.ExitCode);
        Assert.StartsWith("error: node unreachable", result.StdErr);
    }

    [Fact]
    public async Task MissingPassword_IsAUsageError()
    {
        using var dir = new TempDirectory();
        var result = await ChainBinary.RunAsync(new Dictionary<string, string> { ["CHAIN_PASSWORD"] = "" }, "account", "new", "--out", dir.Combine("x.json"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("password", result.StdErr);
        Assert.False(File.Exists(dir.Combine("x.json")));
    }

    [Fact]
    public async Task NetworkUp_StartsBothChannels_AndTheObserverNodeThatFollowsItsChannel_StopsCleanlyOnSigterm_AndLeavesANodeStartedByHand()
    {
        using var dir = new TempDirectory();
        var port = LocalCluster.FreePortBlock(2, 3);
        string[] upArgs = ["--dir", dir.Combine("net"), "--base-port", port.ToString(), "--network", Repo.SampleNetworkFile];
        var (process, output, ready) = StartNetworkUp(upArgs);
        using var _ = process;
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(120));
            using var client = new global::Chain.Sdk.Client.ChainClient($"http://127.0.0.1:{port}");
            var info = await client.Ledger.GetChainInfoAsync(new global::Chain.Protocol.ChainInfoRequest());
            Assert.Equal(["charity", "demolition-fund", "sandbox"], info.Channels.Select(c => c.Channel));
            Assert.All(info.Channels, c => Assert.Equal("solo", c.Consensus));
            Assert.Contains(output, l => l == $"discipline-node1 ready at http://127.0.0.1:{port + 1}  (channels: demolition-fund; http api http://127.0.0.1:{port + 1 + NetworkCommands.HttpPortOffset}; metrics http://127.0.0.1:{port + 1 + NetworkCommands.OperationsPortOffset}/metrics)");

            // What the bank's node commits, discipline inspection's own node has, block for block.
            File.WriteAllText(dir.Combine("standards.pdf"), "standards");
            File.WriteAllText(dir.Combine("account.txt"), "account");
            var created = await ChainBinary.RunAsync("--endpoint", $"http://127.0.0.1:{port}", "fund", "--crypto", dir.Combine("net", "crypto"), "project", "create", "UP-P", "--name", "Block 1",
                "--budget", "1000.00", "--standards", dir.Combine("standards.pdf"), "--dept", "ExpropriationOffice", "--impl", "StreetOffice", "--finance", "FinanceBureau", "--bank", "Bank",
                "--account", dir.Combine("account.txt"), "--signing-from", "2020-01-01", "--signing-to", "2099-12-31", "--as", "DistrictGovernment/official1");
            Assert.True(created.ExitCode == 0, created.StdErr);
            var head = (await client.Ledger.GetChainInfoAsync(new global::Chain.Protocol.ChainInfoRequest { Channel = "demolition-fund" })).Channels[0];
            Assert.True(head.Height > 1);
            using var discipline = new global::Chain.Sdk.Client.ChainClient($"http://127.0.0.1:{port + 1}");
            await Wait.UntilAsync(async () => (await discipline.Ledger.GetChainInfoAsync(new global::Chain.Protocol.ChainInfoRequest { Channel = "demolition-fund" })).Channels[0].Height >= head.Height, "the observer follows");
            var theirs = (await discipline.Ledger.GetChainInfoAsync(new global::Chain.Protocol.ChainInfoRequest { Channel = "demolition-fund" })).Channels[0];
            Assert.Equal(("observer", head.LastBlockHash, head.StateRoot), (theirs.Role, theirs.LastBlockHash, theirs.StateRoot));

            await ProcessControl.StopAsync(process, TimeSpan.FromSeconds(60));
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            Assert.Equal(2, output.Count(l => l.Contains("stopped cleanly")));
            Assert.Contains("network stopped", output);

            async Task<Dictionary<string, JsonElement>> NetworkStatusAsync()
            {
                var shown = await ChainBinary.RunAsync("network", "status", "--dir", dir.Combine("net"), "-o", "json");
                return JsonDocument.Parse(shown.StdOut).RootElement.EnumerateArray().ToDictionary(n => n.GetProperty("node").GetString()!, n => n.Clone());
            }
            // A node started by hand on the folder is recognised, left running, and not stopped with the rest.
            using var byHand = ChainBinary.Start(["node", "start", "--config", dir.Combine("net", "node1", "config.json")]);
            byHand.OutputDataReceived += (_, _) => { };
            byHand.ErrorDataReceived += (_, _) => { };
            byHand.BeginOutputReadLine();
            byHand.BeginErrorReadLine();
            try
            {
                await Wait.UntilAsync(async () => (await NetworkStatusAsync())["node1"].GetProperty("state").GetString() == "serving", "node1 started by hand serves");
                var (again, againOutput, againReady) = StartNetworkUp(upArgs);
                using var __ = again;
                try
                {
                    await againReady.Task.WaitAsync(TimeSpan.FromSeconds(120));
                    Assert.Contains(againOutput, l => l.StartsWith($"node1 already runs on {dir.Combine("net", "node1", "data")} (pid {byHand.Id}, not started by this command)", StringComparison.Ordinal));
                    Assert.Equal(byHand.Id, (await NetworkStatusAsync())["node1"].GetProperty("pid").GetInt32());
                    await ProcessControl.StopAsync(again, TimeSpan.FromSeconds(60));
                    again.WaitForExit();
                }
                finally
                {
                    if (!again.HasExited) again.Kill(entireProcessTree: true);
                }
                var after = await NetworkStatusAsync();
                Assert.Equal(("serving", "not running"), (after["node1"].GetProperty("state").GetString(), after["discipline-node1"].GetProperty("state").GetString()));
            }
            finally
            {
                await ProcessControl.StopAsync(byHand, TimeSpan.FromSeconds(30));
            }
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task NetworkUp_WithThreeConsentersPerChannel_RunsRaftAmongThreeOrganisations_ServesEveryNode_RestartsAKilledOne_AndRefusesAnotherSizeOnTheSameFolder()
    {
        using var dir = new TempDirectory();
        var port = LocalCluster.FreePortBlock(5, 3);
        string[] upArgs = ["--nodes", "3", "--no-observers", "--restart", "on-failure", "--dir", dir.Combine("net"), "--base-port", port.ToString(), "--network", Repo.SampleNetworkFile];
        var (process, output, ready) = StartNetworkUp(upArgs);
        using var _ = process;
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(120));
            // charity and sandbox are ordered by the nodes of Bank, CivilAffairs and CharityFoundation, the fund by those of
            // Bank, FinanceBureau and AuditBureau: five processes, each node's folder named by its place.
            Assert.Equal(["node1 charity, demolition-fund, sandbox", "node2 charity, sandbox", "node3 charity, sandbox", "node4 demolition-fund", "node5 charity, demolition-fund"],
                output.Where(l => l.Contains(" ready at http://127.0.0.1:")).Select(l => l.Split(' ')[0] + " " + l.Split("(channels: ")[1].Split(';')[0]).Order());
            var nodes = Enumerable.Range(0, 3).Select(i => new global::Chain.Sdk.Client.ChainClient($"http://127.0.0.1:{port + i}")).ToArray();
            // The sample teller of the generated crypto writes through the third node; every node gets the block.
            var teller = global::Chain.Sdk.Crypto.Keystore.Read(dir.Combine("net/crypto/orgs/Bank/accounts/teller1.json"), File.ReadAllText(dir.Combine("net/crypto/orgs/Bank/accounts/teller1.password")).Trim());
            var committed = await nodes[2].Gateway.SubmitAndWaitAsync(new global::Chain.Protocol.SubmitRequest { Transaction = Build.Put("three", "nodes", teller) });
            Assert.Equal(global::Chain.Protocol.ValidationCode.Valid, committed.Code);
            await Wait.UntilAsync(async () =>
            {
                var infos = await Task.WhenAll(nodes.Select(async n => (await n.Ledger.GetChainInfoAsync(new global::Chain.Protocol.ChainInfoRequest { Channel = "sandbox" })).Channels[0]));
                return infos.All(i => i.Consensus == "raft" && i.Height > committed.BlockNumber) && infos.Count(i => i.Role == "leader") == 1;
            }, "three Raft nodes with one leader and the block");
            var status = await ChainBinary.RunAsync("status", "--endpoint", $"http://127.0.0.1:{port}");
            Assert.Matches(@"sandbox\s+(leader|follower)\s+\d+ node\d", status.StdOut);
            foreach (var n in nodes) n.Dispose();

            // network status: each node's process and, per channel, its role and height.
            async Task<Dictionary<string, JsonElement>> NetworkStatusAsync()
            {
                var shown = await ChainBinary.RunAsync("network", "status", "--dir", dir.Combine("net"), "-o", "json");
                return JsonDocument.Parse(shown.StdOut).RootElement.EnumerateArray().ToDictionary(n => n.GetProperty("node").GetString()!, n => n.Clone());
            }
            var before = await NetworkStatusAsync();
            Assert.Equal(["node1", "node2", "node3", "node4", "node5"], before.Keys.Order());
            string RoleOn(string node, string channel) => before[node].GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == channel).GetProperty("role").GetString()!;
            Assert.Equal("observer", RoleOn("node5", "charity")); // the audit office's node orders the fund and follows the charity ledger
            Assert.All(new[] { "node1", "node4", "node5" }, n => Assert.Contains(RoleOn(n, "demolition-fund"), new[] { "leader", "follower" }));
            Assert.All(before.Values, n => Assert.Equal("serving", n.GetProperty("state").GetString()));
            Assert.Contains(before["node1"].GetProperty("channels").EnumerateArray(), c => c.GetProperty("channel").GetString() == "sandbox" && c.GetProperty("role").GetString() is "leader" or "follower");
            // Killed, a node is started again (--restart on-failure), and serves with a new process.
            int killed = before["node3"].GetProperty("pid").GetInt32();
            System.Diagnostics.Process.GetProcessById(killed).Kill();
            await Wait.UntilAsync(async () => (await NetworkStatusAsync())["node3"] is var n && n.GetProperty("state").GetString() == "serving"
                && n.GetProperty("pid").ValueKind == JsonValueKind.Number && n.GetProperty("pid").GetInt32() != killed, "node3 is started again", TimeSpan.FromSeconds(90));
            Assert.Contains(output, l => l.StartsWith("warning: node3 exited with code 137; starting it again in 1 s (restart 1)", StringComparison.Ordinal));

            var other = await ChainBinary.RunAsync("network", "up", "--nodes", "1", "--no-observers", "--dir", dir.Combine("net"), "--base-port", port.ToString(), "--network", Repo.SampleNetworkFile);
            Assert.Equal(2, other.ExitCode);
            Assert.Contains("holds a network made with --nodes 3; use --nodes 3 or another --dir", other.StdErr);
            var tooMany = await ChainBinary.RunAsync("network", "up", "--nodes", "6", "--dir", dir.Combine("other"), "--network", Repo.SampleNetworkFile);
            Assert.Equal(2, tooMany.ExitCode);
            Assert.Contains("--nodes 6: the channels of the network file list at most 5 consenters; a local network orders each channel by 1 to 5 of them, not 6", tooMany.StdErr);

            await ProcessControl.StopAsync(process, TimeSpan.FromSeconds(60));
            process.WaitForExit();
            Assert.Equal(0, process.ExitCode);
            Assert.Equal(5, output.Count(l => l.Contains("stopped cleanly")));

        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }

    /// <summary>Starts `chain network up` with its output collected; <c>ready</c> completes when it says the network is up.</summary>
    private static (Process Process, System.Collections.Concurrent.ConcurrentQueue<string> Output, TaskCompletionSource Ready) StartNetworkUp(params string[] args)
    {
        var process = ChainBinary.Start(["network", "up", .. args]);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var ready = new TaskCompletionSource();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            output.Enqueue(e.Data);
            if (e.Data.Contains("press Ctrl-C")) ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, output, ready);
    }
}
