using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Chain.Cli.Output;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;
using Google.Protobuf;
using Grpc.Core;

namespace Chain.Cli.Commands.Bench;

/// <summary>
/// <c>chain bench flood</c>: honest kv.put load at a fixed rate, first alone, then while hostile clients flood the same
/// node with garbage (random bytes, oversized and deeply nested transactions, unenrolled signers, stale and unsigned
/// reads). Reports the honest clients' latency both times, what each kind of garbage was answered, and fails if any
/// garbage was admitted, answered with an unspecific error, or an honest transaction did not commit as VALID.
/// </summary>
internal static class BenchFloodCommand
{
    /// <summary>The kinds of garbage and the codes a node may answer them with; anything else is a finding.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> Expected = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        ["random-bytes"] = ["BAD_PAYLOAD", "WRONG_CHANNEL"], // random bytes now and then decode as a payload naming some channel
        ["oversized"] = ["TOO_LARGE"],
        ["deep-json"] = ["BAD_ARGS"],
        ["unenrolled-signer"] = ["NOT_AUTHORIZED"],
        ["stale-read"] = ["READ_EXPIRED"],
        ["unsigned-raw-read"] = ["UNSIGNED_READ"],
    };

    public sealed record KindReport(string Kind, long Calls, IReadOnlyDictionary<string, long> Answers, long Unexpected);

    public sealed record FloodResult(BenchCommands.Result Alone, BenchCommands.Result UnderFlood, double P99Ratio, double AttackCallsPerSecond,
        IReadOnlyList<KindReport> Garbage, long AdmittedGarbage, long UnexpectedAnswers);

    public static Command Build()
    {
        var channel = new Option<string>("--channel", "-c") { Description = "channel running the kv contract", DefaultValueFactory = _ => "sandbox" };
        var txs = BenchCommands.Txs(3000);
        var rate = new Option<int>("--rate") { Description = "honest offered load in tx/s", DefaultValueFactory = _ => 500 };
        var attackers = new Option<int>("--attackers") { Description = "hostile clients, each on its own connection", DefaultValueFactory = _ => 4 };
        var keyFile = new Option<string>("--key") { Description = "keystore of the honest account (enrolled, may write and read raw data)", DefaultValueFactory = _ => BenchCommands.DefaultBenchKey };
        var command = new Command("flood", "honest kv.put load alone and under a flood of garbage from hostile clients: latency ratio and every answer") { channel, txs, rate, attackers, keyFile };
        command.SetHandler(async (parse, cancel) =>
        {
            var settings = new BenchCommands.Settings(parse.GetValue(channel)!, parse.GetValue(txs), 50, 2, parse.GetValue(rate), 32);
            settings.Validate();
            if (settings.Rate < 1) throw new UsageException("--rate must be positive: the honest load is offered at a fixed rate");
            if (parse.GetValue(attackers) is < 1 or > 64) throw new UsageException("--attackers must be in 1..64");
            var key = BenchCommands.LoadKey(parse.GetValue(keyFile)!, null);
            using var client = GlobalOptions.Connect(parse, reader: key);
            var result = await RunAsync(client, parse.GetValue(GlobalOptions.Endpoint)!, settings, key, parse.GetValue(attackers), cancel);
            Printer.Print(parse, result, () =>
            {
                Printer.Pairs(("alone", Latency(result.Alone)), ("under flood", Latency(result.UnderFlood)), ("p99 ratio", $"{result.P99Ratio:F2} (under flood / alone)"),
                    ("attack", $"{result.AttackCallsPerSecond:F0} calls/s from {parse.GetValue(attackers)} clients"));
                foreach (var kind in result.Garbage)
                    Printer.Pairs((kind.Kind, $"{kind.Calls} answers: {string.Join(", ", kind.Answers.Select(a => $"{a.Key} {a.Value}"))}{(kind.Unexpected > 0 ? $"  ({kind.Unexpected} UNEXPECTED)" : "")}"));
                Printer.Pairs(("admitted garbage", result.AdmittedGarbage));
            });
            bool sound = result.AdmittedGarbage == 0 && result.UnexpectedAnswers == 0
                && result.Alone.Valid == settings.Txs && result.UnderFlood.Valid == settings.Txs;
            if (!sound) Console.Error.WriteLine($"error: the node admitted {result.AdmittedGarbage} garbage transactions, answered {result.UnexpectedAnswers} calls unexpectedly, or lost honest ones");
            return sound ? 0 : 1;
        });
        return command;
    }

    private static string Latency(BenchCommands.Result r) =>
        $"{r.Valid} valid, p50 {r.LatencyP50Ms:F0} ms, p99 {r.LatencyP99Ms:F0} ms, {r.TxPerSecond:F0} tx/s";

    public static async Task<FloodResult> RunAsync(ChainClient client, string endpoint, BenchCommands.Settings settings, AccountKey honest, int attackers, CancellationToken cancel)
    {
        var alone = await BenchCommands.RunKvAsync(client, settings, honest, cancel);

        var tally = Expected.Keys.ToDictionary(k => k, _ => new ConcurrentDictionary<string, long>(StringComparer.Ordinal));
        long admitted = 0, calls = 0;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var watch = Stopwatch.StartNew();
        var flood = Enumerable.Range(0, attackers).Select(n => Task.Run(async () =>
        {
            using var hostile = new ChainClient(endpoint);
            var kinds = Expected.Keys.ToArray();
            for (long round = n; !stop.IsCancellationRequested; round++)
            {
                var kind = kinds[round % kinds.Length];
                try
                {
                    foreach (var answer in await AttackAsync(hostile, kind, settings.Channel, honest, stop.Token))
                    {
                        if (answer == "ACCEPTED") Interlocked.Increment(ref admitted);
                        tally[kind].AddOrUpdate(answer, 1, (_, v) => v + 1);
                    }
                }
                catch (RpcException e) when (stop.IsCancellationRequested || e.StatusCode == StatusCode.Cancelled) { break; }
                catch (RpcException e) { tally[kind].AddOrUpdate(ErrorCodes.CodeOf(e) ?? e.StatusCode.ToString(), 1, (_, v) => v + 1); }
                catch (OperationCanceledException) { break; }
                Interlocked.Increment(ref calls);
            }
        })).ToArray();

        await Task.Delay(500, cancel); // let the flood reach its pace before measuring
        var underFlood = await BenchCommands.RunKvAsync(client, settings, honest, cancel);
        var seconds = watch.Elapsed.TotalSeconds;
        await stop.CancelAsync();
        await Task.WhenAll(flood);

        var garbage = tally.Select(t => new KindReport(t.Key, t.Value.Values.Sum(), new SortedDictionary<string, long>(t.Value, StringComparer.Ordinal),
            t.Value.Where(a => !Expected[t.Key].Contains(a.Key)).Sum(a => a.Value))).ToList();
        return new FloodResult(alone, underFlood, underFlood.LatencyP99Ms / Math.Max(1, alone.LatencyP99Ms), calls / seconds, garbage, admitted,
            garbage.Sum(g => g.Unexpected));
    }

    private static Transaction Signed(AccountKey key, string channel, string args) => TransactionFactory.Create(key, channel, "kv", "put", args);

    /// <summary>One hostile call; the answer codes it got ("ACCEPTED" for a transaction the node took).</summary>
    private static async Task<IEnumerable<string>> AttackAsync(ChainClient hostile, string kind, string channel, AccountKey honest, CancellationToken cancel)
    {
        switch (kind)
        {
            case "random-bytes":
                return await BatchAsync(hostile, Enumerable.Range(0, 50).Select(_ => new Transaction
                {
                    Payload = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(200)), Signature = ByteString.CopyFrom(RandomNumberGenerator.GetBytes(65)),
                }), cancel);
            case "oversized": // above the sample channels' 1 MiB maxTxBytes; a channel that allows more answers otherwise
                return await BatchAsync(hostile, [Signed(AccountKey.Generate(), channel, $"{{\"key\":\"big\",\"value\":\"{new string('x', 2 * 1024 * 1024)}\"}}")], cancel);
            case "deep-json":
                // Signed by the honest account, so only the arguments are wrong: nested far deeper than any parser allows.
                return await BatchAsync(hostile, [Signed(honest, channel, new StringBuilder().Append("{\"key\":").Append('[', 10_000).Append(']', 10_000).Append('}').ToString())], cancel);
            case "unenrolled-signer":
                var stranger = AccountKey.Generate();
                return await BatchAsync(hostile, Enumerable.Range(0, 50).Select(i => Signed(stranger, channel, $"{{\"key\":\"flood/{i}\",\"value\":\"x\"}}")), cancel);
            case "stale-read":
                var request = new EvaluateRequest { Channel = channel, Contract = "kv", Function = "get", Args = ByteString.CopyFromUtf8("{\"key\":\"flood\"}") };
                var stale = ReadSigning.Sign(honest, "/chain.v1.Gateway/Evaluate", channel, request, DateTimeOffset.UtcNow.AddHours(-25).ToUnixTimeMilliseconds());
                await hostile.Gateway.EvaluateAsync(request, stale, cancellationToken: cancel);
                return ["ANSWERED"];
            case "unsigned-raw-read":
                await hostile.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = channel, Number = 0 }, cancellationToken: cancel);
                return ["ANSWERED"];
            default:
                throw new ArgumentException(kind);
        }
    }

    private static async Task<IEnumerable<string>> BatchAsync(ChainClient hostile, IEnumerable<Transaction> transactions, CancellationToken cancel)
    {
        var request = new SubmitBatchRequest();
        request.Transactions.AddRange(transactions);
        var response = await hostile.Gateway.SubmitBatchAsync(request, cancellationToken: cancel);
        return response.Statuses.Select(s => s.Accepted ? "ACCEPTED" : s.Code).ToList();
    }
}
