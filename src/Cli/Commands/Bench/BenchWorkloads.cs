using System.CommandLine;
using System.Diagnostics;
using Chain.Cli.Output;
using Chain.Node.Hosting;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;
using Grpc.Core;

namespace Chain.Cli.Commands.Bench;

/// <summary>
/// The workloads of <c>chain bench</c> against a network: <c>kv</c>, <c>donate</c> (one hot campaign or spread over many),
/// <c>pay</c> (the demolition-fund payment chain), <c>query</c> and <c>mixed</c> (donations with queries alongside). Each
/// measures the signature-verify ceiling of the machine first, warms up, runs at a fixed offered rate or as fast as the
/// network takes, and reports committed tx/s, latency percentiles, each node's CPU and memory and the ratio to the ceiling.
/// </summary>
internal static class BenchWorkloads
{
    /// <param name="OfferedPerSecond">The offered rate; 0 = as fast as the network takes transactions.</param>
    /// <param name="VerifyCeiling">Signed transactions this machine checks per second on every core, measured just before the load.</param>
    /// <param name="RatioToCeiling">Committed tx/s over <paramref name="VerifyCeiling"/>.</param>
    /// <param name="Nodes">CPU seconds each node process used during the measured load, and its memory after it.</param>
    /// <param name="Run">The run's name, which its objects' ids start with (bench query --run reads them again).</param>
    public sealed record Report(string Workload, string Endpoint, double OfferedPerSecond, BenchCommands.Result? Load, double VerifyCeiling, double RatioToCeiling,
        IReadOnlyList<NodeUsage> Nodes, QueryResult? Queries = null, IReadOnlyList<PhaseResult>? Phases = null, string? Run = null);

    /// <summary>Queries timed from the client: calls answered per second, latency percentiles, calls that failed.</summary>
    public sealed record QueryResult(string Functions, int Calls, int Failed, double Seconds, double PerSecond, double P50Ms, double P90Ms, double P99Ms, double MaxMs);

    /// <summary>One step of a multi-step workload (pay): its transactions loaded together.</summary>
    public sealed record PhaseResult(string Function, int Committed, int Valid, double TxPerSecond, double P99Ms);

    private static readonly Option<int> Warmup = new("--warmup") { Description = "transactions (or queries) sent first and not measured", DefaultValueFactory = _ => 0 };
    private static readonly Option<double?> Duration = new("--duration") { Description = "seconds of load at --rate (sets --txs to rate × duration)" };

    /// <summary>The options every transaction workload has.</summary>
    public sealed class LoadOptions
    {
        public Option<int> Txs { get; }
        public Option<int> Batch { get; } = BenchCommands.Batch();
        public Option<int> Concurrency { get; } = BenchCommands.Concurrency();
        public Option<int> Rate { get; } = BenchCommands.Rate();
        public Option<string> Channel { get; }

        public LoadOptions(Command command, string channel, int txs)
        {
            Txs = BenchCommands.Txs(txs);
            Channel = new Option<string>("--channel", "-c") { Description = "channel to load", DefaultValueFactory = _ => channel };
            foreach (var option in new Option[] { Txs, Batch, Concurrency, Rate, Channel, Warmup, Duration }) command.Options.Add(option);
            BenchTarget.AddOptions(command);
        }

        public BenchCommands.Settings Settings(ParseResult parse, int valueBytes = 1)
        {
            int txs = parse.GetValue(Txs), rate = parse.GetValue(Rate);
            if (parse.GetValue(Duration) is { } seconds)
            {
                if (rate <= 0) throw new UsageException("--duration needs --rate (at full speed, give --txs)");
                if (seconds is <= 0 or > 3600) throw new UsageException("--duration must be in (0, 3600] seconds");
                txs = (int)Math.Ceiling(rate * seconds);
            }
            if (parse.GetValue(Warmup) < 0) throw new UsageException("--warmup must not be negative");
            var settings = new BenchCommands.Settings(parse.GetValue(Channel)!, txs, parse.GetValue(Batch), parse.GetValue(Concurrency), rate, valueBytes,
                GlobalOptions.Retry(parse) with { OnRetry = null });
            settings.Validate();
            return settings;
        }
    }

    /// <summary>
    /// A prepared transaction workload: how to make transaction i; for mixed, the queries to run alongside (given the
    /// expected seconds of load); for a multi-step workload, its phases instead.
    /// </summary>
    public sealed record Prepared(Func<int, Transaction> Make, Func<double, CancellationToken, Task<QueryResult>>? Queries = null,
        Func<Task<IReadOnlyList<PhaseResult>>>? Phases = null, string? Run = null);

