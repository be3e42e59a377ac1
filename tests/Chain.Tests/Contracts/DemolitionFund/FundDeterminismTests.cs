using System.Text.Json;
using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.Contracts.DemolitionFund;

/// <summary>The real executor on RocksDB: the same demolition-fund block from the same state gives the same state root on two ledgers.</summary>
public sealed class FundDeterminismTests
{
    private static readonly Dictionary<string, AccountKey> People = new()
    {
        ["gov"] = AccountKey.Generate(), ["cashier"] = AccountKey.Generate(), ["reviewer"] = AccountKey.Generate(), ["approver"] = AccountKey.Generate(),
        ["drafter"] = AccountKey.Generate(), ["appraiser"] = AccountKey.Generate(), ["teller"] = AccountKey.Generate(), ["auditor"] = AccountKey.Generate(),
    };
    private static readonly Dictionary<string, AccountKey> Admins = new[] { "DistrictGovernment", "FinanceBureau", "ExpropriationOffice", "StreetOffice", "Appraiser" }
        .ToDictionary(org => org, _ => AccountKey.Generate());
    private const long T0 = 1_800_000_000_000;

    private static ChannelConfig Config()
    {
        var config = TestNetwork.Config();
        config.Contract = new ContractRef { Name = "demolition-fund", Version = "1.0" };
        foreach (var (org, role) in new[] { ("DistrictGovernment", "government"), ("FinanceBureau", "finance"), ("ExpropriationOffice", "reviewer"), ("StreetOffice", "drafter"), ("Appraiser", "appraiser") })
        {
            var organization = new OrganizationConfig { Name = org, Roles = { "admin", role }, Admins = { ByteString.CopyFrom(Admins[org].Address) } };
            if (org == "ExpropriationOffice") organization.Roles.Add("approver");
            config.Organizations.Add(organization);
        }
        void Enroll(string who, string org, string role) => config.Members.Add(ChannelConfigBuilder.Enroll(People[who].AddressText, org, [role]));
        Enroll("gov", "DistrictGovernment", "government");
        Enroll("cashier", "FinanceBureau", "finance");
        Enroll("reviewer", "ExpropriationOffice", "reviewer");
        Enroll("approver", "ExpropriationOffice", "approver");
        Enroll("drafter", "StreetOffice", "drafter");
        Enroll("appraiser", "Appraiser", "appraiser");
        Enroll("teller", "Bank", "bank");
        Enroll("auditor", "AuditBureau", "auditor");
        return config;
    }

    private static Transaction Call(string who, string function, object args, long at) =>
        Build.Call(function, JsonSerializer.Serialize(args, JsonSerializerOptions.Web), People[who], LedgerHarness.Channel, "demolition-fund", at);

    private static Transaction[] Setup() =>
    [
        Call("gov", "CreateProject", new { projectId = "P1", name = "Block 1", budget = 50_000_000L, standardsHash = CharityWorld.Hash("s"), deptOrg = "ExpropriationOffice", implOrgs = new[] { "StreetOffice" },
            financeOrg = "FinanceBureau", bankId = "Bank", accountHash = CharityWorld.Hash("a"), signingFrom = T0 - 1000, signingTo = T0 + 86_400_000L }, T0),
        Call("reviewer", "PublishPlan", new { projectId = "P1", planHash = CharityWorld.Hash("plan"), publishedAt = T0 - 31 * 86_400_000L }, T0),
        Call("auditor", "ConfirmPlanNotice", new { projectId = "P1", evidenceHash = CharityWorld.Hash("notice") }, T0),
        Call("teller", "ConfirmDeposit", new { depositId = "D1", projectId = "P1", amount = 50_000_000L, bankTxRef = "B0" }, T0),
        Call("gov", "DecideProject", new { projectId = "P1", decisionNo = "Z1" }, T0),
    ];

    private static Transaction[] Work()
    {
        var txs = new List<Transaction>();
        for (int i = 0; i < 12; i++)
        {
            string hh = $"H{i}", agr = $"A{i}";
            long value = 1_000_000 + i * 10_000;
            txs.Add(Call("drafter", "RegisterHousehold", new { projectId = "P1", hhId = hh, unitNo = "U" + i, rightHolderHash = CharityWorld.Hash(hh), areas = new { certified = 9_000L }, use = "Residential", surveyHash = CharityWorld.Hash("s" + hh), payeeAcctHash = CharityWorld.Hash("acct" + hh) }, T0 + 10));
            txs.Add(Call("approver", "ApprovePayeeAccount", new { projectId = "P1", hhId = hh, payeeAcctHash = CharityWorld.Hash("acct" + hh) }, T0 + 10));
            txs.Add(Call("appraiser", "RecordAppraisal", new { projectId = "P1", hhId = hh, unitPrice = value * 100 / 9_000, valueAmount = value, reportHash = CharityWorld.Hash("r" + hh) }, T0 + 11));
            txs.Add(Call("drafter", "DraftAgreement", new { agrId = agr, projectId = "P1", hhId = hh, mode = "Cash", items = new[] { new { code = "HouseValue", amount = value } }, payable = value,
                schedule = new[] { new { seq = 1, amount = value, condition = "OnSign" } }, moveDeadline = T0 + 1, docHash = CharityWorld.Hash(agr) }, T0 + 12));
            txs.Add(Call("reviewer", "ReviewAgreement", new { agrId = agr, ver = 1 }, T0 + 13));
            txs.Add(Call("auditor", "AuditCheck", new { agrId = agr, ver = 1, noteHash = CharityWorld.Hash("n" + agr) }, T0 + 14));
            txs.Add(Call("approver", "ApproveAgreement", new { agrId = agr, ver = 1 }, T0 + 15));
            txs.Add(Call("drafter", "SignAgreement", new { agrId = agr, ver = 1, signatureHash = CharityWorld.Hash("sig" + agr), witnessHash = CharityWorld.Hash("w") }, T0 + 16));
            txs.Add(Call("cashier", "InstructPayment", new { payId = "PAY" + i, agrId = agr, ver = 1, seq = 1, amount = value, payeeAcctHash = CharityWorld.Hash("acct" + hh), payeeIdHash = CharityWorld.Hash(hh) }, T0 + 17));
            txs.Add(Call("teller", "ConfirmPayment", new { payId = "PAY" + i, bankTxRef = "BP" + i }, T0 + 18));
        }
        return txs.ToArray();
    }

    [Fact]
    public void SameBlock_FromTheSameState_GivesTheSameStateRoot() =>
        Determinism.AssertSameBlockSameRoot(Config, Setup(), Work(), T0 + 1000);
}
