using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using Chain.Cli.Output;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;
using Grpc.Core;

namespace Chain.Cli.Commands.Bench;

/// <summary>
/// Load generator: pre-signs transactions, submits them in batches from several concurrent callers,
/// follows the event stream to see each commit, and reports committed tx/s and submit-to-commit latency.
/// </summary>
internal static class BenchCommands
{
    public static Command Build()
    {
        var bench = new Command("bench", "load generators and measurements: against a running network (--endpoint, --dir), a network they start (--nodes), or in process (ledger)");
        bench.Subcommands.Add(BenchWorkloads.Kv());
        bench.Subcommands.Add(BenchWorkloads.Donate());
        bench.Subcommands.Add(BenchWorkloads.Pay());
        bench.Subcommands.Add(BenchWorkloads.Query());
        bench.Subcommands.Add(BenchWorkloads.Mixed());
        bench.Subcommands.Add(BenchCharityCommand.Build());
        bench.Subcommands.Add(BenchLedgerCommand.Build());
        bench.Subcommands.Add(BenchFloodCommand.Build());
        bench.Subcommands.Add(BenchPlotCommand.Build());
        bench.Subcommands.Add(BenchEtcdCommand.Build());
        return bench;
    }

    public static void PrintLoad(Result result) => Printer.Pairs(
        ("transactions", result.Committed), ("valid", result.Valid), ("invalid (committed, refused by the contract)", result.Invalid), ("rejected at admission", result.Rejected),
        ("signing", $"{result.SignPerSecond:F0} tx/s (client, {Environment.ProcessorCount} cores)"),
        ("throughput", $"{result.TxPerSecond:F0} committed tx/s over {result.Seconds:F2} s"),
        ("latency p50/p90/p99/max", $"{result.LatencyP50Ms:F0} / {result.LatencyP90Ms:F0} / {result.LatencyP99Ms:F0} / {result.LatencyMaxMs:F0} ms (submit to commit event)"),
        ("blocks", $"{result.Blocks} ({(ulong)result.Committed / Math.Max(1UL, result.Blocks)} tx/block)"),
        ("retried", result.Retried));

    public static Option<int> Txs(int defaultValue) => new("--txs") { Description = "number of transactions", DefaultValueFactory = _ => defaultValue };
    public static Option<int> Batch() => new("--batch") { Description = "transactions per SubmitBatch call", DefaultValueFactory = _ => 250 };
    public static Option<int> Concurrency() => new("--concurrency") { Description = "concurrent submitting callers", DefaultValueFactory = _ => 4 };
    public static Option<int> Rate() => new("--rate") { Description = "offered load in tx/s (0 = as fast as possible)", DefaultValueFactory = _ => 0 };

    /// <param name="Retry">How refused and cut-off submissions are retried (the client's one policy; BUSY, the node's back-pressure, is retried after a short fixed pause).</param>
    public sealed record Settings(string Channel, int Txs, int Batch, int Concurrency, int Rate, int ValueBytes, RetryPolicy? Retry = null)
    {
        public void Validate()
        {
            if (Txs < 1) throw new UsageException("--txs must be positive");
            if (Batch is < 1 or > 10_000) throw new UsageException("--batch must be in 1..10000");
            if (Concurrency is < 1 or > 256) throw new UsageException("--concurrency must be in 1..256");
            if (Rate < 0) throw new UsageException("--rate must not be negative");
            if (ValueBytes is < 1 or > 60_000) throw new UsageException("--value-bytes must be in 1..60000");
        }
    }

    /// <param name="Retried">Submissions of a transaction after its first (refused as transient, or the call cut off), BUSY back-pressure not counted.</param>
    public sealed record Result(int Committed, int Valid, int Rejected, ulong Blocks, double Seconds, double TxPerSecond,
        double SignPerSecond, double LatencyP50Ms, double LatencyP95Ms, double LatencyP99Ms, int Retried = 0, double LatencyP90Ms = 0, double LatencyMaxMs = 0)
    {
        public int Invalid => Committed - Valid;
    }

    /// <summary>The sample network's Bank teller, as created by 'network up' in the default folder.</summary>
    public const string DefaultBenchKey = ".chain/crypto/orgs/Bank/accounts/teller1.json";

    public static AccountKey LoadKey(string keyFile, string? passwordFile)
    {
        var siblingPassword = Path.ChangeExtension(keyFile, ".password");
        passwordFile ??= File.Exists(siblingPassword) ? siblingPassword : null;
        return Keystore.Read(keyFile, CliErrors.ReadPassword(passwordFile, "the benchmark account"));
    }

