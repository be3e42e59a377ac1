using System.Diagnostics;
using Chain.Contracts.Abstractions;
using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Node.Consensus;
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
        ProofResult? Proofs = null)
    {
        /// <summary>The name of a workload's run (its objects' ids start with it), when it has one.</summary>
        public string? Run { get; init; }
    }

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
        var phases = new PhaseTotals();
        var total = Stopwatch.StartNew();
        foreach (var batch in checkedTxs.Chunk(blockSize))
        {
            cancel.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            var set = executor.Execute(batch, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), nodeKey);
            var executed = Stopwatch.GetTimestamp();
            ledger.Commit(set);
            phases.Add(set, ledger, started, executed);
        }
        var seconds = total.Elapsed.TotalSeconds;
        var invalid = Enumerable.Range(0, (int)ledger.Height).Sum(n => ledger.GetBlock((ulong)n)!.Results.Count(r => r.Code != ValidationCode.Valid));
        if (invalid > 0) throw new InvalidOperationException($"{invalid} benchmark transactions were not VALID");
        return phases.ToResult(count, count / verifySeconds, count / seconds, Megabytes(folder), proofs > 0 ? MeasureProofs(ledger, run, count, proofs) : null);
    }

    /// <summary>
    /// The signature-verify ceiling of this machine now: <paramref name="count"/> signed transactions checked as admission
    /// checks them (decode, hash, recover the signer), on every core; transactions per second. Benchmarks report their
    /// figures as a ratio to it, measured in the same run, so that they can be compared across runs on a noisy machine.
    /// </summary>
    public static double VerifyCeiling(int count = 20_000)
    {
        var signer = AccountKey.Generate();
        var transactions = new Transaction[count];
        Parallel.For(0, count, i => transactions[i] = TransactionFactory.Create(signer, "ceiling", "kv", "put", $"{{\"key\":\"ceiling/{i}\",\"value\":\"x\"}}"));
        BlockExecutor.CheckAll(transactions.AsSpan(0, Math.Min(count, 500)).ToArray(), 1024 * 1024); // warm up
        var watch = Stopwatch.StartNew();
        var checkedTxs = BlockExecutor.CheckAll(transactions, 1024 * 1024);
        var seconds = watch.Elapsed.TotalSeconds;
        if (checkedTxs.Any(t => t.Rejection is not null)) throw new InvalidOperationException("a ceiling transaction failed its check");
        return count / seconds;
    }

    /// <param name="setup">The setup transactions, given the ledger's height (1: a new ledger).</param>
    /// <summary>
    /// A contract workload on a channel of a node's folder, in process, on the node's own commit path (the channel opened as
    /// the node opens it, blocks executed and committed by its committer, signed with its key): <paramref name="setup"/>
    /// in one block first, then <paramref name="load"/>'s transactions, made and signed block by block (not timed, so
    /// their timestamps stay within the channel's window however long the run), verified in parallel as admission does, and
    /// committed <paramref name="blockSize"/> at a time. The node must not be running; afterwards it serves what was written.
    /// </summary>
    /// <param name="load">Makes transaction i (of <paramref name="count"/>).</param>
    public static Result RunOnNode(NodeConfig config, string channelName, Func<ulong, IReadOnlyList<Transaction>> setup, Func<int, Transaction> load, int count, int blockSize,
        CancellationToken cancel, Action<int>? progress = null)
    {
        var settings = config.Channels.SingleOrDefault(c => c.Name == channelName) ?? throw new ConfigException($"node {config.NodeId} has no channel '{channelName}'");
        var key = NodeHost.LoadNodeKey(config);
        var folder = Path.Combine(config.Resolve(config.DataDir), channelName);
        var ledger = ChannelLedger.Open(folder, channelName);
        IConsenterSupport? support = null;
        Exception? fatal = null;
        var channel = ChannelBootstrap.Open(settings, settings.GenesisFile is { } g ? config.Resolve(g) : null, ledger, key, TimeProvider.System, NullLogger.Instance,
            e => fatal = e, s => { support = s; return new IdleOrderer(); });
        try
        {
            void Commit(IReadOnlyList<CheckedTx> batch, long timestampMs)
            {
                var set = support!.Execute(batch, timestampMs);
                support.Commit(set, batch);
                if (fatal is not null) throw new InvalidOperationException("the benchmark's commit failed: " + fatal.Message, fatal);
            }
            var firstLoadBlock = ledger.Height;
            var setupTxs = setup(ledger.Height);
            if (setupTxs.Count > 0)
            {
                Commit(BlockExecutor.CheckAll(setupTxs, settings.MaxTxBytes), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                var refused = ledger.GetBlock(ledger.Height - 1)!.Results.FirstOrDefault(r => r.Code != ValidationCode.Valid);
                if (refused is not null) throw new InvalidOperationException($"a setup transaction was refused: {refused.Code} {refused.Message}");
                firstLoadBlock = ledger.Height;
            }
            var phases = new PhaseTotals();
            double verify = 0;
            int done = 0;
            var total = Stopwatch.StartNew();
            double making = 0;
            while (done < count)
            {
                cancel.ThrowIfCancellationRequested();
                var size = Math.Min(blockSize, count - done);
                var madeAt = Stopwatch.GetTimestamp();
                var transactions = new Transaction[size];
                Parallel.For(0, size, i => transactions[i] = load(done + i));
                making += Stopwatch.GetElapsedTime(madeAt).TotalSeconds;
                var started = Stopwatch.GetTimestamp();
                var batch = BlockExecutor.CheckAll(transactions, settings.MaxTxBytes);
                var checkedAt = Stopwatch.GetTimestamp();
                var set = support!.Execute(batch, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                var executed = Stopwatch.GetTimestamp();
                support.Commit(set, batch);
                if (fatal is not null) throw new InvalidOperationException("the benchmark's commit failed: " + fatal.Message, fatal);
                verify += Stopwatch.GetElapsedTime(started, checkedAt).TotalSeconds;
                phases.Add(set, ledger, checkedAt, executed);
                done += size;
                progress?.Invoke(done);
            }
            var seconds = total.Elapsed.TotalSeconds - making;
            var refusedLoad = Enumerable.Range((int)firstLoadBlock, (int)(ledger.Height - firstLoadBlock))
                .SelectMany(n => ledger.GetBlock((ulong)n)!.Results).FirstOrDefault(r => r.Code != ValidationCode.Valid);
            if (refusedLoad is not null) throw new InvalidOperationException($"a benchmark transaction was not VALID: {refusedLoad.Code} {refusedLoad.Message}");
            return phases.ToResult(count, count / verify, count / (seconds - verify), Megabytes(folder));
        }
        finally
        {
            channel.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static double Megabytes(string folder) => new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length) / 1e6;

    /// <summary>The phases of the blocks of a run, summed (milliseconds), as the node logs them per block.</summary>
    private sealed class PhaseTotals
    {
        private double _run, _root, _execute, _write, _build, _sync;
        private int _blocks;

        /// <param name="started">When the block's execution started; <paramref name="executed"/>, when it ended and the commit began (now it ended).</param>
        public void Add(BlockWriteSet set, ChannelLedger ledger, long started, long executed)
        {
            _write += Stopwatch.GetElapsedTime(executed).TotalMilliseconds;
            _build += ledger.LastBatchBuildTime.TotalMilliseconds;
            _sync += ledger.LastBatchWriteTime.TotalMilliseconds;
            _execute += Stopwatch.GetElapsedTime(started, executed).TotalMilliseconds;
            _run += set.RunTime.TotalMilliseconds;
            _root += set.StateRootTime.TotalMilliseconds;
            _blocks++;
        }

        public Result ToResult(int count, double verifyPerSecond, double commitPerSecond, double megabytes, ProofResult? proofs = null) =>
            new(count, _blocks, verifyPerSecond, commitPerSecond, _run / _blocks, _root / _blocks, (_execute - _run - _root) / _blocks, _write / _blocks,
                _build / _blocks, _sync / _blocks, megabytes, proofs);
    }

    /// <summary>Orders nothing: the benchmark drives the committer itself.</summary>
    private sealed class IdleOrderer : IOrderer
    {
        public bool TryEnqueue(CheckedTx tx) => false;
        public Redirect? Redirect => null;
        public OrdererStatus Status => new("benchmark", 0, null);
        public Task RunAsync(CancellationToken stopping) => Task.CompletedTask;
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
