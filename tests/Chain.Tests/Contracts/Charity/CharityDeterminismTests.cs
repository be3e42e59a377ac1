using System.Text.Json;
using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.Charity;

/// <summary>I11 on the real executor and RocksDB: the same block from the same state gives the same state root and results.</summary>
public sealed class CharityDeterminismTests
{
    private static readonly AccountKey Regulator = AccountKey.Generate();
    private static readonly AccountKey Teller = AccountKey.Generate();
    private static readonly AccountKey Officer1 = AccountKey.Generate();
    private static readonly AccountKey Officer2 = AccountKey.Generate();
    private static readonly AccountKey FoundationAdmin = AccountKey.Generate();
    private const long T0 = 1_800_000_000_000;

    private static ChannelConfig Config()
    {
        var config = TestNetwork.Config();
        config.Contract = new ContractRef { Name = "charity", Version = "1.0" };
        config.Organizations.Add(new OrganizationConfig { Name = "CharityFoundation", Roles = { "admin", "charity-officer" }, Admins = { Google.Protobuf.ByteString.CopyFrom(FoundationAdmin.Address) } });
        config.Members.Add(ChannelConfigBuilder.Enroll(Regulator.AddressText, "CivilAffairs", ["regulator"]));
        config.Members.Add(ChannelConfigBuilder.Enroll(Teller.AddressText, "Bank", ["bank"]));
        config.Members.Add(ChannelConfigBuilder.Enroll(Officer1.AddressText, "CharityFoundation", ["charity-officer"]));
        config.Members.Add(ChannelConfigBuilder.Enroll(Officer2.AddressText, "CharityFoundation", ["charity-officer"]));
        return config;
    }

    private static Transaction Call(AccountKey signer, string function, object args, long at) =>
        Build.Call(function, JsonSerializer.Serialize(args, JsonSerializerOptions.Web), signer, LedgerHarness.Channel, "charity", at);

    private static Transaction[] Setup() =>
    [
        Call(Regulator, "RegisterOrg", new { orgId = "Bank", type = "Bank", name = "Bank", uscc = "91110000BANK00001X" }, T0),
        Call(Regulator, "RegisterOrg", new { orgId = "CharityFoundation", type = "Charity", name = "F", uscc = "53100000FOUND0001A", form = "Foundation", publicFundraising = true, accountBank = "Bank" }, T0),
        Call(Officer1, "CreateCampaign", new { campaignId = "C1", charityId = "CharityFoundation", title = "Schools", purposeCode = "EDU", restricted = true, target = 10_000_000, startAt = T0 - 1000, endAt = T0 + 86_400_000L * 365, planHash = CharityWorld.Hash("plan") }, T0),
        Call(Regulator, "AcknowledgeFiling", new { campaignId = "C1", filingNo = "F1" }, T0),
        Call(Officer1, "OpenCampaign", new { campaignId = "C1" }, T0),
    ];

    private static Transaction[] Work()
    {
        var txs = new List<Transaction>();
        for (int i = 0; i < 40; i++)
            txs.Add(Call(Teller, "ConfirmDonation", new { donationId = $"D{i}", donorRef = CharityWorld.Hash($"donor{i % 7}"), charityId = "CharityFoundation", campaignId = "C1", amount = 1_000 + i * 37, bankTxRef = $"B{i}", valueDate = T0 }, T0 + i));
        for (int i = 0; i < 5; i++)
        {
            txs.Add(Call(Officer1, "ProposeDisbursement", new { disbId = $"P{i}", poolId = "C:C1", payeeType = "Supplier", payeeRef = CharityWorld.Hash($"s{i}"), amount = 3_000 + i, category = "Charitable", evidence = new[] { new { kind = "Invoice", hash = CharityWorld.Hash($"i{i}") } } }, T0 + 100));
            txs.Add(Call(Officer2, "ApproveDisbursement", new { disbId = $"P{i}" }, T0 + 101));
            txs.Add(Call(Teller, "ConfirmPayment", new { disbId = $"P{i}", bankTxRef = $"BP{i}", paidAt = T0 }, T0 + 102));
        }
        return txs.ToArray();
    }

    [Fact]
    public void SameBlock_FromTheSameState_GivesTheSameStateRoot() =>
        Determinism.AssertSameBlockSameRoot(Config, Setup(), Work(), T0 + 1000);
}