    public static Task<Result> RunKvAsync(ChainClient client, Settings settings, AccountKey key, CancellationToken cancel)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        var value = new string('x', settings.ValueBytes);
        return RunAsync(client, settings, i => TransactionFactory.Create(key, settings.Channel, "kv", "put", $"{{\"key\":\"bench/{run}/{i}\",\"value\":\"{value}\"}}"), cancel);
    }

    /// <summary>Pre-signs <see cref="Settings.Txs"/> transactions made by <paramref name="make"/>, submits them and follows their commits.</summary>
    /// <param name="progress">Told the number of transactions committed so far, after each block.</param>
    public static async Task<Result> RunAsync(ChainClient client, Settings settings, Func<int, Transaction> make, CancellationToken cancel, Action<int>? progress = null)
    {
        var transactions = new Transaction[settings.Txs];
        var ids = new string[settings.Txs]; // computed before the clock starts, so the client does less while measured
        var signWatch = Stopwatch.StartNew();
        Parallel.For(0, settings.Txs, i =>
        {
            transactions[i] = make(i);
            ids[i] = TransactionFactory.TxIdOf(transactions[i]);
        });
        var signPerSecond = settings.Txs / signWatch.Elapsed.TotalSeconds;

        var info = await client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = settings.Channel }, cancellationToken: cancel);
        var startHeight = info.Channels[0].Height;

        var submittedAt = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var latencies = new ConcurrentBag<double>();
        int rejected = 0, committed = 0, valid = 0, retried = 0;
        var policy = settings.Retry ?? RetryPolicy.Default;
        ulong blocks = 0;
        long lastCommit = 0;
        var allDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);

        var follower = Task.Run(async () =>
        {
            using var stream = client.Events.Subscribe(new SubscribeRequest { Channel = settings.Channel, StartBlock = startHeight }, cancellationToken: stop.Token);
            await foreach (var blockEvent in stream.ResponseStream.ReadAllAsync(stop.Token))
            {
                var now = Stopwatch.GetTimestamp();
                var ours = 0;
                foreach (var status in blockEvent.TxStatuses)
                {
                    // A transaction sent again (a retry, or a node's resend after a leader change) can also appear in a
                    // later block as DUPLICATE_TXID, without effect: its first block is its commit.
                    if (!submittedAt.TryRemove(status.TxId, out var at)) continue;
                    ours++;
                    latencies.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                    if (status.Code == ValidationCode.Valid) valid++;
                }
                if (ours == 0) continue;
                blocks++;
                committed += ours;
                lastCommit = now;
                progress?.Invoke(committed);
                if (committed + Volatile.Read(ref rejected) >= settings.Txs) { allDone.TrySetResult(); return; }
            }
        }, stop.Token);

        var started = Stopwatch.GetTimestamp();
        var batches = Enumerable.Range(0, settings.Txs).Chunk(settings.Batch).ToArray();
        int nextBatch = -1, offered = 0;
        var workers = Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref nextBatch)) < batches.Length)
            {
                var chunk = batches[index];
                if (settings.Rate > 0)
                {
                    var due = (double)Interlocked.Add(ref offered, chunk.Length) / settings.Rate;
                    var wait = due - Stopwatch.GetElapsedTime(started).TotalSeconds;
                    if (wait > 0) await Task.Delay(TimeSpan.FromSeconds(wait), stop.Token);
                }
                var request = new SubmitBatchRequest();
                request.Transactions.AddRange(chunk.Select(i => transactions[i]));
                var at = Stopwatch.GetTimestamp();
                foreach (var i in chunk) submittedAt[ids[i]] = at;
                var first = Stopwatch.GetTimestamp();
                for (int attempt = 1; ; attempt++)
                {
                    bool late = Stopwatch.GetElapsedTime(first) > policy.Deadline;
                    SubmitBatchResponse response;
                    try { response = await client.Gateway.SubmitBatchAsync(request, cancellationToken: stop.Token); }
                    catch (RpcException e) when (!late && !stop.IsCancellationRequested && RetryPolicy.TryAgain(RetryPolicy.Judge(e), client, out bool _))
                    {
                        // Cut off or refused whole: the same batch again (what got through is a duplicate, which counts as admitted).
                        Interlocked.Add(ref retried, request.Transactions.Count);
                        await Task.Delay(policy.Pause(attempt), stop.Token);
                        continue;
                    }
                    // A duplicate on a retry means an earlier try got through.
                    bool Admitted(AdmissionStatus s) => s.Accepted || (attempt > 1 && s.Is(ErrorCodes.Of(ValidationCode.DuplicateTxid)));
                    var again = response.Statuses.Where(s => !Admitted(s) && ErrorCodes.IsTransient(s.Code) && !late).Select(s => s.TxId).ToHashSet();
                    Interlocked.Add(ref rejected, response.Statuses.Count(s => !Admitted(s) && !again.Contains(s.TxId)));
                    if (again.Count == 0) break;
                    bool onlyBusy = response.Statuses.All(s => Admitted(s) || s.Is(ErrorCodes.Busy) || !again.Contains(s.TxId));
                    if (!onlyBusy) Interlocked.Add(ref retried, again.Count);
                    var retry = new SubmitBatchRequest();
                    retry.Transactions.AddRange(chunk.Where(i => again.Contains(ids[i])).Select(i => transactions[i]));
                    request = retry;
                    // BUSY is back-pressure: come back soon with what the node could not queue; anything else waits as the policy says.
                    await Task.Delay(onlyBusy ? TimeSpan.FromMilliseconds(20) : policy.Pause(attempt), stop.Token);
                }
            }
        }, stop.Token)).ToArray();
        await Task.WhenAll(workers);
        if (Volatile.Read(ref rejected) + committed >= settings.Txs) allDone.TrySetResult();

        await Task.WhenAny(allDone.Task, Task.Delay(TimeSpan.FromSeconds(120), cancel));
        await stop.CancelAsync();
        try { await follower; } catch (OperationCanceledException) { } catch (RpcException) { }

        var seconds = Stopwatch.GetElapsedTime(started, lastCommit == 0 ? Stopwatch.GetTimestamp() : lastCommit).TotalSeconds;
        var sorted = latencies.Order().ToArray();
        double Percentile(double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
        return new Result(committed, valid, rejected, blocks, seconds, committed / Math.Max(seconds, 1e-9), signPerSecond,
            Percentile(0.50), Percentile(0.95), Percentile(0.99), retried, Percentile(0.90), sorted.Length == 0 ? 0 : sorted[^1]);
    }
}
