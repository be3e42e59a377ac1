using Chain.Node.Configuration;
using Chain.Node.Ledger;
using Chain.Node.Membership;
using Chain.Node.Membership.Crypto;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.Node.Membership;

public class GenesisBlockTests
{
    private static ChannelConfig SampleConfig(TempDirectory dir, string channel = "charity")
    {
        var network = Repo.SampleNetwork();
        var manifest = CryptoGenerator.Generate(network, dir.Combine("crypto"), DateTimeOffset.UtcNow);
        return ChannelConfigBuilder.Build(network, channel, manifest, dir.Combine("crypto"));
    }

    [Fact]
    public void Config_HasTheChannelsOrganisationsMembersPoliciesAndConsenters()
    {
        using var dir = new TempDirectory();
        var config = SampleConfig(dir);
        Assert.Equal(["Bank", "CivilAffairs", "CharityFoundation", "CharitySmall", "Executor", "AuditBureau"], config.Organizations.Select(o => o.Name));
        Assert.All(config.Organizations, o => Assert.StartsWith("-----BEGIN CERTIFICATE-----", o.CaCertificatePem));
        Assert.Contains(config.Members, m => m.Organization == "Bank" && m.Roles.SequenceEqual(["donor"]));
        Assert.Equal(3 + 1 + 3 + 2 + 2 + 1, config.Members.Count); // the sample members; admins are listed per organisation
        Assert.All(config.Organizations, o => Assert.Single(o.Admins));
        Assert.Equal(["admins", "rawReaders", "readers", "writers"], config.Policies.Select(p => p.Name));
        // The sample lists five consenters of three organisations, so the channel is ordered by Raft; charity is the first channel: ports port + 2000.
        Assert.Equal("raft", config.Consensus);
        Assert.Equal(["bank-node1 Bank", "civil-node1 CivilAffairs", "foundation-node1 CharityFoundation", "bank-node2 Bank", "bank-node3 Bank"],
            config.Consenters.Select(c => $"{c.Node} {c.Organization}"));
        Assert.Equal([9051u, 9062u, 9063u, 9052u, 9053u], config.Consenters.Select(c => c.RaftPort));
    }

    [Fact]
    public void LocalNetwork_OfOneConsenter_IsSolo_OfThree_IsRaftAmongThreeOrganisationsPerChannel_WithPortsFromTheBase()
    {
        var network = Repo.SampleNetwork();
        var one = network.ForLocalNetwork(1, 17051);
        Assert.All(one.Channels, c => Assert.Equal("solo bank-node1", $"{c.EffectiveConsensus} {string.Join(",", c.Consenters)}"));
        Assert.Equal(["bank-node1"], one.Nodes.Select(n => n.Node.Name!));
        // Three consenters per channel: charity (and sandbox) by Bank, CivilAffairs and CharityFoundation, the fund by Bank,
        // FinanceBureau and AuditBureau; each node runs once, in the order of the file.
        var three = network.ForLocalNetwork(3, 17051);
        Assert.Equal(["raft bank-node1,civil-node1,foundation-node1", "raft bank-node1,finance-node1,audit-node1", "raft bank-node1,civil-node1,foundation-node1"],
            three.Channels.Select(c => $"{c.EffectiveConsensus} {string.Join(",", c.Consenters)}"));
        Assert.All(three.Channels, c => Assert.Equal(3, c.Consenters.Select(n => three.Nodes.Single(x => x.Node.Name == n).Org.Name).Distinct().Count()));
        Assert.Equal([("bank-node1", 17051, 19051), ("civil-node1", 17052, 19052), ("foundation-node1", 17053, 19053), ("finance-node1", 17054, 19054), ("audit-node1", 17055, 19055)],
            three.Nodes.Select(n => (n.Node.Name!, n.Node.Port, n.Node.RaftPort)));
        Assert.Equal(19251, NetworkDefinition.RaftPort(three.Nodes.First().Node, 2)); // third channel: +200
        Assert.Equal(["bank-node1", "bank-node2", "bank-node3", "civil-node1", "foundation-node1", "finance-node1", "audit-node1"], network.ForLocalNetwork(5, 17051).Nodes.Select(n => n.Node.Name!));
        var tooMany = Assert.Throws<ConfigException>(() => network.ForLocalNetwork(6, 17051));
        Assert.Contains("the channels of the network file list at most 5 consenters; a local network orders each channel by 1 to 5 of them, not 6", tooMany.Message);
        // The observers come after the ordering nodes, on the next ports, and order nothing.
        var observed = network.ForLocalNetwork(3, 17051, withObservers: true);
        Assert.Equal(("discipline-node1", 17056, true), observed.Nodes.Select(n => (n.Node.Name!, n.Node.Port, n.Node.Observer)).Last());
        Assert.All(observed.Channels, c => Assert.DoesNotContain("discipline-node1", c.Consenters));
    }

