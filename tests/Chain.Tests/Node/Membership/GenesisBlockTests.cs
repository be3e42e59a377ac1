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
        // The sample lists five Bank consenters, so the channel is ordered by Raft; charity is the first channel: ports port + 2000.
        Assert.Equal("raft", config.Consensus);
        Assert.Equal(["bank-node1", "bank-node2", "bank-node3", "bank-node4", "bank-node5"], config.Consenters.Select(c => c.Node));
        Assert.Equal([9051u, 9052u, 9053u, 9054u, 9055u], config.Consenters.Select(c => c.RaftPort));
    }

    [Fact]
    public void LocalNetwork_OfOneNode_IsSolo_OfThree_IsRaftAmongTheRunningNodes_WithPortsFromTheBase()
    {
        var network = Repo.SampleNetwork();
        var one = network.ForLocalNetwork(1, 17051);
        Assert.All(one.Channels, c => Assert.Equal("solo bank-node1", $"{c.EffectiveConsensus} {string.Join(",", c.Consenters)}"));
        var three = network.ForLocalNetwork(3, 17051);
        Assert.All(three.Channels, c => Assert.Equal("raft bank-node1,bank-node2,bank-node3", $"{c.EffectiveConsensus} {string.Join(",", c.Consenters)}"));
        Assert.Equal([(17051, 19051), (17052, 19052), (17053, 19053)], three.Nodes.Select(n => (n.Node.Port, n.Node.RaftPort)));
        Assert.Equal(19251, NetworkDefinition.RaftPort(three.Nodes.First().Node, 2)); // third channel: +200
        var tooMany = Assert.Throws<ConfigException>(() => network.ForLocalNetwork(6, 17051));
        Assert.Contains("defines 5 ordering nodes; a local network can run 1 to 5 of them, not 6", tooMany.Message);
        // The observers come after the ordering nodes, on the next ports, and order nothing.
        var observed = network.ForLocalNetwork(3, 17051, withObservers: true);
        Assert.Equal([("bank-node1", 17051, false), ("bank-node2", 17052, false), ("bank-node3", 17053, false), ("civil-node1", 17054, true), ("audit-node1", 17055, true)],
            observed.Nodes.Select(n => (n.Node.Name!, n.Node.Port, n.Node.Observer)));
        Assert.All(observed.Channels, c => Assert.DoesNotContain(c.Consenters, n => n.EndsWith("-node1") && !n.StartsWith("bank", StringComparison.Ordinal)));
    }

    [Fact]
    public void AnObserverNode_ListedAsAConsenter_IsRefused()
    {
        using var dir = new TempDirectory();
        var text = File.ReadAllText(Repo.SampleNetworkFile).Replace("consenters: [bank-node1, bank-node2, bank-node3, bank-node4, bank-node5]\n    batch: { maxTxCount: 2000, maxBytes: 8388608, timeoutMs: 50 }\n    maxTxBytes: 1048576\n    timestampWindowMs: 300000\n    policies:\n      admins: MAJORITY admin\n      writers: ANY member\n      readers: ANY member\n      rawReaders: OR(ANY bank, ANY regulator, ANY auditor)",
            "consenters: [bank-node1, civil-node1]\n    batch: { maxTxCount: 2000, maxBytes: 8388608, timeoutMs: 50 }\n    maxTxBytes: 1048576\n    timestampWindowMs: 300000\n    policies:\n      admins: MAJORITY admin\n      writers: ANY member\n      readers: ANY member\n      rawReaders: OR(ANY bank, ANY regulator, ANY auditor)");
        Assert.Contains("civil-node1]", text);
        File.WriteAllText(dir.Combine("network.yaml"), text);
        var error = Assert.Throws<ConfigException>(() => NetworkDefinition.Load(dir.Combine("network.yaml")));
        Assert.Contains("channels[0].consenters: node 'civil-node1' is an observer and cannot order", error.Message);
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
