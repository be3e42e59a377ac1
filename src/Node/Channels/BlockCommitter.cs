using System.Diagnostics;
using Chain.Node.Configuration;
using Chain.Node.Consensus;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Channels;

/// <summary>
/// The commit path of one channel, and the orderers' only way to it (<see cref="IConsenterSupport"/>): executes
/// batches into signed blocks, writes them, verifies and applies blocks ordered elsewhere, tells waiting clients,
/// and halts the channel, by one path, when it can no longer follow the ordered chain.
/// </summary>
internal sealed partial class BlockCommitter(ChannelLedger ledger, ChannelViews views, BlockExecutor executor, PendingTransactions pending, CommitNotifier notifier, Custody custody,
    AccountKey nodeKey, ILogger logger, Action<Exception> onFatal) : IConsenterSupport
{
    private volatile ChannelHaltedException? _halted;

    public string ChannelName => ledger.Channel;
    public ChannelView View => views.Current;
    public ChainHead Head => ledger.Head;
    public Block? GetBlock(ulong number) => ledger.GetBlock(number);
    public event Action<ChannelConfig>? ConfigChanged;

    /// <summary>Set once the channel halted: what every later admission and waiting client is told.</summary>
    public ChannelHaltedException? HaltedBy => _halted;
    public bool Halted => _halted is not null;

    public BlockWriteSet Execute(IReadOnlyList<CheckedTx> batch, long timestampMs)
    {
        try
        {
            var started = DateTime.UtcNow;
            // Block time never goes backwards, even if the node's clock does.
            var set = executor.Execute(batch, Math.Max(timestampMs, ledger.Head.LastTimestampMs), nodeKey);
            set.ExecuteStartedUtc = started;
            return set;
        }
        catch (Exception e) { throw Fatal(e); }
    }

    public void Commit(BlockWriteSet set, IReadOnlyList<CheckedTx> batch)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            var writeStartedUtc = DateTime.UtcNow;
            ledger.Commit(set);
            var txIds = new string[batch.Count];
            for (int i = 0; i < txIds.Length; i++) txIds[i] = batch[i].TxIdHex;
            pending.Forget(txIds);
            var written = Stopwatch.GetElapsedTime(started);
            AfterCommit(set.Block, txIds);
            Observability.NodeMetrics.BlockProposed(ChannelName, set.Block, set.RunTime, set.StateRootTime, written);
            Observability.NodeTelemetry.BlockCommitted(ChannelName, set, batch, writeStartedUtc, writeStartedUtc + written);
            LogCommitted(logger, ChannelName, set.Block.Header.Number, batch.Count, set.RunTime.TotalMilliseconds, set.StateRootTime.TotalMilliseconds, written.TotalMilliseconds);
        }
        catch (Exception e) { throw Fatal(e); }
    }

    public ApplyOutcome Apply(Block block, string source)
    {
        if (_halted is not null) return ApplyOutcome.Halted;
        var number = block.Header?.Number ?? ulong.MaxValue;
        if (number < ledger.Height) return ApplyOutcome.Stale; // already have it (a reconnect resends, a restart replays the Raft log)
        try
        {
            if (number != ledger.Height) throw new LedgerCorruptException(number, $"peer sent block {number}, the next block here is {ledger.Height}");
            if (!block.Header!.PreviousHash.Span.SequenceEqual(ledger.LastHash))
                throw new LedgerCorruptException(number, "it does not link to the last block here");
            var hash = BlockVerifier.CheckSelfConsistent(block, number, ChannelName);
            if (views.Current.Config?.CheckSigners(block) is { } notConsenter) throw new LedgerCorruptException(number, "it is " + notConsenter);
            var started = Stopwatch.GetTimestamp();
            var set = executor.Replay(block, hash);
            var executed = Stopwatch.GetTimestamp();
            ledger.Commit(set);
            var written = Stopwatch.GetTimestamp();
            AfterCommit(block, set.TxIds.Select(Convert.ToHexStringLower).ToArray());
            Observability.NodeMetrics.BlockApplied(ChannelName, block, Stopwatch.GetElapsedTime(started, executed), Stopwatch.GetElapsedTime(executed, written));
            LogApplied(logger, ChannelName, source, number, block.Transactions.Count, Stopwatch.GetElapsedTime(started, executed).TotalMilliseconds, Stopwatch.GetElapsedTime(executed).TotalMilliseconds);
            return ApplyOutcome.Applied;
        }
        catch (Exception e) when (e is LedgerCorruptException or BlockMismatchException)
        {
            // Never diverge silently: stop following this channel; its committed state stays readable.
            Stop(new ChannelHaltedException($"channel '{ChannelName}' stopped following its peers: {e.Message}"), null);
            return ApplyOutcome.Halted;
        }
    }

    public void Release(IEnumerable<CheckedTx> transactions) => pending.Forget(transactions.Select(t => t.TxIdHex));

    public void Halt(string reason) => Stop(new ChannelHaltedException($"channel '{ChannelName}' halted: {reason}"), null);

    private void AfterCommit(Block block, IReadOnlyList<string> txIds)
    {
        if (block.Results.Any(r => r.Events.Any(e => e.Contract == ConfigContract.ContractName)) && views.Current.Config is { } updated)
            ConfigChanged?.Invoke(updated);
        notifier.BlockCommitted(block, txIds);
        custody.Committed(txIds);
    }

    /// <summary>
    /// The ledger is unchanged (the batch was not written) or fully written; either way, stop the node and let the
    /// restart's recovery check decide. Continuing could diverge from the stored chain.
    /// </summary>
    private Exception Fatal(Exception e)
    {
        if (e is ChannelHaltedException) return e;
        Stop(new ChannelHaltedException($"channel '{ChannelName}' halted after a failed commit ({e.Message}); the node is stopping"), e);
        return e;
    }

    /// <summary>The one halt path: refuse everything from now on, fail every waiting client, and stop the node when the cause is fatal.</summary>
    private void Stop(ChannelHaltedException halted, Exception? fatal)
    {
        if (Interlocked.CompareExchange(ref _halted, halted, null) is not null) return;
        LogHalted(logger, fatal, ChannelName, halted.Message);
        notifier.FailAll(halted);
        if (fatal is not null) onFatal(fatal);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "channel {Channel} committed block {Number} with {TxCount} txs (run {RunMs:F1} ms, state root {RootMs:F1} ms, write {CommitMs:F1} ms)")]
    private static partial void LogCommitted(ILogger logger, string channel, ulong number, int txCount, double runMs, double rootMs, double commitMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "channel {Channel} applied {Source} block {Number} with {TxCount} txs (re-execute {ExecuteMs:F1} ms, write {CommitMs:F1} ms)")]
    private static partial void LogApplied(ILogger logger, string channel, string source, ulong number, int txCount, double executeMs, double commitMs);

    [LoggerMessage(Level = LogLevel.Critical, Message = "channel {Channel} stops committing: {Reason}")]
    private static partial void LogHalted(ILogger logger, Exception? cause, string channel, string reason);
}

internal sealed class ChannelBusyException(string message) : Exception(message);

/// <summary>The channel stopped committing; nothing more is admitted.</summary>
internal sealed class ChannelHaltedException(string message) : Exception(message);