    /// <summary>Prepares a workload on the opened target: (client, settings, target, the key given by the workload's signer choice).</summary>
    public delegate Task<Prepared> Prepare(ChainClient client, BenchCommands.Settings settings, BenchTarget target, AccountKey key);

    public delegate Task<int> LoadRunner(ParseResult parse, string workload, LoadOptions options, int valueBytes, CancellationToken cancel,
        Func<BenchTarget, AccountKey> reader, Prepare prepare);

    public static Command Kv()
    {
        var command = new Command("kv", "kv.put transactions, each to a new key (the transport and commit path without a domain contract)");
        var load = new LoadOptions(command, "sandbox", 20_000);
        var valueBytes = new Option<int>("--value-bytes") { Description = "size of each value written", DefaultValueFactory = _ => 32 };
        var keyFile = new Option<string?>("--key") { Description = "keystore of an enrolled account that may write (default: the sample Bank teller of --dir)" };
        var passwordFile = new Option<string?>("--password-file") { Description = "its password file (default: the keystore's .password file, else CHAIN_PASSWORD)" };
        command.Options.Add(valueBytes);
        command.Options.Add(keyFile);
        command.Options.Add(passwordFile);
        command.SetHandler((parse, cancel) => RunLoadAsync(parse, "kv", load, parse.GetValue(valueBytes), cancel,
            target => parse.GetValue(keyFile) is { } file ? BenchCommands.LoadKey(file, parse.GetValue(passwordFile)) : Signer.LoadSample(target.CryptoDir, "Bank/teller1"),
            (client, settings, _, key) =>
            {
                var run = Guid.NewGuid().ToString("N")[..8];
                var value = new string('x', settings.ValueBytes);
                return Task.FromResult(new Prepared(i => TransactionFactory.Create(key, settings.Channel, "kv", "put", $"{{\"key\":\"bench/{run}/{i}\",\"value\":\"{value}\"}}")));
            }));
        return command;
    }

    public static Command Donate()
    {
        var command = new Command("donate", "ConfirmDonation by the sample bank into fresh campaigns of the sample foundation: one hot campaign, or --campaigns spread round robin");
        var load = new LoadOptions(command, "charity", 20_000);
        var campaigns = new Option<int>("--campaigns") { Description = "campaigns the donations are spread over (1: one hot campaign)", DefaultValueFactory = _ => 1 };
        command.Options.Add(campaigns);
        command.SetHandler((parse, cancel) => RunLoadAsync(parse, "donate", load, 1, cancel, target => Signer.LoadSample(target.CryptoDir, "CivilAffairs/inspector1"),
            async (client, settings, target, _) =>
            {
                var donations = await PrepareDonationsAsync(client, settings.Channel, target.CryptoDir, parse.GetValue(campaigns), cancel);
                return new Prepared(donations.Make, Run: donations.Run);
            }));
        return command;
    }

    public static Command Pay() => BenchPay.Build(RunLoadAsync);

    public static Command Query()
    {
        var command = new Command("query", "charity queries from concurrent callers on a campaign the command fills first: TraceDonation, DonorStatement, GetCampaign, CampaignLedger");
        var calls = new Option<int>("--calls") { Description = "queries to time", DefaultValueFactory = _ => 5_000 };
        var donations = new Option<int>("--donations") { Description = "donations confirmed first (the data queried)", DefaultValueFactory = _ => 2_000 };
        var functions = QueryFunctions();
        var concurrency = BenchCommands.Concurrency();
        var rate = new Option<int>("--rate") { Description = "offered queries per second (0 = as fast as answered)", DefaultValueFactory = _ => 0 };
        var channel = new Option<string>("--channel", "-c") { Description = "channel running the charity contract", DefaultValueFactory = _ => "charity" };
        var existing = new Option<string?>("--run") { Description = "query an earlier run's data instead (its name, as bench ledger -w donate and bench donate print it): donations RUN-0 … RUN-(N-1) for N of --donations, its donors" };
        var campaign = new Option<string?>("--campaign") { Description = "with --run: the campaign GetCampaign and CampaignLedger read (default: RUN-c0, the first of a spread run)" };
        foreach (var option in new Option[] { calls, donations, functions, concurrency, rate, channel, Warmup, existing, campaign }) command.Options.Add(option);
        BenchTarget.AddOptions(command);
        command.SetHandler(async (parse, cancel) =>
        {
            int callCount = parse.GetValue(calls), donationCount = parse.GetValue(donations);
            if (callCount < 1 || donationCount < 1) throw new UsageException("--calls and --donations must be positive");
            var chosen = ParseFunctions(parse.GetValue(functions)!);
            await using var target = await BenchTarget.OpenAsync(parse, cancel, parse.GetValue(channel));
            using var client = GlobalOptions.Connect(parse, Signer.LoadSample(target.CryptoDir, "CivilAffairs/inspector1"), target.Endpoint);
            var ceiling = LedgerBenchmark.VerifyCeiling();
            var data = parse.GetValue(existing) is { } run
                ? new QueryData(parse.GetValue(channel)!, parse.GetValue(campaign) ?? run + "-c0", run, donationCount)
                : await FillCampaignAsync(client, parse.GetValue(channel)!, target.CryptoDir, donationCount, cancel);
            if (parse.GetValue(Warmup) > 0) await RunQueriesAsync(client, data, chosen, parse.GetValue(Warmup), parse.GetValue(concurrency), 0, cancel);
            var before = NodeUsage.Now(target.Processes());
            var result = await RunQueriesAsync(client, data, chosen, callCount, parse.GetValue(concurrency), parse.GetValue(rate), cancel);
            var report = new Report("query", target.Endpoint, parse.GetValue(rate), null, ceiling, result.PerSecond / ceiling, NodeUsage.Since(before), result);
            Printer.Print(parse, report, () => PrintReport(report));
            return result.Failed == 0 ? 0 : 1;
        });
        return command;
    }

