using Chain.Protocol;

namespace Chain.Node.Channels;

/// <summary>
/// Wakes waiters when blocks commit: per-transaction waiters (SubmitAndWait, CommitStatus) and
/// "height changed" waiters (event streams).
/// </summary>
/// <remarks>
/// Each caller owns its registration, so a refused duplicate submit or a cancelled call removes only
/// its own waiter, never another caller's wait for the same transaction.
/// </remarks>
/// <param name="maxWaiters">At most this many callers wait for transactions at once; one more is refused with BUSY, so
/// clients that open waits and never close them cannot exhaust the node's memory.</param>
internal sealed class CommitNotifier(int maxWaiters = CommitNotifier.DefaultMaxWaiters)
{
    public const int DefaultMaxWaiters = 100_000;
    private readonly Dictionary<string, List<TaskCompletionSource<CommitStatusResponse>>> _txWaiters = new(StringComparer.Ordinal);
    private int _waiting;
    private readonly Lock _lock = new();
    private TaskCompletionSource _nextBlock = NewSignal();
    private Exception? _failure;

    /// <summary>Completes when a block commits after this call.</summary>
    public Task NextBlock => Volatile.Read(ref _nextBlock).Task;

    /// <summary>How many callers wait for transactions now.</summary>
    public int Waiting { get { lock (_lock) return _waiting; } }

    /// <summary>Registers a wait for <paramref name="txId"/>; <see cref="ChannelBusyException"/> when the node keeps as many as it will.</summary>
    public TxWaiter WaitForTx(string txId)
    {
        var source = new TaskCompletionSource<CommitStatusResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_failure is not null)
            {
                source.SetException(_failure);
                return new TxWaiter(this, txId, source);
            }
            if (_waiting >= maxWaiters)
                throw new ChannelBusyException($"{_waiting} calls are waiting for transactions of this channel to commit, the most this node keeps; retry later");
            if (!_txWaiters.TryGetValue(txId, out var list)) _txWaiters[txId] = list = [];
            list.Add(source);
            _waiting++;
        }
        return new TxWaiter(this, txId, source);
    }

    private void Remove(string txId, TaskCompletionSource<CommitStatusResponse> source)
    {
        lock (_lock)
        {
            if (!_txWaiters.TryGetValue(txId, out var list) || !list.Remove(source)) return;
            _waiting--;
            if (list.Count == 0) _txWaiters.Remove(txId);
        }
    }

    public void BlockCommitted(Block block, IReadOnlyList<string> txIds)
    {
        List<(TaskCompletionSource<CommitStatusResponse> Source, CommitStatusResponse Status)>? wake = null;
        lock (_lock)
        {
            if (_txWaiters.Count > 0)
            {
                for (int i = 0; i < txIds.Count; i++)
                {
                    if (block.Results[i].Code == ValidationCode.DuplicateTxid || !_txWaiters.Remove(txIds[i], out var list)) continue;
                    var status = new CommitStatusResponse
                    {
                        TxId = txIds[i], Committed = true, BlockNumber = block.Header.Number,
                        Code = block.Results[i].Code, Message = block.Results[i].Message,
                    };
                    wake ??= [];
                    foreach (var source in list) wake.Add((source, status));
                    _waiting -= list.Count;
                }
            }
        }
        if (wake is not null) foreach (var (source, status) in wake) source.TrySetResult(status);
        Interlocked.Exchange(ref _nextBlock, NewSignal()).TrySetResult();
    }

    /// <summary>Fails every waiting caller, and every later one, when the channel halts and no block will come.</summary>
    public void FailAll(Exception reason)
    {
        List<TaskCompletionSource<CommitStatusResponse>> all;
        lock (_lock)
        {
            _failure ??= reason;
            all = _txWaiters.Values.SelectMany(l => l).ToList();
            _txWaiters.Clear();
            _waiting = 0;
        }
        foreach (var source in all) source.TrySetException(reason);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>One caller's wait for one transaction; dispose to stop waiting.</summary>
    public sealed class TxWaiter(CommitNotifier owner, string txId, TaskCompletionSource<CommitStatusResponse> source) : IDisposable
    {
        public Task<CommitStatusResponse> Task => source.Task;
        public void Dispose() => owner.Remove(txId, source);
    }
}
