using System.CommandLine;
using Chain.Cli.Commands.Operate;
using Chain.Cli.Output;
using Chain.Node.Configuration;
using Chain.Node.Hosting;
using Chain.Sdk.Transactions;

namespace Chain.Cli.Commands.Bench;

/// <summary>
/// The node's commit path without the network: pre-signed kv.put transactions are verified (in parallel,
/// as admission does), executed and committed block by block into a fresh RocksDB ledger. Shows what
/// the ledger can sustain on this machine and which phase dominates. With <c>--workload donate</c>, ConfirmDonation
/// transactions of the sample bank on the charity channel of a one-node network folder, through the node's own commit
/// path; the folder can then be served by <c>chain network up --dir</c> (how the 1,000,000-donation ledger is made).
/// </summary>
internal static class BenchLedgerCommand
{
    public static Command Build()
    {
        var txs = new Option<int>("--txs") { Description = "number of transactions", DefaultValueFactory = _ => 100_000 };
        var blockSize = new Option<int>("--block-size") { Description = "transactions per block", DefaultValueFactory = _ => 2000 };
        var valueBytes = new Option<int>("--value-bytes") { Description = "size of each value written", DefaultValueFactory = _ => 32 };
        var dir = new Option<string?>("--dir") { Description = "folder for the ledger; for donate a one-node network folder as 'network up --dir' makes, created if missing, added to if it exists (default: a temporary folder, deleted afterwards)" };
        var workload = new Option<string>("--workload", "-w") { Description = "kv: kv.put on a channel without configuration; donate: ConfirmDonation on the sample network's charity channel", DefaultValueFactory = _ => "kv" };
        workload.AcceptOnlyFromAmong("kv", "donate");
        var campaigns = new Option<int>("--campaigns") { Description = "donate: campaigns the donations are spread over, round robin (1 = one hot campaign)", DefaultValueFactory = _ => 1 };
        var networkFile = new Option<string>("--network") { Description = "donate: network description for a new folder", DefaultValueFactory = _ => NetworkCommands.DefaultNetworkFile };
        var proofs = new Option<int>("--proofs") { Description = "then build and check this many state proofs of random keys at the head, and one receipt", DefaultValueFactory = _ => 0 };
        var command = new Command("ledger", "in-process: verify, execute and commit blocks of kv.put into a fresh ledger") { txs, blockSize, valueBytes, dir, proofs, workload, campaigns, networkFile };
        command.SetHandler((parse, cancel) =>
        {
            var count = parse.GetValue(txs);
            var size = parse.GetValue(blockSize);
            if (count < 1 || size < 1) throw new UsageException("--txs and --block-size must be positive");
            var folder = parse.GetValue(dir) ?? Path.Combine(Path.GetTempPath(), "chain-bench-" + Guid.NewGuid().ToString("N")[..8]);
            bool donate = parse.GetValue(workload) == "donate";
            if (!donate && Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any()) throw new UsageException($"'{folder}' is not empty");
            if (donate && parse.GetValue(proofs) > 0) throw new UsageException("--proofs is measured on the kv workload");
            try
            {
                var result = donate
                    ? RunDonations(Path.GetFullPath(folder), parse.GetValue(networkFile)!, count, size, parse.GetValue(campaigns), cancel)
                    : LedgerBenchmark.Run(folder, count, size, parse.GetValue(valueBytes), cancel, parse.GetValue(proofs));
                Printer.Print(parse, result, () =>
                {
                    Printer.Pairs(
                    ("transactions", result.Transactions), ("blocks", result.Blocks), ("run", result.Run ?? "-"),
                    ("verify (parallel)", $"{result.VerifyPerSecond:F0} tx/s"),
                    ("execute + commit", $"{result.CommitPerSecond:F0} tx/s"),
                    ("per block (ms)", $"run {result.RunMs:F1}, state root {result.StateRootMs:F1}, other {result.OtherExecuteMs:F1}, write {result.WriteMs:F1} (build {result.BatchBuildMs:F1}, synced write {result.BatchWriteMs:F1})"),
                    ("ledger size", $"{result.LedgerMegabytes:F0} MB"));
                    if (result.Proofs is { } p)
                        Printer.Pairs(("state proofs", $"{p.Count}, serve p50 {p.ServeP50Ms:F3} ms, p99 {p.ServeP99Ms:F3} ms; check p99 {p.CheckP99Ms:F3} ms; {p.AverageBytes:F0} bytes ({p.AverageBucketEntries:F1} bucket entries)"),
                            ("receipt", $"{p.ReceiptBytes} bytes, built in {p.ReceiptMs:F2} ms (a transaction of a {size}-transaction block)"));
                    foreach (var past in result.Proofs?.Past ?? [])
                        Printer.Pairs(($"proof {past.BlocksBack} blocks back", $"median {past.MedianMs:F1} ms, max {past.MaxMs:F1} ms over {past.Count}"));
                });
            }
            finally
            {
                if (parse.GetValue(dir) is null) Directory.Delete(folder, recursive: true);
            }
            return Task.FromResult(0);
        });
        return command;
    }