    public static Command Mixed()
    {
        var command = new Command("mixed", "donations at --rate with charity queries alongside at --query-rate: how reads and writes share the node");
        var load = new LoadOptions(command, "charity", 10_000);
        var queryRate = new Option<int>("--query-rate") { Description = "offered queries per second during the donations", DefaultValueFactory = _ => 200 };
        var functions = QueryFunctions();
        command.Options.Add(queryRate);
        command.Options.Add(functions);
        command.SetHandler((parse, cancel) =>
        {
            var chosen = ParseFunctions(parse.GetValue(functions)!);
            if (parse.GetValue(queryRate) < 1) throw new UsageException("--query-rate must be positive");
            return RunLoadAsync(parse, "mixed", load, 1, cancel, target => Signer.LoadSample(target.CryptoDir, "CivilAffairs/inspector1"),
                async (client, settings, target, _) =>
                {
                    var data = await FillCampaignAsync(client, settings.Channel, target.CryptoDir, 500, cancel);
                    var donations = await PrepareDonationsAsync(client, settings.Channel, target.CryptoDir, 1, cancel);
                    return new Prepared(donations.Make, Queries: (duration, stop) => RunQueriesAsync(client, data, chosen, (int)Math.Max(1, parse.GetValue(queryRate) * duration), 4, parse.GetValue(queryRate), stop));
                });
        });
        return command;
    }

    /// <summary>
    /// Opens the target, measures the ceiling, prepares the workload, warms up, then runs the measured load (with the
    /// workload's queries alongside for mixed) and prints the report. Exit 1 when a transaction is missing or invalid.
    /// </summary>
    private static async Task<int> RunLoadAsync(ParseResult parse, string workload, LoadOptions options, int valueBytes, CancellationToken cancel,
        Func<BenchTarget, AccountKey> reader, Prepare prepare)
    {
        var settings = options.Settings(parse, valueBytes);
        await using var target = await BenchTarget.OpenAsync(parse, cancel, settings.Channel);
        var key = reader(target);
        using var client = GlobalOptions.Connect(parse, key, target.Endpoint);
        var ceiling = LedgerBenchmark.VerifyCeiling();
        var prepared = await prepare(client, settings, target, key);
        if (prepared.Phases is not null)
        {
            var before = NodeUsage.Now(target.Processes());
            var watch = Stopwatch.StartNew();
            var phases = await prepared.Phases();
            var seconds = watch.Elapsed.TotalSeconds;
            int committed = phases.Sum(p => p.Committed);
            var load = new BenchCommands.Result(committed, phases.Sum(p => p.Valid), 0, 0, seconds, committed / seconds, 0, 0, 0, phases.Max(p => p.P99Ms));
            var phased = new Report(workload, target.Endpoint, settings.Rate, load, ceiling, load.TxPerSecond / ceiling, NodeUsage.Since(before), Phases: phases);
            Printer.Print(parse, phased, () => PrintReport(phased));
            return load.Invalid == 0 && phases.All(p => p.Committed > 0) ? 0 : 1;
        }
        int warmup = parse.GetValue(Warmup);
        if (warmup > 0)
            await BenchCommands.RunAsync(client, settings with { Txs = warmup, Rate = 0 }, i => prepared.Make(settings.Txs + i), cancel);
        var usageBefore = NodeUsage.Now(target.Processes());
        using var progress = Progress.Start($"{workload} committed", settings.Txs);
        using var stopQueries = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var expectedSeconds = settings.Rate > 0 ? (double)settings.Txs / settings.Rate : 10;
        var queries = prepared.Queries?.Invoke(expectedSeconds, stopQueries.Token);
        var result = await BenchCommands.RunAsync(client, settings, prepared.Make, cancel, progress.Report);
        await stopQueries.CancelAsync();
        QueryResult? queryResult = queries is null ? null : await queries;
        var report = new Report(workload, target.Endpoint, settings.Rate, result, ceiling, result.TxPerSecond / ceiling, NodeUsage.Since(usageBefore), queryResult, Run: prepared.Run);
        progress.Dispose();
        Printer.Print(parse, report, () => PrintReport(report));
        return result.Committed == settings.Txs - result.Rejected && result.Invalid == 0 && (queryResult?.Failed ?? 0) == 0 ? 0 : 1;
    }

