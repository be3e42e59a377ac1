using System.Net;
using Chain.Node.Configuration;
using Chain.Node.Consensus;
using Chain.Node.Consensus.Raft;
using Chain.Node.Errors;
using Chain.Node.Network;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Chain.Tests.Node.Consensus;

/// <summary>
/// The Raft orderer's leading and hand-over, in process: a real channel (RocksDB, admission, the commit path) and an
/// in-process Raft group (<see cref="FakeRaftGroup"/>) the test elects, deposes and feeds other leaders' blocks.
/// </summary>
public sealed class RaftOrdererTests : IAsyncLifetime
{
    private static readonly AccountKey OtherConsenter = AccountKey.Generate();
    private static readonly IPEndPoint OtherRaftEndPoint = new(IPAddress.Loopback, 18052);
    private readonly FakeRaftGroup _group = new();
    private readonly List<IReadOnlyList<Transaction>> _handedOver = [];
    private readonly CancellationTokenSource _stop = new();
    private ChannelFixture _channel = null!;
    private RaftOrderer _orderer = null!;
    private Task _running = Task.CompletedTask;

    private static ChannelConfig RaftConfig()
    {
        var config = TestNetwork.Config();
        config.Consensus = "raft";
        config.Consenters[0].RaftPort = 18051;
        config.Consenters.Add(new ConsenterConfig { Node = "bank-node2", Organization = "Bank", Host = "127.0.0.1", Port = 7052, RaftPort = 18052, Address = ByteString.CopyFrom(OtherConsenter.Address) });
        config.Organizations[0].CaCertificatePem = BankCaPem;
        return config;
    }

    /// <summary>A CA certificate for the configuration to carry (only its text travels in redirects).</summary>
    private static readonly string BankCaPem = CreateCaPem();

    private static string CreateCaPem()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("O=Bank, CN=ca.Bank", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return ca.ExportCertificatePem();
    }

    private static readonly ChannelConfig Config = RaftConfig();

    public async Task InitializeAsync()
    {
        _channel = new ChannelFixture(Config, support => _orderer = new RaftOrderer(support, new ChannelSettings { Name = LedgerHarness.Channel }, LedgerHarness.NodeKey.Address,
            _group.Factory, HandOver, new BlockPuller(new NodeConfig(), "node1", NullLogger.Instance), NullLogger.Instance, TimeProvider.System));
        _running = _orderer.RunAsync(_stop.Token);
        await Wait.UntilAsync(() => Task.FromResult(_group.Started && _orderer.State == RaftOrderer.RaftState.Member), "the Raft member to start");
    }

    public async Task DisposeAsync()
    {
        _stop.Cancel();
        _group.Depose();
        await _running.WaitAsync(TimeSpan.FromSeconds(30));
        await _channel.DisposeAsync();
    }

    private Task<AdmissionStatus[]> HandOver(IReadOnlyList<Transaction> transactions, CancellationToken stop)
    {
        lock (_handedOver) _handedOver.Add(transactions);
        return Task.FromResult(transactions.Select(t => Answers.Accepted(TxRouter.TxIdOf(t))).ToArray());
    }

    private async Task LeadAsync()
    {
        _group.Elect();
        await Wait.UntilAsync(() => Task.FromResult(_orderer.Status.Role == "leader"), "this node to lead");
    }

    private void Admit(Transaction transaction) => Assert.Null(_channel.Admit(transaction, out _));

    [Fact]
    public async Task TheLeader_CutsAdmittedTransactionsIntoBlocks_ReplicatesThem_AndCommitsEachOnceApplied()
    {
        Assert.True(_orderer.Redirect!.NoLeader); // a member without a leader sends nothing anywhere
        Assert.Equal("candidate", _orderer.Status.Role);
        await LeadAsync();
        Assert.Null(_orderer.Redirect);
        Admit(Build.Put("a", "1"));
        Admit(Build.Put("b", "2"));
        await Wait.UntilAsync(() => Task.FromResult(_channel.Channel.Ledger.Height == 2), "the block to commit");
        var entry = Block.Parser.ParseFrom(Assert.Single(_group.Log));
        Assert.Equal(2, entry.Transactions.Count);
        Assert.Equal(ProtocolHashes.BlockHash(entry.Header), _channel.Channel.Ledger.LastHash);
        Assert.Equal(1, _orderer.Status.Term);
    }

