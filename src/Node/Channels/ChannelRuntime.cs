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

    internal ChannelRuntime(ChannelSettings settings, ChannelLedger ledger, ContractRegistry contracts, ChannelViews views, BlockCommitter committer,
        IOrderer orderer, Admission admission, CommitNotifier notifier, Custody custody)
    {
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
    internal Redirect? Admit(Transaction transaction, out CheckedTx? admitted) => _admission.Admit(transaction, out admitted);

    public bool Halted => _committer.Halted;
    public ChannelHaltedException? HaltedBy => _committer.HaltedBy;

    public async ValueTask DisposeAsync()
    {
        if (Orderer is IAsyncDisposable disposable) await disposable.DisposeAsync();
        Ledger.Dispose();
    }
}