    public static void PrintReport(Report report)
    {
        Printer.Pairs(("workload", report.Workload + (report.Run is { } run ? $" (run {run})" : "")), ("endpoint", report.Endpoint), ("offered", report.OfferedPerSecond > 0 ? $"{report.OfferedPerSecond:F0} /s" : "as fast as taken"));
        if (report.Phases is not null && report.Load is { } chain)
            Printer.Pairs(("transactions", $"{chain.Committed} committed ({chain.Valid} valid, {chain.Invalid} invalid) in {chain.Seconds:F2} s: {chain.TxPerSecond:F0} tx/s over all steps"));
        else if (report.Load is { } load) BenchCommands.PrintLoad(load);
        foreach (var phase in report.Phases ?? [])
            Printer.Pairs(($"  {phase.Function}", $"{phase.Committed} committed ({phase.Valid} valid), {phase.TxPerSecond:F0} tx/s, p99 {phase.P99Ms:F0} ms"));
        if (report.Queries is { } q)
            Printer.Pairs(("queries", $"{q.Calls} ({q.Functions}), {q.PerSecond:F0} /s, p50/p90/p99/max {q.P50Ms:F1} / {q.P90Ms:F1} / {q.P99Ms:F1} / {q.MaxMs:F1} ms, {q.Failed} failed"));
        Printer.Pairs(("verify ceiling", $"{report.VerifyCeiling:F0} signed tx/s on {Environment.ProcessorCount} cores (same run)"), ("ratio to the ceiling", $"{report.RatioToCeiling:F3}"));
        foreach (var node in report.Nodes)
            Printer.Pairs(($"node {node.Node}", $"pid {node.Pid}: {node.CpuSeconds:F1} CPU-s during the load, RSS {node.RssMegabytes:F0} MB (peak {node.PeakRssMegabytes:F0} MB)"));
    }

    // ---- charity data and queries ----

    /// <summary>Donations of a benchmark run: the maker of donation i (into the campaigns round robin), the run's name and its campaigns.</summary>
    private sealed record Donations(Func<int, Transaction> Make, string Run, string[] Campaigns);

    /// <summary>Registers the sample organisations if needed and opens <paramref name="campaignCount"/> campaigns.</summary>
    private static async Task<Donations> PrepareDonationsAsync(ChainClient client, string channel, string cryptoDir, int campaignCount, CancellationToken cancel)
    {
        if (campaignCount is < 1 or > 1_000) throw new UsageException("--campaigns must be in 1..1000");
        var signers = Signer.SampleAccounts(cryptoDir);
        var teller = signers("Bank/teller1");
        var run = "bench-" + Guid.NewGuid().ToString("N")[..8];
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var session = new CharitySession(client, channel, "benchmark setup", cancel);
        await session.RegisterSampleOrganisationsAsync(signers("CivilAffairs/inspector1"));
        var campaignIds = Enumerable.Range(0, campaignCount).Select(c => campaignCount == 1 ? run : $"{run}-c{c}").ToArray();
        // Campaigns are opened as one load of their own (three steps each), so a hundred take seconds, not minutes.
        var steps = campaignIds.Select(c => CharitySession.OpenSampleCampaign(c, now).ToArray()).ToArray();
        for (int step = 0; step < 3; step++)
        {
            var txs = steps.Select(s => TransactionFactory.Create(signers(s[step].Signer), channel, "charity", s[step].Function, DomainCli.Serialize(s[step].Args))).ToArray();
            var opened = await BenchCommands.RunAsync(client, new BenchCommands.Settings(channel, txs.Length, 100, 2, 0, 1), i => txs[i], cancel);
            if (opened.Valid != txs.Length) throw new CommandFailedException($"benchmark setup: {txs.Length - opened.Valid} of {txs.Length} {steps[0][step].Function} calls were refused");
        }
        return new Donations(i => TransactionFactory.Create(teller, channel, "charity", "ConfirmDonation",
            DomainCli.Serialize(CharitySession.BenchDonation(run, campaignIds[i % campaignIds.Length], i, now))), run, campaignIds);
    }

