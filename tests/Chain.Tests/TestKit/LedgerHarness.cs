using Chain.Contracts.Abstractions;
using Chain.Node.Configuration;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;

namespace Chain.Tests.TestKit;

/// <summary>An in-process channel ledger on real RocksDB in a temp folder, with the real executor.</summary>
internal sealed class LedgerHarness : IDisposable
{
    public const string Channel = "sandbox";
    public const long WindowMs = 60_000;
    private readonly TempDirectory _dir = new();
    private readonly bool _ownsDir = true;

    public LedgerHarness() : this(null) { }

    /// <summary>A ledger whose genesis block carries <paramref name="config"/>, so membership and policies are enforced.</summary>
    public LedgerHarness(ChannelConfig? config)
    {
        Ledger = ChannelLedger.Open(Path, Channel);
        if (config is null) Ledger.CommitGenesis(0);
        else
        {
            var genesis = GenesisBlock.Create(config, 0);
            Ledger.CommitGenesis(genesis, GenesisBlock.Open(genesis, Channel).Writes);
        }
        Wire();
    }

    public static readonly AccountKey NodeKey = AccountKey.Generate();
    public ChannelSettings Settings { get; } = new() { Name = Channel, TimestampWindowMs = WindowMs };
    /// <summary>The configuration in force, shared by the executor and the system contracts.</summary>
    public ChannelViews Views { get; private set; } = null!;
    public string Path => _dir.Combine("ledger");
    public ChannelLedger Ledger { get; private set; }
    public ContractRegistry Contracts { get; private set; } = null!;
    public BlockExecutor? Executor { get; private set; }
    public long Now { get; set; } = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>Executes and commits one block; returns it.</summary>
    public Block Commit(params Transaction[] transactions)
    {
        var set = Executor!.Execute(BlockExecutor.CheckAll(transactions, 1024 * 1024), Now, NodeKey);
        Ledger.Commit(set);
        return set.Block;
    }

    public BlockWriteSet Execute(params Transaction[] transactions) =>
        Executor!.Execute(BlockExecutor.CheckAll(transactions, 1024 * 1024), Now, NodeKey);

    public byte[]? Query(string function, string argsJson)
    {
        try { return BlockExecutor.Evaluate(Ledger, Contracts, "kv", function, System.Text.Encoding.UTF8.GetBytes(argsJson)).Value; }
        catch (TxRejectedException) { return null; }
    }

    public void Reopen()
    {
        Ledger.Dispose();
        Ledger = ChannelLedger.Open(Path, Channel);
        Wire();
    }

    /// <summary>The configuration view, the contracts (system ones read the view) and the executor over the open ledger.</summary>
    private void Wire()
    {
        Views = new ChannelViews(Ledger, Settings);
        Contracts = Chain.Contracts.BuiltInContracts.Registry(["kv", "charity", "demolition-fund"]);
        Contracts.Add(new MembershipContract(Views)).Add(new ConfigContract(Views)).Add(new GuardedContract());
        Executor = new BlockExecutor(Ledger, Contracts, Views, NullLogger.Instance);
    }

    public void Dispose()
    {
        Ledger.Dispose();
        if (_ownsDir) _dir.Dispose();
    }
}