    [Fact]
    public async Task WhenAnEarlierTermsBlockTakesTheHeightFirst_TheLeaderRunsItsBatchAgainOnTopOfIt()
    {
        // The block another leader cut for height 1, with the same genesis and signed by a consenter.
        using var other = new LedgerHarness(Config);
        var earlier = other.Execute(Build.Put("earlier", "x")).Block;
        _group.BeforeAppend = async index => { if (index == 1) await _group.ApplyForeignAsync(earlier.ToByteArray()); };
        await LeadAsync();
        Admit(Build.Put("mine", "y"));
        await Wait.UntilAsync(() => Task.FromResult(_channel.Channel.Ledger.Height == 3), "the batch to commit on top of the earlier block");
        var ledger = _channel.Channel.Ledger;
        Assert.Equal(ProtocolHashes.BlockHash(earlier.Header), ProtocolHashes.BlockHash(ledger.GetBlock(1)!.Header));
        Assert.Contains("mine", ledger.GetBlock(2)!.Transactions[0].Payload.ToStringUtf8());
        Assert.Equal(3, _group.Log.Count); // the earlier block, the first try (skipped as stale), the batch again
    }

    [Fact]
    public async Task ADeposedLeader_HandsOverTheBlockInFlightAndWhatIsQueued_AndCanAdmitThemAgainLater()
    {
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _group.BeforeAppend = async _ => { held.TrySetResult(); await holding.Task; };
        await LeadAsync();
        var first = Build.Put("a", "1");
        var second = Build.Put("b", "2");
        Admit(first);
        await held.Task.WaitAsync(TimeSpan.FromSeconds(30)); // its block is being replicated
        Admit(second);
        _group.Depose();
        holding.SetResult();
        await Wait.UntilAsync(() => Task.FromResult(_handedOver.Count > 0), "the hand-over");
        var handed = Assert.Single(_handedOver);
        Assert.Equal([TxRouter.TxIdOf(first), TxRouter.TxIdOf(second)], handed.Select(TxRouter.TxIdOf));
        Assert.Equal(1UL, _channel.Channel.Ledger.Height);
        Assert.True(_orderer.Redirect!.NoLeader);

        // Released here: leading again, this node admits them anew (they are not duplicates of pending ones).
        _group.BeforeAppend = null;
        await LeadAsync();
        Admit(first);
        await Wait.UntilAsync(() => Task.FromResult(_channel.Channel.Ledger.Height == 2), "the re-admitted transaction to commit");
    }

    [Fact]
    public async Task AFollower_RelaysToTheLeaderItLearnt_ByItsPeerUrlAndItsOrganisationsCa()
    {
        _group.Announce(OtherRaftEndPoint, new Dictionary<string, string> { [DotNextRaftGroup.NodeKey] = "bank-node2", [DotNextRaftGroup.PeerKey] = "https://127.0.0.1:8052" });
        await Wait.UntilAsync(() => Task.FromResult(_orderer.Redirect?.Target is not null), "the leader's metadata");
        var redirect = _orderer.Redirect!;
        Assert.Equal(("node bank-node2 leads channel 'sandbox'", "https://127.0.0.1:8052", BankCaPem, false), (redirect.Reason, redirect.Target, redirect.TargetCaPem, redirect.NoLeader));
        Assert.Equal(("follower", "bank-node2"), (_orderer.Status.Role, _orderer.Status.Leader));
        Assert.Same(redirect, _orderer.Redirect); // computed when the leader changed, not on every read
        Assert.Equal(redirect, _channel.Admit(Build.Put("a", "1"), out var admitted));
        Assert.Null(admitted);

        _group.Announce(null);
        Assert.True(_orderer.Redirect!.NoLeader);
        Assert.Equal("candidate", _orderer.Status.Role);
    }
}
