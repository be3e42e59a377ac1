using System.Net;
using System.Text.RegularExpressions;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Tests.TestKit;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>The operations endpoint of a real node (Prometheus metrics, health) and its OpenTelemetry traces.</summary>
public sealed class ObservabilityTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private NodeProcess Node => fixture.Node;

    private async Task<string> ScrapeAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync(Node.OperationsEndpoint + "/metrics");
    }

    /// <summary>The value of one series (exact labels), 0 when it is not there yet.</summary>
    private static double Value(string scrape, string series)
    {
        var match = Regex.Match(scrape, "^" + Regex.Escape(series) + @" (\S+)$", RegexOptions.Multiline);
        return match.Success ? double.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    [Fact]
    public async Task Metrics_ExposeTheListedSeries_AndABlockCommitMovesThem()
    {
        // A refusal and a query first, so their series exist.
        var tx = Build.Put("metrics/first", "1");
        await Node.Client.SubmitAndWaitAsync(tx);
        await Assert.ThrowsAsync<RpcException>(() => Node.Client.Gateway.SubmitAsync(new SubmitRequest { Transaction = tx }).ResponseAsync);
        await Node.Client.QueryAsync("sandbox", "kv", "get", """{"key":"metrics/first"}""");

        var before = await ScrapeAsync();
        foreach (var series in new[]
        {
            "chain_channel_height", "chain_blocks_committed_total", "chain_transactions_committed_total", "chain_block_phase_seconds_bucket",
            "chain_pending_transactions", "chain_channel_role", "chain_raft_term", "chain_commit_lag_blocks", "chain_peer_streams",
            "chain_rocksdb_bytes", "chain_admission_refused_total", "chain_query_seconds_bucket", "process_cpu_seconds_total",
        })
            Assert.True(Regex.IsMatch(before, "^" + series + "[{ ]", RegexOptions.Multiline), $"{series} is not exposed:\n{before}");
        Assert.Equal(1, Value(before, """chain_admission_refused_total{channel="sandbox",code="DUPLICATE_TXID"}"""));
        Assert.True(Value(before, """chain_query_seconds_count{channel="sandbox",contract="kv",function="get"}""") >= 1);
        Assert.Equal(1, Value(before, """chain_channel_role{channel="sandbox",role="solo"}"""));
        Assert.True(Value(before, """chain_rocksdb_bytes{channel="sandbox",kind="wal"}""") > 0);

        var status = await Node.Client.SubmitAndWaitAsync(Build.Put("metrics/second", "2"));
        var after = await ScrapeAsync();
        Assert.Equal(Value(before, """chain_blocks_committed_total{channel="sandbox",source="proposed"}""") + 1, Value(after, """chain_blocks_committed_total{channel="sandbox",source="proposed"}"""));
        Assert.Equal(Value(before, """chain_transactions_committed_total{channel="sandbox",code="VALID"}""") + 1, Value(after, """chain_transactions_committed_total{channel="sandbox",code="VALID"}"""));
        Assert.Equal(status.BlockNumber + 1, Value(after, """chain_channel_height{channel="sandbox"}"""));
        Assert.Equal(Value(before, """chain_block_phase_seconds_count{channel="sandbox",phase="write"}""") + 1, Value(after, """chain_block_phase_seconds_count{channel="sandbox",phase="write"}"""));
    }

    [Fact]
    public async Task TheGrafanaDashboard_QueriesOnlySeriesTheNodeExports()
    {
        await Node.Client.SubmitAndWaitAsync(Build.Put("metrics/dashboard", "1"));
        await Node.Client.QueryAsync("sandbox", "kv", "get", """{"key":"metrics/dashboard"}""");
        var exported = Regex.Matches(await ScrapeAsync(), @"^(\w+)[{ ]", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet();
        var dashboard = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Repo.Root, "network-config", "grafana-dashboard.json"))).RootElement;
        var queried = dashboard.GetProperty("panels").EnumerateArray().SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .SelectMany(t => Regex.Matches(t.GetProperty("expr").GetString()!, @"\b((?:chain|process)_\w+)\b").Select(m => m.Groups[1].Value)).ToHashSet();
        Assert.True(queried.Count >= 12, $"the dashboard queries {queried.Count} series");
        // The admission-refusal series appears with the first refusal; this node has had none.
        Assert.Empty(queried.Except(exported).Except(["chain_admission_refused_total"]));
    }

    [Fact]
    public async Task Status_ShowsWhereTheApiAndMetricsAre_AndEachChannelsPendingLagAndStore()
    {
        var result = await ChainBinary.RunAsync("--endpoint", Node.Endpoint, "status", "-o", "json");
        Assert.True(result.ExitCode == 0, result.StdErr);
        var status = System.Text.Json.JsonDocument.Parse(result.StdOut).RootElement;
        Assert.Equal(Node.Config.HttpListen, status.GetProperty("httpApi").GetString());
        Assert.Equal(Node.OperationsEndpoint + "/metrics", status.GetProperty("metrics").GetString());
        var sandbox = status.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "sandbox");
        Assert.Equal(0, sandbox.GetProperty("pending").GetInt32());
        Assert.True(sandbox.GetProperty("storeBytes").GetInt64() > 0);

        var table = await ChainBinary.RunAsync("--endpoint", Node.Endpoint, "status");
        Assert.Contains("PENDING", table.StdOut);
        Assert.Contains(Node.OperationsEndpoint + "/metrics", table.StdOut);
    }

    [Fact]
    public async Task TheOperationsEndpoint_ServesOnlyMetricsAndHealth_AndTheApiPortsNoMetrics()
    {
        using var http = new HttpClient();
        Assert.Equal("ok\n", await http.GetStringAsync(Node.OperationsEndpoint + "/healthz"));
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Node.OperationsEndpoint + "/v1/info")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(Node.HttpEndpoint + "/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(Node.HttpEndpoint + "/v1/info")).StatusCode);
    }
}

/// <summary>Traces exported over OTLP to a collector the test runs on loopback.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task ASubmittedTransaction_IsTracedThroughOrderExecuteAndCommit_WithItsTxId()
    {
        int port = NodeProcess.FreePort();
        using var collector = new HttpListener();
        collector.Prefixes.Add($"http://127.0.0.1:{port}/");
        collector.Start();
        var received = new System.Collections.Concurrent.ConcurrentQueue<byte[]>();
        _ = Task.Run(async () =>
        {
            while (collector.IsListening)
            {
                HttpListenerContext context;
                try { context = await collector.GetContextAsync(); }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException) { return; }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                if (context.Request.Url!.AbsolutePath == "/v1/traces") received.Enqueue(body.ToArray());
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        });

        await using var node = await NodeProcess.StartAsync(c => c.Telemetry = new() { OtlpEndpoint = $"http://127.0.0.1:{port}", Protocol = "http/protobuf" });
        var status = await node.Client.SubmitAndWaitAsync(Build.Put("traced", "yes"));
        // OTLP is protobuf: the tx id and span names are in it as plain UTF-8 strings.
        bool Has(string text) => received.Any(b => System.Text.Encoding.UTF8.GetString(b).Contains(text));
        await Wait.UntilAsync(() => Task.FromResult(Has(status.TxId) && Has("order") && Has("execute") && Has("commit") && Has("chain.tx_id")),
            "the node to export the transaction's spans", TimeSpan.FromSeconds(30));
        var spans = System.Text.Encoding.UTF8.GetString(received.SelectMany(b => b).ToArray());
        Assert.True(Regex.Matches(spans, status.TxId).Count >= 4, "the submit call and the order, execute and commit spans each carry the tx id");
    }
}