    [Fact]
    public void AnObserverNode_ListedAsAConsenter_IsRefused()
    {
        using var dir = new TempDirectory();
        var text = File.ReadAllText(Repo.SampleNetworkFile).Replace("consenters: [bank-node1, finance-node1, audit-node1, bank-node2, bank-node3]", "consenters: [bank-node1, discipline-node1]");
        Assert.Contains("discipline-node1]", text);
        File.WriteAllText(dir.Combine("network.yaml"), text);
        var error = Assert.Throws<ConfigException>(() => NetworkDefinition.Load(dir.Combine("network.yaml")));
        Assert.Contains("channels[1].consenters: node 'discipline-node1' is an observer and cannot order", error.Message);
    }

    [Fact]
    public void CreatedGenesis_OpensAndCommits_WithConfigAndMembersInState()
    {
        using var dir = new TempDirectory();
        var config = SampleConfig(dir);
        var block = GenesisBlock.Create(config, 1_000);

        var (opened, writes) = GenesisBlock.Open(Block.Parser.ParseFrom(block.ToByteArray()), "charity");
        Assert.Equal(config, opened);

        using var ledger = ChannelLedger.Open(dir.Combine("ledger"), "charity");
        ledger.CommitGenesis(block, writes);
        Assert.Equal(config, SystemState.ReadConfig(ledger));
        var member = config.Members[0];
        Assert.Equal(member.Organization, SystemState.ReadMember(ledger, member.Address.Span)!.Organization);
        Assert.Null(SystemState.ReadMember(ledger, AccountKey.Generate().Address));
        ledger.Dispose();
        Assert.True(LedgerVerifier.Verify(dir.Combine("ledger"), "charity").Intact);
    }

    [Fact]
    public void GenesisWithAnUnparsablePolicy_IsRefusedWhenOpened()
    {
        using var dir = new TempDirectory();
        var config = SampleConfig(dir);
        config.Policies.Single(p => p.Name == "writers").Expression = "OR(Bank.bank";
        var error = Assert.Throws<LedgerCorruptException>(() => GenesisBlock.Open(GenesisBlock.Create(config, 1), "charity"));
        Assert.Contains("policy 'writers'", error.Message);
    }

    [Fact]
    public void TamperedOrForeignGenesis_IsRefused()
    {
        using var dir = new TempDirectory();
        var block = GenesisBlock.Create(SampleConfig(dir), 1_000);

        var foreign = Assert.Throws<LedgerCorruptException>(() => GenesisBlock.Open(block, "demolition-fund"));
        Assert.Contains("channel", foreign.Message);

        var payload = TxPayload.Parser.ParseFrom(block.Transactions[0].Payload);
        var config = ChannelConfig.Parser.ParseFrom(payload.Args);
        config.Members.Add(ChannelConfigBuilder.Enroll(AccountKey.Generate().AddressText, "Bank", ["bank"])); // sneak in a member
        payload.Args = config.ToByteString();
        var tampered = block.Clone();
        tampered.Transactions[0] = new Transaction { Payload = payload.ToByteString() };
        var error = Assert.Throws<LedgerCorruptException>(() => GenesisBlock.Open(tampered, "charity"));
        Assert.Contains("transaction root", error.Message);
    }
}
