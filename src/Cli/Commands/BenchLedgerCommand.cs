using System.CommandLine;
using System.Diagnostics;
using Chain.Cli.Output;
using Chain.Contracts.Abstractions;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chain.Cli.Commands;

/// <summary>
/// The node's commit path without the network: pre-signed kv.put transactions are verified (in parallel,
/// as admission does), executed and committed block by block into a fresh RocksDB ledger. Shows what
/// the ledger can sustain on this machine and which phase dominates.
/// </summary>
public static class BenchLedgerCommand
{
    public static Command Build()
    {
        var txs = new Option<int>("--txs") { Description = "number of transactions", DefaultValueFactory = _ => 100_000 };
        var blockSize = new Option<int>("--block-size") { Description = "transactions per block", DefaultValueFactory = _ => 2000 };
        var valueBytes = new Option<int>("--value-bytes") { Description = "size of each value written", DefaultValueFactory = _ => 32 };
        var dir = new Option<string?>("--dir") { Description = "folder for the ledger (default: a temporary folder, deleted afterwards)" };
        var command = new Command("ledger", "in-process: verify, execute and commit blocks of kv.put into a fresh ledger") { txs, blockSize, valueBytes, dir };
        command.SetHandler((parse, cancel) =>
        {
            var count = parse.GetValue(txs);
            var size = parse.GetValue(blockSize);
            if (count < 1 || size < 1) throw new UsageException("--txs and --block-size must be positive");
            var folder = parse.GetValue(dir) ?? Path.Combine(Path.GetTempPath(), "chain-bench-" + Guid.NewGuid().ToString("N")[..8]);
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any()) throw new UsageException($"'{folder}' is not empty");
            try
            {
                var result = Run(folder, count, size, parse.GetValue(valueBytes), cancel);
                Printer.Print(parse, result, () => Printer.Pairs(
                    ("transactions", result.Transactions), ("blocks", result.Blocks),
                    ("verify (parallel)", $"{result.VerifyPerSecond:F0} tx/s"),
                    ("execute + commit", $"{result.CommitPerSecond:F0} tx/s"),
                    ("per block (ms)", $"run {result.RunMs:F1}, state root {result.StateRootMs:F1}, other {result.OtherExecuteMs:F1}, write {result.WriteMs:F1} (build {result.BatchBuildMs:F1}, synced write {result.BatchWriteMs:F1})"),
                    ("ledger size", $"{result.LedgerMegabytes:F0} MB")));
            }
            finally
            {
                if (parse.GetValue(dir) is null) Directory.Delete(folder, recursive: true);
            }
            return Task.FromResult(0);
        });
        return command;
    }

    public sealed record Result(int Transactions, int Blocks, double VerifyPerSecond, double CommitPerSecond,
        double RunMs, double StateRootMs, double OtherExecuteMs, double WriteMs, double BatchBuildMs, double BatchWriteMs, double LedgerMegabytes);

    public static Result Run(string folder, int count, int blockSize, int valueBytes, CancellationToken cancel)
    {
        const string channel = "bench";
        var signer = AccountKey.Generate();
        var nodeKey = AccountKey.Generate();
        var value = new string('x', valueBytes);
        var run = Guid.NewGuid().ToString("N")[..8];
        var transactions = new Transaction[count];
        Parallel.For(0, count, i => transactions[i] = TransactionFactory.Create(signer, channel, "kv", "put", $"{{\"key\":\"{run}/{i}\",\"value\":\"{value}\"}}"));

        var verifyWatch = Stopwatch.StartNew();
        var checkedTxs = BlockExecutor.CheckAll(transactions, 1024 * 1024);
        var verifySeconds = verifyWatch.Elapsed.TotalSeconds;

        using var ledger = ChannelLedger.Open(Path.Combine(folder, channel), channel);
        ledger.CommitGenesis(0);
        var executor = new BlockExecutor(ledger, ContractRegistry.BuiltIn(["kv"]), long.MaxValue / 4, NullLogger.Instance);
        double run_ = 0, root = 0, execute = 0, write = 0, build = 0, sync = 0;
        int blocks = 0;
        var total = Stopwatch.StartNew();
        foreach (var batch in checkedTxs.Chunk(blockSize))
        {
            cancel.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            var set = executor.Execute(batch, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), nodeKey);
            var executed = Stopwatch.GetTimestamp();
            ledger.Commit(set);
            write += Stopwatch.GetElapsedTime(executed).TotalMilliseconds;
            build += ledger.LastBatchBuildTime.TotalMilliseconds;
            sync += ledger.LastBatchWriteTime.TotalMilliseconds;
            execute += Stopwatch.GetElapsedTime(started, executed).TotalMilliseconds;
            run_ += set.RunTime.TotalMilliseconds;
            root += set.StateRootTime.TotalMilliseconds;
            blocks++;
        }
        var seconds = total.Elapsed.TotalSeconds;
        var invalid = Enumerable.Range(0, (int)ledger.Height).Sum(n => ledger.GetBlock((ulong)n)!.Results.Count(r => r.Code != ValidationCode.Valid));
        if (invalid > 0) throw new InvalidOperationException($"{invalid} benchmark transactions were not VALID");
        var megabytes = new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) / 1e6;
        return new Result(count, blocks, count / verifySeconds, count / seconds, run_ / blocks, root / blocks, (execute - run_ - root) / blocks, write / blocks,
            build / blocks, sync / blocks, megabytes);
    }
}
