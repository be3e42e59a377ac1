using Chain.Node.Channels;
using Chain.Node.Consensus;
using Chain.Node.Errors;
using Chain.Node.Network;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Tests.TestKit;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Chain.Tests.Node.Network;

/// <summary>
/// The one relay path, in process: real channels (RocksDB, admission) with an orderer the test steers, and a
/// transport that records what the router sends where and answers as the test says.
/// </summary>
public sealed class TxRouterTests : IAsyncLifetime
{
    private readonly ScriptedOrderer _orderer = new();
    private readonly FakeTransport _transport = new();
    private ChannelFixture _channel = null!;
    private TxRouter _router = null!;

    private static readonly RouteOptions Quick = RouteOptions.Client with { Patience = TimeSpan.FromMilliseconds(600) };

    public Task InitializeAsync()
    {
        _channel = new ChannelFixture(null, _ => _orderer);
        _router = new TxRouter(new ChannelDirectory([_channel.Channel]), _transport, TimeProvider.System, NullLogger<TxRouter>.Instance);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _channel.DisposeAsync();

    [Fact]
    public async Task WhileThisNodeOrders_TransactionsAreAdmittedHere_AndNothingIsRelayed()
    {
        var statuses = await _router.RouteAsync([Build.Put("a", "1"), Build.Put("b", "2")], RouteOptions.Client, default);
        Assert.All(statuses, s => Assert.True(s.Accepted));
        Assert.Equal(2, _orderer.Queued.Count);
        Assert.Empty(_transport.Calls);
    }

    [Fact]
    public async Task ToAFollower_TransactionsGoToTheLeader_WithItsCa_AsOneHop_AndTheLeadersVerdictComesBack()
    {
        _orderer.Redirect = new Redirect("node bank-node2 leads channel 'sandbox'", "https://127.0.0.1:8052", "CA-PEM");
        _transport.Answer = (txs, _) => txs.Select((t, i) => i == 0 ? Answers.Accepted(TxRouter.TxIdOf(t)) : Refused(t, ErrorCodes.Of(ValidationCode.ContractError))).ToList();
        var statuses = await _router.RouteAsync([Build.Put("a", "1"), Build.Put("b", "2")], RouteOptions.Client, default);
        var call = Assert.Single(_transport.Calls);
        Assert.Equal(("https://127.0.0.1:8052", "CA-PEM", 1, 2), (call.Target, call.CaPem, call.Hop, call.Count));
        Assert.True(statuses[0].Accepted);
        Assert.Equal("CONTRACT_ERROR", statuses[1].Code);
        Assert.Empty(_orderer.Queued);
    }

    [Fact]
    public async Task NotLeaderAnswers_AreTriedAgain_WhileThePatienceLasts()
    {
        _orderer.Redirect = new Redirect("node bank-node2 leads", "https://127.0.0.1:8052");
        int round = 0;
        _transport.Answer = (txs, _) => txs.Select(t => ++round < 3 ? Refused(t, ErrorCodes.NotLeader) : Answers.Accepted(TxRouter.TxIdOf(t))).ToList();
        var statuses = await _router.RouteAsync([Build.Put("a", "1")], RouteOptions.Client, default);
        Assert.True(statuses[0].Accepted, statuses[0].Message);
        Assert.Equal(3, _transport.Calls.Count);
    }

    [Fact]
    public async Task WithoutALeader_AClientWaitsItsPatience_ThenHearsNoLeader_WhileARelayingNodeHearsNotLeaderAtOnce()
    {
        _orderer.Redirect = new Redirect("channel 'sandbox' has no Raft leader now", NoLeader: true);
        var started = DateTime.UtcNow;
        var client = await _router.RouteAsync([Build.Put("a", "1")], Quick, default);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromMilliseconds(500));
        Assert.Equal(ErrorCodes.NoLeader.Name, client[0].Code);
        Assert.Equal((int)StatusCode.Unavailable, client[0].StatusCode);
        Assert.Equal("NO_LEADER: channel 'sandbox' has no Raft leader now; nothing was submitted, retry later", client[0].Message);

        var relayed = await _router.RouteAsync([Build.Put("b", "1")], RouteOptions.Relayed(1), default);
        Assert.Equal(ErrorCodes.NotLeader.Name, relayed[0].Code);
        Assert.Empty(_transport.Calls);
    }

    [Fact]
    public async Task ARelayedTransaction_IsPassedOnOnlyToAKnownLeader_AndAtMostMaxHops()
    {
        _orderer.Redirect = new Redirect("this node observes channel 'sandbox'");
        var anyPeer = await _router.RouteAsync([Build.Put("a", "1")], RouteOptions.Relayed(1), default);
        Assert.Equal("NOT_LEADER: this node observes channel 'sandbox'", anyPeer[0].Message);
        Assert.Empty(_transport.Calls);

        _orderer.Redirect = new Redirect("node bank-node2 leads", "https://127.0.0.1:8052");
        await _router.RouteAsync([Build.Put("b", "1")], RouteOptions.Relayed(1), default);
        Assert.Equal(2, Assert.Single(_transport.Calls).Hop);
        var tooFar = await _router.RouteAsync([Build.Put("c", "1")], RouteOptions.Relayed(TxRouter.MaxHops), default);
        Assert.Equal(ErrorCodes.NotLeader.Name, tooFar[0].Code);
        Assert.Single(_transport.Calls);
    }

