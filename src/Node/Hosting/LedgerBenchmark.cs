using System.Diagnostics;
using Chain.Contracts.Abstractions;
using Chain.Node.Configuration;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chain.Node.Hosting;

/// <summary>
/// The node's commit path without the network (<c>chain bench ledger</c>): pre-signed kv.put transactions are verified
/// (in parallel, as admission does), executed and committed block by block into a fresh RocksDB ledger.
/// </summary>
public static class LedgerBenchmark
{
    public sealed record Result(int Transactions, int Blocks, double VerifyPerSecond, double CommitPerSecond,
        double RunMs, double StateRootMs, double OtherExecuteMs, double WriteMs, double BatchBuildMs, double BatchWriteMs, double LedgerMegabytes,
        ProofResult? Proofs = null);

    /// <summary>
    /// State proofs at the head of the filled ledger, for random keys: time to build one (p50/p99), to check its bucket
    /// and path, its size; and one receipt of a transaction in a full block.
    /// </summary>
    public sealed record ProofResult(int Count, double ServeP50Ms, double ServeP99Ms, double CheckP99Ms, double AverageBytes, double AverageBucketEntries,
        double ReceiptMs, int ReceiptBytes, IReadOnlyList<PastProof> Past);

    /// <summary>Proofs of random keys in the state after a block <see cref="BlocksBack"/> blocks before the latest.</summary>
    public sealed record PastProof(int BlocksBack, int Count, double MedianMs, double MaxMs);

    public static Result Run(string folder, int count, int blockSize, int valueBytes, CancellationToken cancel, int proofs = 0)
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
        var settings = new ChannelSettings { Name = channel, TimestampWindowMs = LimitRules.MaxTimestampWindowMs };
        var executor = new BlockExecutor(ledger, Chain.Contracts.BuiltInContracts.Registry(["kv"]), new ChannelViews(ledger, settings), NullLogger.Instance);
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
            build / blocks, sync / blocks, megabytes, proofs > 0 ? MeasureProofs(ledger, run, count, proofs) : null);
    }

    private static ProofResult MeasureProofs(ChannelLedger ledger, string run, int keys, int count)
    {
        var random = new Random(7);
        var serve = new double[count];
        var check = new double[count];
        long bytes = 0, entries = 0;
        for (int i = 0; i < count; i++)
        {
            var key = Chain.Contracts.Kv.KvContract.ValuePrefix + $"{run}/{random.Next(keys)}";
            var started = Stopwatch.GetTimestamp();
            var proof = Proofs.State(ledger, "kv", key);
            serve[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            started = Stopwatch.GetTimestamp();
            if (Sdk.Verification.ProofVerifier.VerifyAgainstStateRoot(proof.Read, proof.Header.StateRoot.Span, proof.Header.Number) is null) throw new InvalidOperationException($"key {key} is missing from its proof");
            check[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            bytes += Google.Protobuf.MessageExtensions.ToByteArray(proof).Length;
            entries += proof.Read.Entries.Count;
        }
        Array.Sort(serve);
        Array.Sort(check);
        var last = ledger.GetBlock(ledger.Height - 1)!;
        var receiptStarted = Stopwatch.GetTimestamp();
        var receipt = Proofs.Receipt(ledger, last, last.Transactions.Count / 2);
        var receiptMs = Stopwatch.GetElapsedTime(receiptStarted).TotalMilliseconds;
        static double At(double[] sorted, double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        var past = new List<PastProof>();
        foreach (var back in new[] { 1, 10, 100 })
        {
            if ((ulong)back >= ledger.Height || back > ledger.ProofHistoryBlocks) continue;
            var block = ledger.Height - 1 - (ulong)back;
            var times = new double[10];
            for (int i = 0; i < times.Length; i++)
            {
                var key = Chain.Contracts.Kv.KvContract.ValuePrefix + $"{run}/{random.Next(keys)}";
                var started = Stopwatch.GetTimestamp();
                var proof = Proofs.State(ledger, "kv", key, block);
                times[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                Sdk.Verification.ProofVerifier.VerifyAgainstStateRoot(proof.Read, proof.Header.StateRoot.Span, proof.Header.Number);
            }
            Array.Sort(times);
            past.Add(new PastProof(back, times.Length, times[times.Length / 2], times[^1]));
        }
        return new ProofResult(count, At(serve, 0.5), At(serve, 0.99), At(check, 0.99), (double)bytes / count, (double)entries / count,
            receiptMs, Google.Protobuf.MessageExtensions.ToByteArray(receipt).Length, past);
    }
}
