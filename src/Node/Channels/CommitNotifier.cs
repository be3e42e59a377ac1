using System.Collections.Concurrent;
using Chain.Protocol;

namespace Chain.Node.Channels;

/// <summary>
/// Wakes waiters when blocks commit: per-transaction waiters (SubmitAndWait, CommitStatus) and
/// "height changed" waiters (event streams).
/// </summary>
public sealed class CommitNotifier
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<CommitStatusResponse>> _txWaiters = new(StringComparer.Ordinal);
    private TaskCompletionSource _nextBlock = NewSignal();

    /// <summary>Completes when a block commits after this call.</summary>
    public Task NextBlock => Volatile.Read(ref _nextBlock).Task;

    public Task<CommitStatusResponse> WaitForTx(string txId) =>
        _txWaiters.GetOrAdd(txId, _ => new TaskCompletionSource<CommitStatusResponse>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Forget(string txId) => _txWaiters.TryRemove(txId, out _);

    public void BlockCommitted(Block block, IReadOnlyList<string> txIds)
    {
        if (!_txWaiters.IsEmpty)
        {
            for (int i = 0; i < txIds.Count; i++)
            {
                if (block.Results[i].Code == ValidationCode.DuplicateTxid) continue;
                if (_txWaiters.TryRemove(txIds[i], out var waiter))
                    waiter.TrySetResult(new CommitStatusResponse
                    {
                        TxId = txIds[i], Committed = true, BlockNumber = block.Header.Number,
                        Code = block.Results[i].Code, Message = block.Results[i].Message,
                    });
            }
        }
        Interlocked.Exchange(ref _nextBlock, NewSignal()).TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
