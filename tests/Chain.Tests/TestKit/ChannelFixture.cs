using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Node.Consensus;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Node.Membership;
using Chain.Protocol;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chain.Tests.TestKit;

/// <summary>
/// A channel put together the way a node does it (<see cref="ChannelBootstrap"/>), on real RocksDB in a temp folder,
/// with the orderer a test chooses; signed with <see cref="LedgerHarness.NodeKey"/>, the consenter of <see cref="TestNetwork"/>.
/// </summary>
internal sealed class ChannelFixture : IAsyncDisposable
{
    private readonly TempDirectory _dir = new();

    /// <param name="config">Configuration carried by the genesis block; null for a channel without one.</param>
    public ChannelFixture(ChannelConfig? config, Func<IConsenterSupport, IOrderer> orderer, string channel = LedgerHarness.Channel, int maxPendingTxs = 100_000)
    {
        Settings = new ChannelSettings { Name = channel, Contracts = ["kv"], TimestampWindowMs = LedgerHarness.WindowMs, MaxPendingTxs = maxPendingTxs };
        string? genesis = null;
        if (config is not null)
        {
            genesis = _dir.Combine(channel + ".genesis");
            File.WriteAllBytes(genesis, GenesisBlock.Create(config, 0).ToByteArray());
        }
        Channel = ChannelBootstrap.Open(Settings, genesis, ChannelLedger.Open(_dir.Combine(channel), channel), LedgerHarness.NodeKey, TimeProvider.System,
            NullLogger.Instance, e => Fatal = e, orderer);
    }

    public ChannelSettings Settings { get; }
    public ChannelRuntime Channel { get; }
    public Exception? Fatal { get; private set; }

    /// <summary>Admission of one transaction, as the router calls it.</summary>
    public Redirect? Admit(Transaction transaction, out CheckedTx? admitted) => Channel.Admit(transaction, out admitted);

    public async ValueTask DisposeAsync()
    {
        await Channel.DisposeAsync();
        _dir.Dispose();
    }
}

/// <summary>An orderer whose answers a test sets: where transactions go, and whether its queue has room.</summary>
internal sealed class ScriptedOrderer : IOrderer
{
    public Redirect? Redirect { get; set; }
    public bool Full { get; set; }
    public List<CheckedTx> Queued { get; } = [];
    public long Behind { get; set; }
    public string? Unreached { get; set; }
    public long Term { get; set; }
    public string? Leader { get; set; }
    public OrdererStatus Status => new(Redirect is null ? "leader" : "follower", Term, Leader, Behind: Behind, Unreached: Unreached);

    public bool TryEnqueue(CheckedTx tx)
    {
        if (Full) return false;
        lock (Queued) Queued.Add(tx);
        return true;
    }

    public Task RunAsync(CancellationToken stopping) => Task.CompletedTask;
}
