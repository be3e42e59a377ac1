using Chain.Contracts.Abstractions;
using Chain.Node.Configuration;
using Chain.Node.Consensus;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Protocol;

namespace Chain.Node.Channels;

/// <summary>
/// One channel on this node, put together by <see cref="ChannelBootstrap"/>: its ledger, contracts, the configuration
/// in force (<see cref="Views"/>), admission, the orderer and the commit path it orders through (<see cref="Support"/>),
/// and the notifier that wakes clients waiting for blocks.
/// </summary>
internal sealed class ChannelRuntime : IAsyncDisposable
{
    private readonly Admission _admission;
    private readonly BlockCommitter _committer;
    private readonly PendingTransactions _pending;

    internal ChannelRuntime(ChannelSettings settings, ChannelLedger ledger, ContractRegistry contracts, ChannelViews views, BlockCommitter committer,
        IOrderer orderer, Admission admission, PendingTransactions pending, CommitNotifier notifier, Custody custody)
    {
        _pending = pending;
        Custody = custody;
        Settings = settings;
        Ledger = ledger;
        Contracts = contracts;
        Views = views;
        _committer = committer;
        Orderer = orderer;
        _admission = admission;
        Notifier = notifier;
    }

    public string Name => Settings.Name;
    public ChannelSettings Settings { get; }
    public ChannelLedger Ledger { get; }
    public ContractRegistry Contracts { get; }
    public ChannelViews Views { get; }
    public IOrderer Orderer { get; }
    public CommitNotifier Notifier { get; }
    /// <summary>What clients handed to this node and it acknowledged, until it sees it committed.</summary>
    public Custody Custody { get; }
    /// <summary>The commit path the orderer goes through.</summary>
    public IConsenterSupport Support => _committer;

    /// <summary>"raft" or "solo", from the configuration in force.</summary>
    public string Consensus => Views.Current.Consensus;

    /// <summary>Null when admitted here; else where to send the transaction (<see cref="Admission.Admit"/>).</summary>
    internal Redirect? Admit(Transaction transaction, out CheckedTx? admitted)
    {
        try
        {
            var redirect = _admission.Admit(transaction, out admitted);
            if (admitted is not null) Observability.NodeTelemetry.Admitted(admitted);
            return redirect;
        }
        catch (Exception e) when (e is TxRejectedException or ChannelBusyException or ChannelHaltedException)
        {
            Observability.NodeMetrics.Refused(Name, Errors.Answers.Of(e).Code); // the code the caller is answered with
            throw;
        }
    }

    /// <summary>This node's part in the channel as status answers and metrics name it: the orderer's role, or "halted".</summary>
    public string Role => Halted ? "halted" : Orderer.Status.Role;

    /// <summary>Transactions admitted here and not yet committed or handed on.</summary>
    public int PendingCount => _pending.Count;

    public bool Halted => _committer.Halted;
    public ChannelHaltedException? HaltedBy => _committer.HaltedBy;

    public async ValueTask DisposeAsync()
    {
        if (Orderer is IAsyncDisposable disposable) await disposable.DisposeAsync();
        Ledger.Dispose();
    }
}
