using System.CommandLine;
using Chain.Cli.Output;
using Chain.Node.Hosting;

namespace Chain.Cli.Commands.Bench;

/// <summary>
/// The node's commit path without the network: pre-signed kv.put transactions are verified (in parallel,
/// as admission does), executed and committed block by block into a fresh RocksDB ledger. Shows what
/// the ledger can sustain on this machine and which phase dominates.
/// </summary>
internal static class BenchLedgerCommand
{
    public static Command Build()
    {
        var txs = new Option<int>("--txs") { Description = "number of transactions", DefaultValueFactory = _ => 100_000 };
        var blockSize = new Option<int>("--block-size") { Description = "transactions per block", DefaultValueFactory = _ => 2000 };
        var valueBytes = new Option<int>("--value-bytes") { Description = "size of each value written", DefaultValueFactory = _ => 32 };
        var dir = new Option<string?>("--dir") { Description = "folder for the ledger (default: a temporary folder, deleted afterwards)" };
        var proofs = new Option<int>("--proofs") { Description = "then build and check this many state proofs of random keys at the head, and one receipt", DefaultValueFactory = _ => 0 };
        var command = new Command("ledger", "in-process: verify, execute and commit blocks of kv.put into a fresh ledger") { txs, blockSize, valueBytes, dir, proofs };
        command.SetHandler((parse, cancel) =>
        {
            var count = parse.GetValue(txs);
            var size = parse.GetValue(blockSize);
            if (count < 1 || size < 1) throw new UsageException("--txs and --block-size must be positive");
            var folder = parse.GetValue(dir) ?? Path.Combine(Path.GetTempPath(), "chain-bench-" + Guid.NewGuid().ToString("N")[..8]);
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any()) throw new UsageException($"'{folder}' is not empty");
            try
            {
                var result = LedgerBenchmark.Run(folder, count, size, parse.GetValue(valueBytes), cancel, parse.GetValue(proofs));
                Printer.Print(parse, result, () =>
                {
                    Printer.Pairs(
                    ("transactions", result.Transactions), ("blocks", result.Blocks),
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
}
