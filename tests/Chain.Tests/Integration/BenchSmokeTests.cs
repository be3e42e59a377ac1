using System.Text.Json;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// A few seconds of every <c>chain bench</c> workload against a real node, so the tool keeps working: each run commits
/// everything it sent and reports what it measured. No figure is asserted (speed lives in docs/PERFORMANCE.md).
/// </summary>
public class BenchSmokeTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private NodeProcess Node => fixture.Node;

    private string NetworkDir => Path.GetDirectoryName(Node.CryptoDir)!;

    private async Task<JsonElement> BenchAsync(params string[] args)
    {
        var result = await ChainBinary.RunAsync(["--endpoint", Node.Endpoint, "bench", .. args, "--dir", NetworkDir, "-o", "json"]);
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        var report = JsonDocument.Parse(result.StdOut).RootElement;
        Assert.True(report.GetProperty("verifyCeiling").GetDouble() > 0);
        Assert.Contains(report.GetProperty("nodes").EnumerateArray(), n => n.GetProperty("pid").GetInt32() > 0 && n.GetProperty("rssMegabytes").GetDouble() > 0);
        return report;
    }

    [Theory]
    [InlineData("donate", 300, "--campaigns", "3")]
    [InlineData("mixed", 300, "--rate", "300", "--query-rate", "40")]
    [InlineData("kv", 300, "--rate", "600", "--warmup", "50")]
    public async Task ATransactionWorkload_CommitsEverythingItSent_AndReportsLatencyAndNodeUsage(string workload, int txs, params string[] more)
    {
        var report = await BenchAsync([workload, "--txs", txs.ToString(), "--batch", "50", .. more]);
        var load = report.GetProperty("load");
        Assert.Equal((txs, txs, 0), (load.GetProperty("committed").GetInt32(), load.GetProperty("valid").GetInt32(), load.GetProperty("invalid").GetInt32()));
        Assert.True(load.GetProperty("latencyMaxMs").GetDouble() >= load.GetProperty("latencyP99Ms").GetDouble());
        Assert.True(load.GetProperty("latencyP99Ms").GetDouble() >= load.GetProperty("latencyP90Ms").GetDouble());
        if (workload == "mixed") Assert.True(report.GetProperty("queries").GetProperty("calls").GetInt32() > 0);
    }

    [Fact]
    public async Task Pay_TakesEveryHouseholdThroughTheTenSteps()
    {
        var report = await BenchAsync("pay", "--txs", "20");
        var phases = report.GetProperty("phases").EnumerateArray().ToList();
        Assert.Equal(10, phases.Count);
        Assert.Equal("ConfirmPayment", phases[^1].GetProperty("function").GetString());
        Assert.All(phases, p => Assert.Equal(20, p.GetProperty("valid").GetInt32()));
    }

    [Fact]
    public async Task Query_AnswersEveryCall()
    {
        var report = await BenchAsync("query", "--calls", "200", "--donations", "100", "--functions", "TraceDonation,DonorStatement,GetCampaign,CampaignLedger");
        var queries = report.GetProperty("queries");
        Assert.Equal((200, 0), (queries.GetProperty("calls").GetInt32(), queries.GetProperty("failed").GetInt32()));
    }

    [Fact]
    public async Task Plot_DrawsSavedReportsIntoAPng()
    {
        using var dir = new TempDirectory();
        var files = new List<string>();
        foreach (var rate in new[] { 200, 400 })
        {
            var result = await ChainBinary.RunAsync("--endpoint", Node.Endpoint, "bench", "kv", "--txs", (rate / 2).ToString(), "--rate", rate.ToString(), "--batch", "20", "--dir", NetworkDir, "-o", "json");
            Assert.True(result.ExitCode == 0, result.StdErr);
            files.Add(dir.Combine($"kv{rate}.json"));
            File.WriteAllText(files[^1], result.StdOut);
        }
        var png = dir.Combine("plot.png");
        var plotted = await ChainBinary.RunAsync(["bench", "plot", .. files, "--out", png]);
        Assert.True(plotted.ExitCode == 0, plotted.StdErr);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
    }

    [Fact]
    public async Task BenchWithNodes_StartsItsOwnNetwork_AndStopsIt()
    {
        int port = NodeProcess.FreePort();
        var result = await ChainBinary.RunAsync("bench", "kv", "--nodes", "1", "--base-port", port.ToString(), "--txs", "200", "--batch", "50", "--network", Repo.SampleNetworkFile, "-o", "json");
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        var report = JsonDocument.Parse(result.StdOut).RootElement;
        Assert.Equal(200, report.GetProperty("load").GetProperty("valid").GetInt32());
        var pid = report.GetProperty("nodes")[0].GetProperty("pid").GetInt32();
        await Wait.UntilAsync(() => Task.FromResult(!File.Exists($"/proc/{pid}/stat")), "the benchmark's node to stop", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task LedgerDonate_WritesTheNodesOwnChannelLedger_WhichVerifiesAgainstItsGenesis()
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("net");
        var result = await ChainBinary.RunAsync("bench", "ledger", "-w", "donate", "--txs", "300", "--block-size", "100", "--campaigns", "2", "--dir", root, "--network", Repo.SampleNetworkFile, "-o", "json");
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal((300, 3), (JsonDocument.Parse(result.StdOut).RootElement.GetProperty("transactions").GetInt32(), JsonDocument.Parse(result.StdOut).RootElement.GetProperty("blocks").GetInt32()));
        var verify = await ChainBinary.RunAsync("ledger", "verify", "--dir", Path.Combine(root, "node1", "config.json"), "-c", "charity");
        Assert.True(verify.ExitCode == 0, verify.StdErr + verify.StdOut);
        Assert.Contains("intact, 5 blocks", verify.StdOut); // genesis, the setup block, three of donations
    }
}