    /// <summary>The data the query workload reads: a campaign, its donations and their donors.</summary>
    private sealed record QueryData(string Channel, string Campaign, string Run, int Donations);

    private static async Task<QueryData> FillCampaignAsync(ChainClient client, string channel, string cryptoDir, int donations, CancellationToken cancel)
    {
        var prepared = await PrepareDonationsAsync(client, channel, cryptoDir, 1, cancel);
        var filled = await BenchCommands.RunAsync(client, new BenchCommands.Settings(channel, donations, 250, 4, 0, 1), prepared.Make, cancel);
        if (filled.Valid != donations) throw new CommandFailedException($"benchmark setup: {donations - filled.Valid} of {donations} donations were refused");
        return new QueryData(channel, prepared.Campaigns[0], prepared.Run, donations);
    }

    private static readonly string[] AllQueryFunctions = ["TraceDonation", "DonorStatement", "GetCampaign", "CampaignLedger"];

    private static Option<string> QueryFunctions() => new("--functions")
    {
        Description = "queries to send, comma separated, in turn: " + string.Join(", ", AllQueryFunctions),
        DefaultValueFactory = _ => "TraceDonation",
    };

    private static string[] ParseFunctions(string text)
    {
        var chosen = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (chosen.Length == 0) throw new UsageException("--functions: name at least one query");
        foreach (var f in chosen)
            if (!AllQueryFunctions.Contains(f)) throw new UsageException($"--functions: unknown query '{f}' (one of {string.Join(", ", AllQueryFunctions)})");
        return chosen;
    }

    /// <summary>Query i: the chosen functions in turn, on donation and donor numbers spread over the data (fixed seed).</summary>
    private static (string Function, string Args) QueryOf(QueryData data, string[] functions, int i)
    {
        var function = functions[i % functions.Length];
        int donation = (int)((uint)(i * 2654435761u) % (uint)data.Donations);
        return function switch
        {
            "TraceDonation" => (function, DomainCli.Serialize(new { donationId = $"{data.Run}-{donation}" })),
            "DonorStatement" => (function, DomainCli.Serialize(new { donorRef = CharitySession.BenchDonorRef(data.Run, donation % 100) })),
            "GetCampaign" => (function, DomainCli.Serialize(new { campaignId = data.Campaign })),
            _ => (function, DomainCli.Serialize(new { campaignId = data.Campaign })),
        };
    }

    private static async Task<QueryResult> RunQueriesAsync(ChainClient client, QueryData data, string[] functions, int calls, int concurrency, int rate, CancellationToken cancel)
    {
        var latencies = new double[calls];
        int next = -1, failed = 0, done = 0;
        var started = Stopwatch.GetTimestamp();
        var workers = Enumerable.Range(0, Math.Max(1, concurrency)).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < calls && !cancel.IsCancellationRequested)
            {
                if (rate > 0)
                {
                    var wait = (double)i / rate - Stopwatch.GetElapsedTime(started).TotalSeconds;
                    if (wait > 0)
                    {
                        try { await Task.Delay(TimeSpan.FromSeconds(wait), cancel); }
                        catch (OperationCanceledException) { return; }
                    }
                }
                var (function, args) = QueryOf(data, functions, i);
                var at = Stopwatch.GetTimestamp();
                try { await client.QueryAsync(data.Channel, "charity", function, args, cancel); }
                catch (RpcException) when (!cancel.IsCancellationRequested) { Interlocked.Increment(ref failed); }
                catch (Exception e) when (cancel.IsCancellationRequested && e is OperationCanceledException or RpcException) { return; }
                latencies[i] = Stopwatch.GetElapsedTime(at).TotalMilliseconds;
                Interlocked.Increment(ref done);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        var sorted = latencies.Take(Math.Min(calls, Math.Max(0, next))).Where(l => l > 0).Order().ToArray();
        double At(double q) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new QueryResult(string.Join(",", functions), done, failed, seconds, done / seconds, At(0.5), At(0.9), At(0.99), sorted.Length == 0 ? 0 : sorted[^1]);
    }
}