    /// <summary>
    /// ConfirmDonation load into <paramref name="campaignCount"/> fresh campaigns (opened in the setup block, with the sample
    /// organisations registered first on a new ledger), round robin, signed by the sample bank teller.
    /// </summary>
    private static LedgerBenchmark.Result RunDonations(string root, string networkFile, int count, int blockSize, int campaignCount, CancellationToken cancel)
    {
        if (campaignCount is < 1 or > 10_000) throw new UsageException("--campaigns must be in 1..10000");
        var configPath = Path.Combine(root, "node1", "config.json");
        if (!File.Exists(configPath))
        {
            if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any()) throw new UsageException($"'{root}' is neither empty nor a network folder (no node1/config.json)");
            var network = NetworkDefinition.Load(networkFile);
            NetworkCommands.Prepare(root, 1, network, 1, network.Nodes.First().Node.Port);
            File.WriteAllText(Path.Combine(root, "nodes"), "1");
        }
        var config = NodeConfig.Load(configPath);
        if (NodePidFile.LiveNode(config.Resolve(config.DataDir)) is { } pid) throw new UsageException($"node {config.NodeId} of '{root}' is running (pid {pid}); stop it first");
        var crypto = Path.Combine(root, "crypto");
        const string channel = "charity";
        var SignerOf = Signer.SampleAccounts(crypto);
        var teller = SignerOf("Bank/teller1");
        var run = "bench-" + Guid.NewGuid().ToString("N")[..8];
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var campaignIds = Enumerable.Range(0, campaignCount).Select(c => campaignCount == 1 ? run : $"{run}-c{c}").ToArray();
        IReadOnlyList<Chain.Protocol.Transaction> Setup(ulong height)
        {
            var steps = new List<(string Signer, string Function, object Args)>();
            if (height <= 1) steps.AddRange(CharitySession.SampleOrganisations.Select(o => ("CivilAffairs/inspector1", "RegisterOrg", (object)o)));
            foreach (var campaign in campaignIds) steps.AddRange(CharitySession.OpenSampleCampaign(campaign, now));
            return steps.Select(s => TransactionFactory.Create(SignerOf(s.Signer), channel, "charity", s.Function, DomainCli.Serialize(s.Args))).ToArray();
        }
        var progress = Progress.Start("donations", count);
        try
        {
            return LedgerBenchmark.RunOnNode(config, channel, Setup, i => TransactionFactory.Create(teller, channel, "charity", "ConfirmDonation",
                DomainCli.Serialize(CharitySession.BenchDonation(run, campaignIds[i % campaignIds.Length], i, now))), count, blockSize, cancel, progress.Report) with { Run = run };
        }
        finally { progress.Dispose(); }
    }
}
