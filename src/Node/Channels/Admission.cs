using System.Collections.Concurrent;
using Chain.Contracts.Abstractions;
using Chain.Node.Configuration;
using Chain.Node.Consensus;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Protocol;

namespace Chain.Node.Channels;

/// <summary>
/// Admission of one channel's transactions: checks a transaction as far as possible without ordering it (the checks of
/// docs/API.md, in order, with the rules block execution applies too: <see cref="TxValidator.CheckRules"/>) and queues
/// it with the orderer. Runs on gRPC threads, many at a time.
/// </summary>
internal sealed class Admission(string channel, ChannelLedger ledger, ChannelViews views, ContractRegistry contracts, PendingTransactions pending,
    BlockCommitter committer, IOrderer orderer, TimeProvider clock)
{
    /// <summary>
    /// Null when the transaction is admitted here, queued for a block; otherwise where to send it: this node does not
    /// order the channel now (it observes it, or is not the Raft leader). A refusal throws <see cref="TxRejectedException"/>,
    /// <see cref="ChannelBusyException"/> or <see cref="ChannelHaltedException"/>.
    /// </summary>
    public Redirect? Admit(Transaction transaction, out CheckedTx? admitted)
    {
        admitted = null;
        if (committer.HaltedBy is { } halted) throw halted;
        if (orderer.Redirect is { } redirect) return redirect;
        var view = views.Current;
        var tx = TxValidator.CheckStateless(transaction, view.Limits.MaxTxBytes,
            view.Access is { } access ? creator => access.ClaimedIdentityOf(creator.Span, out var notEnrolled) is null ? notEnrolled : null : null);
        if (tx.Rejection is { } stateless) throw new TxRejectedException(stateless);
        if (TxValidator.CheckRules(tx, channel, contracts, view.Access, clock.GetUtcNow().ToUnixTimeMilliseconds(), view.Limits.TimestampWindowMs, out _, out _) is { } refused)
            throw new TxRejectedException(refused);
        var txId = tx.TxIdHex;
        if (ledger.ContainsTx(tx.TxId) || !pending.TryAdd(txId))
            throw new TxRejectedException(new(ValidationCode.DuplicateTxid, $"transaction {txId} was already submitted"));
        if (!orderer.TryEnqueue(tx))
        {
            pending.Forget([txId]);
            throw new ChannelBusyException($"channel '{channel}' has {views.Settings.MaxPendingTxs} transactions waiting for a block; retry later");
        }
        admitted = tx;
        return null;
    }
}

/// <summary>Ids of the transactions admitted on this node and not yet committed or handed to another node.</summary>
internal sealed class PendingTransactions
{
    private readonly ConcurrentDictionary<string, byte> _ids = new(StringComparer.Ordinal);

    public bool TryAdd(string txId) => _ids.TryAdd(txId, 0);

    public int Count => _ids.Count;

    public void Forget(IEnumerable<string> txIds)
    {
        foreach (var id in txIds) _ids.TryRemove(id, out _);
    }
}
