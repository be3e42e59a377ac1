using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Xunit;
using static Chain.Tests.TestKit.TestNetwork;
using static Chain.Tests.TestKit.ConfigUpdates;

namespace Chain.Tests.Node.Membership;

public class ConfigUpdateTests
{
    [Fact]
    public void MajorityOfAdmins_AppliesTheUpdate_FromTheNextBlock()
    {
        using var h = new LedgerHarness(Config());
        var proposed = Propose(h, c =>
        {
            c.Batch.MaxTxCount = 10;
            c.Policies.Single(p => p.Name == "writers").Expression = "Bank.bank";
        });

        var result = Submit(h, Sign(proposed, BankAdmin, RegulatorAdmin));

        Assert.Equal(ValidationCode.Valid, result.Code);
        Assert.Equal("ConfigUpdated", Assert.Single(result.Events).Name);
        Assert.Equal(1UL, Current(h).Sequence);
        Assert.Equal(10U, Current(h).Batch.MaxTxCount);
        // The new writers policy holds from the next block: a donor may no longer write.
        var denied = Assert.Single(h.Commit(Build.Call("put", "{\"key\":\"k\",\"value\":\"v\"}", Donor, timestampMs: h.Now)).Results);
        Assert.Equal(ValidationCode.NotAuthorized, denied.Code);
        Assert.Contains("Bank.bank", denied.Message);
    }

    [Fact]
    public void TwoUpdatesInOneBlock_OnlyTheFirstApplies_SoEachSequenceHasOneConfigurationAlongTheChain()
    {
        using var h = new LedgerHarness(Config());
        Transaction Update(uint maxTxCount, ulong nonce) => Build.Call("update",
            $"{{\"envelope\":\"{Convert.ToBase64String(Sign(Propose(h, c => c.Batch.MaxTxCount = maxTxCount), BankAdmin, RegulatorAdmin).ToByteArray())}\"}}",
            BankAdmin, contract: "_config", timestampMs: h.Now + (long)nonce);
        var block = h.Commit(Update(10, 0), Update(20, 1));
        Assert.Equal(ValidationCode.Valid, block.Results[0].Code);
        Assert.Equal(ValidationCode.ContractError, block.Results[1].Code);
        Assert.Contains("an earlier transaction of this block already updated the configuration to sequence 1", block.Results[1].Message);
        Assert.Equal((1UL, 10U), (Current(h).Sequence, Current(h).Batch.MaxTxCount));
    }

    [Fact]
    public void MinorityOfAdmins_IsRefusedWithTheReason()
    {
        using var h = new LedgerHarness(Config());
        var root = h.Ledger.StateRoot;
        var result = Submit(h, Sign(Propose(h, c => c.Batch.MaxTxCount = 10), BankAdmin));
        Assert.Equal(ValidationCode.ContractError, result.Code);
        Assert.Contains("needs the 'admins' policy (MAJORITY admin); signed by Bank admin", result.Message);
        Assert.Contains("1 of 3 organisations", result.Message);
        Assert.Equal(root, h.Ledger.StateRoot);
        Assert.Equal(0UL, Current(h).Sequence);
    }

    [Fact]
    public void TamperedUpdate_IsRefused()
    {
        using var h = new LedgerHarness(Config());
        var envelope = Sign(Propose(h, c => c.Batch.MaxTxCount = 10), BankAdmin, RegulatorAdmin);
        var changed = ChannelConfig.Parser.ParseFrom(envelope.Config);
        changed.Batch.MaxTxCount = 99_999; // altered after the admins signed
        envelope.Config = changed.ToByteString();

        var result = Submit(h, envelope);

        Assert.Equal(ValidationCode.ContractError, result.Code);
        Assert.Contains("does not verify", result.Message);
        Assert.Equal(2000U, Current(h).Batch.MaxTxCount);
    }

    [Theory]
    [InlineData("stale", "update has sequence 0, the next is 1")]
    [InlineData("not-admin", "is not an admin of any channel organisation")]
    [InlineData("no-consenter", "the channel has no consenter")]
    [InlineData("bad-policy", "policy 'writers': at column")]
    [InlineData("unknown-org-policy", "names organisation 'Nowhere'")]
    [InlineData("contract", "changing the channel's contract")]
    public void InvalidUpdate_IsRefusedWithSpecificReason(string kind, string message)
    {
        using var h = new LedgerHarness(Config());
        var proposed = Propose(h, c =>
        {
            switch (kind)
            {
                case "stale": c.Sequence = 0; break;
                case "no-consenter": c.Consenters.Clear(); break;
                case "bad-policy": c.Policies.Single(p => p.Name == "writers").Expression = "AND(Bank.bank"; break;
                case "unknown-org-policy": c.Policies.Single(p => p.Name == "writers").Expression = "Nowhere.member"; break;
                case "contract": c.Contract.Name = "other"; break;
            }
        });
        var signers = kind == "not-admin" ? new[] { BankAdmin, Teller } : [BankAdmin, RegulatorAdmin];
        var result = Submit(h, Sign(proposed, signers));
        Assert.Equal(ValidationCode.ContractError, result.Code);
        Assert.Contains(message, result.Message);
    }

