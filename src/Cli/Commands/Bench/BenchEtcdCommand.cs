using System.CommandLine;
using System.Diagnostics;
using Chain.Cli.Etcd;
using Chain.Cli.Output;
using Chain.Node.Hosting;
using Google.Protobuf;
using Grpc.Net.Client;

namespace Chain.Cli.Commands.Bench;

/// <summary>
/// <c>chain bench etcd</c>: durable puts into an etcd cluster on this machine, the side-by-side anchor for the Raft
/// network (bench/etcd-compare.sh starts the cluster and runs both). Each request is one put or a transaction of
/// <c>--per-txn</c> puts of new keys, from <c>--clients</c> concurrent callers; etcd syncs its log on every commit.
/// </summary>
internal static class BenchEtcdCommand
{
    /// <param name="VerifyCeiling">This machine's signature-verify ceiling in the same run, so the rate can be compared across runs.</param>
    public sealed record EtcdResult(string Endpoint, int Puts, int PerTxn, int Clients, double Seconds, double PutsPerSecond, double RequestsPerSecond,
        double P50Ms, double P99Ms, double VerifyCeiling, double RatioToCeiling);

    public static Command Build()
    {
        var endpoint = new Option<string>("--etcd") { Description = "client URL of an etcd member (a follower, to compare with a Chain follower)", Required = true };
        var puts = new Option<int>("--puts") { Description = "puts in all", DefaultValueFactory = _ => 50_000 };
        var perTxn = new Option<int>("--per-txn") { Description = "puts per request (1: a plain Put; more: one Txn of that many puts)", DefaultValueFactory = _ => 100 };
        var clients = new Option<int>("--clients") { Description = "concurrent callers", DefaultValueFactory = _ => 4 };
        var valueBytes = new Option<int>("--value-bytes") { Description = "size of each value", DefaultValueFactory = _ => 32 };
        var command = new Command("etcd", "durable puts into an etcd cluster (the anchor of bench/etcd-compare.sh)") { endpoint, puts, perTxn, clients, valueBytes };
        command.SetHandler(async (parse, cancel) =>
        {
            int total = parse.GetValue(puts), batch = parse.GetValue(perTxn), callers = parse.GetValue(clients), bytes = parse.GetValue(valueBytes);
            if (total < 1 || batch is < 1 or > 10_000 || callers is < 1 or > 1024 || bytes is < 1 or > 1_000_000)
                throw new UsageException("--puts ≥ 1, --per-txn 1..10000, --clients 1..1024, --value-bytes 1..1000000");
            var url = parse.GetValue(endpoint)!;
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "http") throw new UsageException($"--etcd '{url}': an http:// URL");
            var ceiling = LedgerBenchmark.VerifyCeiling();
            var result = await RunAsync(url, total, batch, callers, bytes, cancel);
            result = result with { VerifyCeiling = ceiling, RatioToCeiling = result.PutsPerSecond / ceiling };
            Printer.Print(parse, result, () => Printer.Pairs(
                ("etcd", result.Endpoint), ("puts", $"{result.Puts}, {result.PerTxn} per request, {result.Clients} clients"),
                ("throughput", $"{result.PutsPerSecond:F0} puts/s ({result.RequestsPerSecond:F0} requests/s) over {result.Seconds:F2} s"),
                ("latency p50/p99", $"{result.P50Ms:F1} / {result.P99Ms:F1} ms per request"),
                ("verify ceiling", $"{result.VerifyCeiling:F0} signed tx/s (same run)"), ("ratio to the ceiling", $"{result.RatioToCeiling:F3}")));
            return 0;
        });
        return command;
    }

    public static async Task<EtcdResult> RunAsync(string url, int total, int perTxn, int clients, int valueBytes, CancellationToken cancel)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var value = ByteString.CopyFrom(new byte[valueBytes]);
        int requests = (total + perTxn - 1) / perTxn;
        var latencies = new double[requests];
        // A few connections, as etcd's own benchmark uses; HTTP/2 multiplexes the callers on each.
        var channels = Enumerable.Range(0, Math.Min(clients, 8)).Select(_ => GrpcChannel.ForAddress(url)).ToArray();
        try
        {
            int next = -1;
            var started = Stopwatch.GetTimestamp();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
            {
                var kv = new KV.KVClient(channels[c % channels.Length]);
                int r;
                while ((r = Interlocked.Increment(ref next)) < requests)
                {
                    int from = r * perTxn, to = Math.Min(total, from + perTxn);
                    var at = Stopwatch.GetTimestamp();
                    if (perTxn == 1) await kv.PutAsync(new PutRequest { Key = ByteString.CopyFromUtf8($"bench/{run}/{from}"), Value = value }, cancellationToken: cancel);
                    else
                    {
                        var txn = new TxnRequest();
                        for (int i = from; i < to; i++) txn.Success.Add(new RequestOp { RequestPut = new PutRequest { Key = ByteString.CopyFromUtf8($"bench/{run}/{i}"), Value = value } });
                        await kv.TxnAsync(txn, cancellationToken: cancel);
                    }
                    latencies[r] = Stopwatch.GetElapsedTime(at).TotalMilliseconds;
                }
            }, cancel)));
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            Array.Sort(latencies);
            return new EtcdResult(url, total, perTxn, clients, seconds, total / seconds, requests / seconds,
                latencies[requests / 2], latencies[Math.Min(requests - 1, (int)Math.Ceiling(0.99 * requests) - 1)], 0, 0);
        }
        catch (Grpc.Core.RpcException e) { throw new CommandFailedException($"etcd at {url}: {e.Status.StatusCode} {e.Status.Detail}"); }
        finally
        {
            foreach (var channel in channels) channel.Dispose();
        }
    }
}