    [Fact]
    public async Task AnUnreachableOrderer_IsTriedAgainForAClient_WhileThePatienceLasts_KeepsARelayersNotLeader_AndIsRetriedOnHandOver()
    {
        _orderer.Redirect = new Redirect("node bank-node2 leads", "https://127.0.0.1:8052");
        _transport.Answer = (_, _) => throw new RequestException(ErrorCodes.NoOrderer, "no node that orders the channel could be reached");
        var client = await _router.RouteAsync([Build.Put("a", "1")], Quick, default);
        Assert.Equal(ErrorCodes.NoOrderer.Name, client[0].Code);
        Assert.True(_transport.Calls.Count > 1, "a client's call waits for the orderer within its patience, whatever the relay path");
        Assert.Equal(0, _channel.Channel.Custody.Count); // refused: nothing was promised, nothing kept
        _transport.Calls.Clear();

        var relayed = await _router.RouteAsync([Build.Put("b", "1")], RouteOptions.Relayed(1), default);
        Assert.Equal(ErrorCodes.NotLeader.Name, relayed[0].Code);

        int calls = 0;
        _transport.Answer = (txs, _) => ++calls < 3 ? throw new RequestException(ErrorCodes.NoOrderer, "unreachable") : txs.Select(t => Answers.Accepted(TxRouter.TxIdOf(t))).ToList();
        var handedOver = await _router.RouteAsync([Build.Put("c", "1")], RouteOptions.HandOver with { Patience = TimeSpan.FromSeconds(5) }, default);
        Assert.True(handedOver[0].Accepted);
    }

    [Fact]
    public async Task ARepeatInsideTheBatch_IsADuplicate_AndARefusalHereIsAnsweredWithItsCode()
    {
        var put = Build.Put("a", "1");
        var statuses = await _router.RouteAsync([put, put, Build.Put("b", "2", timestampMs: 1)], RouteOptions.Client, default);
        Assert.True(statuses[0].Accepted);
        Assert.Equal(("DUPLICATE_TXID", (int)StatusCode.AlreadyExists), (statuses[1].Code, statuses[1].StatusCode));
        Assert.Equal("EXPIRED", statuses[2].Code);
        Assert.StartsWith("EXPIRED: ", statuses[2].Message);
        _orderer.Full = true;
        var busy = await _router.RouteAsync([Build.Put("c", "3")], RouteOptions.Client, default);
        Assert.True(busy[0].Is(ErrorCodes.Busy));
    }