    [Fact]
    public void AddedOrganisation_CanEnrolAndWriteAfterTheUpdate()
    {
        using var h = new LedgerHarness(Config());
        var executorAdmin = AccountKey.Generate();
        var clerk = AccountKey.Generate();
        var proposed = Propose(h, c => c.Organizations.Add(new OrganizationConfig
        {
            Name = "Executor", Type = "executor", Roles = { "admin", "executor" }, Admins = { ByteString.CopyFrom(executorAdmin.Address) },
        }));
        Assert.Equal(ValidationCode.Valid, Submit(h, Sign(proposed, BankAdmin, AuditAdmin)).Code);

        var enrol = Assert.Single(h.Commit(Build.Call("enroll", $"{{\"address\":\"{clerk.AddressText}\",\"roles\":[\"executor\"]}}", executorAdmin,
            contract: "_members", timestampMs: h.Now)).Results);
        Assert.Equal(ValidationCode.Valid, enrol.Code);
        Assert.Equal(ValidationCode.Valid, Assert.Single(h.Commit(Build.Put("from-executor", "v", clerk, timestampMs: h.Now)).Results).Code);
    }

    private static ChannelConfig RaftConfig()
    {
        var config = Config();
        config.Consensus = "raft";
        config.Consenters[0].RaftPort = 9051;
        config.Consenters.Add(Consenter("bank-node2", 9052));
        config.Consenters.Add(Consenter("bank-node3", 9053));
        return config;
    }

    private static ConsenterConfig Consenter(string node, uint raftPort) => new()
    {
        Node = node, Organization = "Bank", Host = "127.0.0.1", Port = raftPort - 2000, RaftPort = raftPort,
        Address = ByteString.CopyFrom(AccountKey.Generate().Address),
    };

    [Fact]
    public void RaftConsenters_ChangeOneAtATime()
    {
        using var h = new LedgerHarness(RaftConfig());
        var added = Submit(h, Sign(Propose(h, c => c.Consenters.Add(Consenter("bank-node4", 9054))), BankAdmin, RegulatorAdmin));
        Assert.Equal(ValidationCode.Valid, added.Code);
        Assert.Equal(4, Current(h).Consenters.Count);
        var removed = Submit(h, Sign(Propose(h, c => c.Consenters.RemoveAt(1)), BankAdmin, RegulatorAdmin));
        Assert.Equal(ValidationCode.Valid, removed.Code);
        Assert.Equal(["bank-node1", "bank-node3", "bank-node4"], Current(h).Consenters.Select(c => c.Node));

        var root = h.Ledger.StateRoot;
        var two = Submit(h, Sign(Propose(h, c => { c.Consenters.RemoveAt(2); c.Consenters.Add(Consenter("bank-node5", 9055)); }), BankAdmin, RegulatorAdmin));
        Assert.Equal(ValidationCode.ContractError, two.Code);
        Assert.Contains("add or remove one consenter per update (2 consenter entries differ)", two.Message);
        // Moving a consenter to another port is a removal and an addition.
        var moved = Submit(h, Sign(Propose(h, c => c.Consenters[0].RaftPort = 9999), BankAdmin, RegulatorAdmin));
        Assert.Contains("one consenter per update", moved.Message);
        Assert.Equal(root, h.Ledger.StateRoot);

        // Pinned TLS certificates are not membership: a CA renewal re-pins every consenter of the organisation in one
        // update, each with its old and new certificate (a PEM bundle).
        var ca = Chain.Node.Membership.Crypto.CertificateAuthority.Create("Bank", DateTimeOffset.UtcNow);
        string Pem(string node) => ca.IssueNodeCertificate(node, "127.0.0.1", DateTimeOffset.UtcNow).CertificatePem;
        var repinned = Submit(h, Sign(Propose(h, c => { foreach (var consenter in c.Consenters) consenter.TlsCertificatePem = Pem(consenter.Node) + Pem(consenter.Node); }), BankAdmin, RegulatorAdmin));
        Assert.True(repinned.Code == ValidationCode.Valid, repinned.Message);
        Assert.All(Current(h).Consenters, c => Assert.Equal(2, Chain.Sdk.Client.PemFiles.ParseAll(c.TlsCertificatePem).Count));
        var notPem = Submit(h, Sign(Propose(h, c => c.Consenters[0].TlsCertificatePem = "not a certificate"), BankAdmin, RegulatorAdmin));
        Assert.Equal(ValidationCode.ContractError, notPem.Code);
    }

    [Fact]
    public void ConsensusCannotBeSwitched_AndItsShapeIsChecked()
    {
        using var solo = new LedgerHarness(Config());
        var switched = Submit(solo, Sign(Propose(solo, c => { c.Consensus = "raft"; c.Consenters[0].RaftPort = 9051; }), BankAdmin, RegulatorAdmin));
        Assert.Contains("changing consensus from solo to raft is not supported", switched.Message);
        var second = Submit(solo, Sign(Propose(solo, c => c.Consenters.Add(Consenter("bank-node2", 9052))), BankAdmin, RegulatorAdmin));
        Assert.Contains("a solo channel has exactly one consenter, not 2", second.Message);

        using var raft = new LedgerHarness(RaftConfig());
        var noPort = Submit(raft, Sign(Propose(raft, c => c.Consenters.Add(Consenter("bank-node4", 0))), BankAdmin, RegulatorAdmin));
        Assert.Contains("raft consenter 'bank-node4' needs an IP address as host and a raft port", noPort.Message);
        var samePort = Submit(raft, Sign(Propose(raft, c => c.Consenters.Add(Consenter("bank-node4", 9052))), BankAdmin, RegulatorAdmin));
        Assert.Contains("two raft consenters use the same host and raft port", samePort.Message);
        var unknown = Submit(raft, Sign(Propose(raft, c => c.Consensus = "pbft"), BankAdmin, RegulatorAdmin));
        Assert.Contains("consensus 'pbft' must be 'solo' or 'raft'", unknown.Message);
        Assert.Equal(0UL, Current(raft).Sequence);
    }
}
