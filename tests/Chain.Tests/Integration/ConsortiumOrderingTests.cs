using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// The sample network as `network up --nodes 3` runs it: charity ordered by nodes of Bank, CivilAffairs and
/// CharityFoundation, demolition-fund by nodes of Bank, FinanceBureau and AuditBureau, five real processes over
/// mutual TLS with RocksDB in temp folders.
/// </summary>
[Collection(FiveProcessNetworks)]
public sealed class ConsortiumOrderingTests
{
    /// <summary>The tests that run the sample's five-process network run one at a time.</summary>
    public const string FiveProcessNetworks = "five-process networks";

    private static readonly string[] Channels = ["charity", "demolition-fund"];

    [Fact]
    public async Task ThreeOrganisationsOrderEachChannel_CommitTogether_SurviveTheLossOfAnyOneConsenter_AndRefuseABlockSignedByANodeOfAnotherOrganisation()
    {
        // The two domain channels as the sample lays them out (the sandbox, ordered like charity, is left out to spare the CPU).
        await using var cluster = await LocalCluster.StartSampleAsync(3, network => network.Channels.RemoveAll(c => c.Name == "sandbox"));
        var byName = cluster.Nodes.ToDictionary(n => cluster.DefinitionOf(n).Name);
        Assert.Equal(["bank-node1", "civil-node1", "foundation-node1", "finance-node1", "audit-node1"], byName.Keys);

        // A node pulls from and relays to the nodes that order its channels only: FinanceBureau's node knows the fund's other two.
        Assert.Equal([byName["bank-node1"].PeerEndpoint, byName["audit-node1"].PeerEndpoint], byName["finance-node1"].Config.Peers.Select(p => p.Endpoint));

        // Each channel's configuration names three consenters of three organisations, each with its own node's key.
        var consenters = new Dictionary<string, List<ConsenterConfig>>();
        foreach (var channel in Channels)
        {
            var config = await ConfigAsync(byName["bank-node1"], channel);
            consenters[channel] = config.Consenters.ToList();
            Assert.Equal(channel == "charity" ? ["Bank", "CivilAffairs", "CharityFoundation"] : ["Bank", "FinanceBureau", "AuditBureau"], config.Consenters.Select(c => c.Organization));
            Assert.All(config.Consenters, c => Assert.Equal(Keystore.AddressOf(byName[c.Node].Config.Resolve(byName[c.Node].Config.KeyFile)), c.Address.ToByteArray()));
            Assert.Equal("raft", config.Consensus);
        }

        // Each round kills one consenter of each channel (every consenter once): the two left commit, and the lost one catches up.
        string[][] rounds = [["bank-node1"], ["civil-node1", "finance-node1"], ["foundation-node1", "audit-node1"]];
        var lastBlock = new Dictionary<string, ulong>();
        foreach (var lost in rounds)
        {
            foreach (var name in lost) byName[name].Kill();
            foreach (var channel in Channels)
            {
                var via = byName[consenters[channel].Select(c => c.Node).First(n => !lost.Contains(n))];
                var committed = await CommitAsync(via, Enroll(cluster, channel));
                Assert.Equal(ValidationCode.Valid, committed.Code);
                lastBlock[channel] = committed.BlockNumber;
            }
            foreach (var name in lost) await byName[name].StartProcessAsync();
            foreach (var channel in Channels)
                await LocalCluster.ConvergedAsync(consenters[channel].Select(c => byName[c.Node]).ToList(), channel, atLeast: lastBlock[channel] + 1);
        }
        // Every block was signed by a consenter of the channel, as every node checked when it took it.
        var proposers = new HashSet<string>();
        var head = await LocalCluster.InfoAsync(byName["bank-node1"], "charity");
        for (ulong n = 1; n < head!.Height; n++)
            proposers.Add((await byName["bank-node1"].Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "charity", Number = n })).Header.Proposer);
        Assert.Subset(consenters["charity"].Select(c => Address.ToText(c.Address.Span)).ToHashSet(StringComparer.OrdinalIgnoreCase), proposers.ToHashSet(StringComparer.OrdinalIgnoreCase));

        // AuditBureau's node follows the charity ledger without ordering it. A charity block signed with its key, served by a
        // peer showing its genuine certificate, is refused: the channel stops following there, nothing of the block is written,
        // and the node's demolition-fund channel, which it does order, goes on.
        var audit = byName["audit-node1"];
        await audit.StopAsync();
        var charityHeight = (await LocalCluster.InfoAsync(byName["bank-node1"], "charity"))!.Height;
        await CommitAsync(byName["civil-node1"], Enroll(cluster, "charity"));
        var auditKey = Keystore.Read(audit.Config.Resolve(audit.Config.KeyFile), File.ReadAllText(audit.Config.Resolve(audit.Config.PasswordFile!)).Trim());
        var realPeer = audit.Config.Peers.First();
        var peerConfig = audit.Config.PeerTls(realPeer);
        await using var liar = await ForgingPeer.StartAsync(realPeer.Endpoint, peerConfig, PeerServer.Certificate(audit.Config.Resolve(audit.Config.Tls!.Certificate), audit.Config.Resolve(audit.Config.Tls.PrivateKey)),
            forgeFrom: charityHeight, forge: block => block.Header.Channel == "charity" ? SignedBy(block, auditKey) : block);
        var lying = Chain.Node.Configuration.NodeConfig.Load(audit.ConfigPath);
        lying.Peers = [new Chain.Node.Configuration.PeerConfig { Endpoint = liar.Endpoint, CaCertificate = realPeer.CaCertificate.Replace(Path.Combine("Bank", "ca"), Path.Combine("AuditBureau", "ca")) }];
        lying.Save(audit.ConfigPath);
        await audit.StartProcessAsync();
        await Wait.UntilAsync(() => Task.FromResult(audit.Log.Contains("channel 'charity' stopped following its peers")), "the observer refuses the forged block", TimeSpan.FromSeconds(60));
        Assert.Contains($"signed by {auditKey.AddressText}, which is not a consenter of configuration 0", audit.Log, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(charityHeight, (await LocalCluster.InfoAsync(audit, "charity"))!.Height);
        var fund = await CommitAsync(byName["finance-node1"], Enroll(cluster, "demolition-fund"));
        await LocalCluster.ConvergedAsync([byName["bank-node1"], audit], "demolition-fund", atLeast: fund.BlockNumber + 1);
        // (Repaired, a halted observer follows again and ends identical: ObserverTests.)
    }

    private static async Task<ChannelConfig> ConfigAsync(NodeProcess node, string channel)
    {
        var json = (await node.Client.Gateway.EvaluateAsync(new EvaluateRequest { Channel = channel, Contract = Chain.Node.Membership.SystemState.ConfigNamespace, Function = "get", Args = ByteString.CopyFromUtf8("{}") })).Result.ToStringUtf8();
        return ChannelConfig.Parser.ParseJson(json);
    }

    /// <summary>The Bank admin enrols a new donor account: a transaction any channel of the Bank accepts.</summary>
    private static Transaction Enroll(LocalCluster cluster, string channel) =>
        Build.Call("enroll", $"{{\"address\":\"{AccountKey.Generate().AddressText}\",\"roles\":[\"donor\"]}}", cluster.Admin("Bank"), channel, Chain.Node.Membership.SystemState.MembersNamespace);

    /// <summary>Submits and waits, sending the same transaction again while the channel elects a new leader.</summary>
    private static async Task<CommitStatusResponse> CommitAsync(NodeProcess via, Transaction tx)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try { return await via.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = tx }, deadline: DateTime.UtcNow.AddSeconds(20)); }
            catch (RpcException e) when (DateTime.UtcNow < deadline && (e.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded || e.Status.Detail.StartsWith("NO_LEADER", StringComparison.Ordinal)))
            {
                await Task.Delay(500);
            }
            catch (RpcException e) when (e.Status.Detail.StartsWith("DUPLICATE_TXID", StringComparison.Ordinal))
            {
                var stored = await via.Client.Ledger.GetTransactionAsync(new TransactionRequest { Channel = TxPayload.Parser.ParseFrom(tx.Payload).Channel, TxId = Convert.ToHexStringLower(ProtocolHashes.TxId(tx.Payload.Span)) });
                return new CommitStatusResponse { Code = stored.Result.Code, BlockNumber = stored.BlockNumber };
            }
            catch (RpcException e) { throw new InvalidOperationException($"{via.Config.NodeId} at {via.Endpoint}: {e.Status.Detail}\n{via.Tail(60)}", e); }
        }
    }

    /// <summary>The same block, proposed and signed by <paramref name="signer"/> instead of its consenter: self-consistent, correctly signed.</summary>
    private static Block SignedBy(Block block, AccountKey signer)
    {
        block.Header.Proposer = signer.AddressText;
        var hash = ProtocolHashes.BlockHash(block.Header);
        block.Signatures.Clear();
        block.Signatures.Add(new ConsenterSignature { Signer = ByteString.CopyFrom(signer.Address), Signature = ByteString.CopyFrom(signer.Sign(hash)) });
        return block;
    }
}