    [Fact]
    public async Task AClientsAcknowledgedTransaction_IsKept_SentAgainWhenTheLeaderChanges_AndForgottenWhenItsBlockArrives()
    {
        _orderer.Redirect = new Redirect("node n2 leads", "https://127.0.0.1:8052");
        (_orderer.Term, _orderer.Leader) = (1, "n2");
        _transport.Answer = (txs, _) => txs.Select(t => Answers.Accepted(TxRouter.TxIdOf(t))).ToList();
        var tx = Build.Put("kept", "1");
        Assert.True((await _router.RouteAsync([tx], RouteOptions.Client, default))[0].Accepted);
        Assert.Equal(1, _channel.Channel.Custody.Count);
        // Relayed to this node, or handed over by a deposed leader: the entry node keeps those, not this one.
        await _router.RouteAsync([Build.Put("relayed", "1")], RouteOptions.Relayed(1), default);
        await _router.RouteAsync([Build.Put("handed", "1")], RouteOptions.HandOver, default);
        Assert.Equal(1, _channel.Channel.Custody.Count);

        var resender = new CustodyResender(new ChannelDirectory([_channel.Channel]), _router, TimeProvider.System, NullLogger<CustodyResender>.Instance);
        _transport.Calls.Clear();
        await resender.ResendAsync(_channel.Channel, default);
        Assert.Empty(_transport.Calls); // the same leader has it: nothing to do yet

        // n2 died with it; n3 leads now: the kept transaction goes to n3. A duplicate answer (n3 has it already) keeps it too.
        _orderer.Redirect = new Redirect("node n3 leads", "https://127.0.0.1:8053");
        (_orderer.Term, _orderer.Leader) = (2, "n3");
        _transport.Answer = (txs, _) => txs.Select(t => Refused(t, ErrorCodes.Of(ValidationCode.DuplicateTxid))).ToList();
        await resender.ResendAsync(_channel.Channel, default);
        var resent = Assert.Single(_transport.Calls);
        Assert.Equal(("https://127.0.0.1:8053", 1), (resent.Target, resent.Count));
        Assert.Equal((1, 1L), (_channel.Channel.Custody.Count, _channel.Channel.Custody.Resent));

        // Its block reaches this node (ordered by n3, applied here): forgotten.
        _orderer.Redirect = null;
        var admitted = await _router.RouteAsync([tx], RouteOptions.Relayed(1), default);
        Assert.True(admitted[0].Accepted);
        _channel.Channel.Support.CutBlock(_orderer.Queued, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal(0, _channel.Channel.Custody.Count);
    }

    [Fact]
    public async Task ADuplicateAnswerForATransactionNotYetOnTheLedger_IsKeptToo_AndABusyResendStaysDue()
    {
        // Another entry node acknowledged it and died; the client fails over here and meets the leader's DUPLICATE_TXID:
        // the transaction is queued at the leader, and this node is now the only one keeping it.
        _orderer.Redirect = new Redirect("node n2 leads", "https://127.0.0.1:8052");
        (_orderer.Term, _orderer.Leader) = (1, "n2");
        _transport.Answer = (txs, _) => txs.Select(t => Refused(t, ErrorCodes.Of(ValidationCode.DuplicateTxid))).ToList();
        var statuses = await _router.RouteAsync([Build.Put("queued-elsewhere", "1")], RouteOptions.Client, default);
        Assert.Equal("DUPLICATE_TXID", statuses[0].Code);
        Assert.Equal(1, _channel.Channel.Custody.Count);

        // The leader dies; the new one is too busy to take it: it stays due, and the next round sends it again.
        (_orderer.Term, _orderer.Leader) = (2, "n3");
        _transport.Answer = (txs, _) => txs.Select(t => Refused(t, ErrorCodes.Busy)).ToList();
        var resender = new CustodyResender(new ChannelDirectory([_channel.Channel]), _router, TimeProvider.System, NullLogger<CustodyResender>.Instance);
        _transport.Calls.Clear();
        await resender.ResendAsync(_channel.Channel, default);
        await resender.ResendAsync(_channel.Channel, default);
        Assert.Equal(2, _transport.Calls.Count);
        _transport.Answer = (txs, _) => txs.Select(t => Answers.Accepted(TxRouter.TxIdOf(t))).ToList();
        await resender.ResendAsync(_channel.Channel, default);
        await resender.ResendAsync(_channel.Channel, default);
        Assert.Equal(3, _transport.Calls.Count); // taken: not sent again under the same leadership
        Assert.Equal(1, _channel.Channel.Custody.Count);
    }

    [Fact]
    public async Task AKeptTransactionThatCanNoLongerBeOrdered_IsCountedLost_AndAtTheLimitAClientIsToldBusyBeforeAnythingIsPromised()
    {
        await using var small = new ChannelFixture(null, _ => _orderer, maxPendingTxs: 2);
        var router = new TxRouter(new ChannelDirectory([small.Channel]), _transport, TimeProvider.System, NullLogger<TxRouter>.Instance);
        _orderer.Redirect = new Redirect("node n2 leads", "https://127.0.0.1:8052");
        _transport.Answer = (txs, _) => txs.Select(t => Answers.Accepted(TxRouter.TxIdOf(t))).ToList();
        var statuses = await router.RouteAsync([Build.Put("a", "1"), Build.Put("b", "1"), Build.Put("c", "1")], RouteOptions.Client, default);
        Assert.True(statuses[0].Accepted && statuses[1].Accepted);
        Assert.True(statuses[2].Is(ErrorCodes.Busy));
        Assert.Contains("keeps 2 acknowledged transactions", statuses[2].Message);
        Assert.Equal(2, Assert.Single(_transport.Calls).Count); // the third was never sent

        // A new leader refuses them for a reason of their own (say they expired meanwhile): the promise ends, and is counted.
        _orderer.Term = 5;
        _transport.Answer = (txs, _) => txs.Select(t => Refused(t, ErrorCodes.Of(ValidationCode.Expired))).ToList();
        await new CustodyResender(new ChannelDirectory([small.Channel]), router, TimeProvider.System, NullLogger<CustodyResender>.Instance).ResendAsync(small.Channel, default);
        Assert.Equal((0, 2L), (small.Channel.Custody.Count, small.Channel.Custody.Lost));
    }

    private static AdmissionStatus Refused(Transaction tx, ErrorCode code) =>
        new() { TxId = TxRouter.TxIdOf(tx), Accepted = false, Code = code.Name, StatusCode = (int)code.Status, Message = code.Describe("refused by the other node") };

    private sealed class FakeTransport : ITxTransport
    {
        public record Call(string? Target, string? CaPem, int Hop, int Count);
        public List<Call> Calls { get; } = [];
        public Func<IReadOnlyList<Transaction>, string?, IReadOnlyList<AdmissionStatus>> Answer { get; set; } =
            (txs, _) => txs.Select(t => Answers.Accepted(TxRouter.TxIdOf(t))).ToList();

        public Task<IReadOnlyList<AdmissionStatus>> ForwardAsync(IReadOnlyList<Transaction> transactions, string channel, string? target, string? targetCaPem, int hop, CancellationToken cancel)
        {
            lock (Calls) Calls.Add(new Call(target, targetCaPem, hop, transactions.Count));
            return Task.FromResult(Answer(transactions, target));
        }
    }
}
