using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Node.Errors;
using Chain.Node.Execution;
using Chain.Node.Network;
using Chain.Protocol;
using Chain.Tests.TestKit;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Node.Network;

/// <summary>
/// The relay's transport against real peer endpoints (gRPC over mutual TLS on loopback) that serve different channels,
/// as the nodes of a consortium do: a channel's transactions go to a peer that serves it, whichever peer the other
/// channels prefer.
/// </summary>
public sealed class TxForwarderTests
{
    [Fact]
    public async Task EachChannelsTransactions_ReachAPeerThatServesIt_NotThePeerAnotherChannelLastUsed()
    {
        var crypto = NodeProcess.SharedCrypto.Value;
        string Node(string org, string node, string file) => Path.Combine(crypto, "orgs", org, "nodes", node, file);
        await using var charityOnly = await PeerServer.StartAsync<ServingPeer, Served>(PeerServer.Certificate(Node("CivilAffairs", "civil-node1", "tls.crt"), Node("CivilAffairs", "civil-node1", "tls.key")), new Served("charity"));
        await using var fundOnly = await PeerServer.StartAsync<ServingPeer, Served>(PeerServer.Certificate(Node("FinanceBureau", "finance-node1", "tls.crt"), Node("FinanceBureau", "finance-node1", "tls.key")), new Served("demolition-fund"));
        var config = new NodeConfig
        {
            NodeId = "node1",
            Tls = new TlsConfig { Certificate = Node("Bank", "bank-node1", "tls.crt"), PrivateKey = Node("Bank", "bank-node1", "tls.key") },
            Peers =
            [
                new PeerConfig { Endpoint = charityOnly.Endpoint, CaCertificate = Path.Combine(crypto, "orgs", "CivilAffairs", "ca", "ca.crt") },
                new PeerConfig { Endpoint = fundOnly.Endpoint, CaCertificate = Path.Combine(crypto, "orgs", "FinanceBureau", "ca", "ca.crt") },
            ],
        };
        using var forwarder = new TxForwarder(config, new Chain.Node.Hosting.NodeIdentity("node1", Chain.Sdk.Crypto.AccountKey.Generate()));

        // No leader named: the first peer does not serve the fund channel, so its transaction goes on to the second ...
        var fund = await forwarder.ForwardAsync([Build.Put("f", "1", channel: "demolition-fund")], "demolition-fund", null, null, 1, default);
        Assert.True(fund[0].Accepted, fund[0].Message);
        // ... and the charity channel's next transaction still goes to the peer that serves charity.
        var charity = await forwarder.ForwardAsync([Build.Put("c", "1", channel: "charity")], "charity", null, null, 1, default);
        Assert.True(charity[0].Accepted, charity[0].Message);
        var again = await forwarder.ForwardAsync([Build.Put("f", "2", channel: "demolition-fund")], "demolition-fund", null, null, 1, default);
        Assert.True(again[0].Accepted, again[0].Message);

        // A channel no peer serves: NO_ORDERER, naming why each peer was passed over.
        var nowhere = await Assert.ThrowsAsync<RequestException>(() => forwarder.ForwardAsync([Build.Put("s", "1", channel: "sandbox")], "sandbox", null, null, 1, default));
        Assert.Equal(Chain.Sdk.Client.ErrorCodes.NoOrderer.Name, nowhere.Code);
        Assert.Contains($"{charityOnly.Endpoint}: does not serve channel 'sandbox'", nowhere.Message);
    }

    internal sealed record Served(string Channel);

    /// <summary>Admits the transactions of its one channel and answers WRONG_CHANNEL for the others, as a node does.</summary>
    internal sealed class ServingPeer(Served served) : Peer.PeerBase
    {
        public override Task<SubmitBatchResponse> Forward(SubmitBatchRequest request, ServerCallContext context)
        {
            var response = new SubmitBatchResponse();
            foreach (var transaction in request.Transactions)
            {
                var txId = TxRouter.TxIdOf(transaction);
                response.Statuses.Add(ChannelDirectory.ChannelNameOf(transaction) == served.Channel
                    ? Answers.Accepted(txId)
                    : Answers.Refused(txId, new TxRejectedException(new(ValidationCode.WrongChannel, $"channel is not served by this node (serves: {served.Channel})"))));
            }
            return Task.FromResult(response);
        }
    }
}
