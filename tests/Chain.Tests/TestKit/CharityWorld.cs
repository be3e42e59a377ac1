using System.Security.Cryptography;
using System.Text;
using Chain.Contracts.Abstractions;
using Chain.Contracts.Charity;

namespace Chain.Tests.TestKit;

/// <summary>
/// The sample charity network in memory: a regulator, a bank, two charities (one with public-fundraising
/// status), an executor and an auditor, registered on the contract, with helpers for the common steps.
/// </summary>
public sealed class CharityWorld
{
    public static readonly string[] ChannelOrgs = ["Bank", "Bank2", "CivilAffairs", "CharityFoundation", "CharitySmall", "Executor", "AuditBureau", "SupplierCo"];

    public static Caller Account(string org, string name, params string[] roles) =>
        new(AddressOf(org + "/" + name), org, roles.Append("member").ToHashSet(StringComparer.Ordinal));

    public readonly Caller Regulator = Account("CivilAffairs", "inspector1", "regulator");
    public readonly Caller Teller = Account("Bank", "teller1", "bank", "teller");
    public readonly Caller Donor = Account("Bank", "donor1", "donor");
    public readonly Caller Officer1 = Account("CharityFoundation", "officer1", "charity-officer");
    public readonly Caller Officer2 = Account("CharityFoundation", "officer2", "charity-officer");
    public readonly Caller Officer3 = Account("CharityFoundation", "officer3", "charity-officer");
    public readonly Caller SmallOfficer = Account("CharitySmall", "officer1", "charity-officer");
    public readonly Caller SmallOfficer2 = Account("CharitySmall", "officer2", "charity-officer");
    public readonly Caller Clerk = Account("Executor", "clerk1", "executor");
    public readonly Caller Clerk2 = Account("Executor", "clerk2", "executor");
    public readonly Caller Auditor = Account("AuditBureau", "auditor1", "auditor");

    public const string Foundation = "CharityFoundation";
    public const string Small = "CharitySmall";
    public const string Executor = "Executor";
    public const long Day = 86_400_000;

    public MemoryContractHost Host { get; } = new(new CharityContract(), ChannelOrgs);
    private int _bankRef;

    public CharityWorld(long dualApprovalThreshold = 5_000_000)
    {
        Host.Invoke(Regulator, "RegisterOrg", new { orgId = "Bank", type = "Bank", name = "Bank", uscc = "91110000BANK00001X" });
        Host.Invoke(Regulator, "RegisterOrg", new { orgId = Foundation, type = "Charity", name = "Foundation", uscc = "53100000FOUND0001A", form = "Foundation", publicFundraising = true, dualApprovalThreshold, accountBank = "Bank" });
        Host.Invoke(Regulator, "RegisterOrg", new { orgId = Small, type = "Charity", name = "Small charity", uscc = "52100000SMALL0001B", form = "SocialGroup", publicFundraising = false, dualApprovalThreshold, accountBank = "Bank" });
        Host.Invoke(Regulator, "RegisterOrg", new { orgId = Executor, type = "Executor", name = "County education bureau", uscc = "11100000EXEC00001C", dualApprovalThreshold, accountBank = "Bank" });
    }

    public static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static string AddressOf(string name) => "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..40];

    public Caller OfficerOf(string charity, int n = 1) => charity == Small ? (n == 1 ? SmallOfficer : SmallOfficer2) : n switch { 1 => Officer1, 2 => Officer2, _ => Officer3 };

    /// <summary>Creates, files and opens a campaign that runs from now for a year.</summary>
    public void OpenCampaign(string campaignId, string charity = Foundation, bool restricted = true, string purpose = "EDU", int mgmtFeeCapBps = 1000, string leftoverRule = "SimilarProject", long? endAt = null)
    {
        var officer = OfficerOf(charity);
        Host.Invoke(officer, "CreateCampaign", new
        {
            campaignId, charityId = charity, title = "Campaign " + campaignId, purposeCode = purpose, restricted, @public = charity == Foundation, target = 100_000_000L,
            startAt = Host.Now - Day, endAt = endAt ?? Host.Now + 365 * Day, planHash = Hash("plan " + campaignId), mgmtFeeCapBps, leftoverRule,
        });
        Host.Invoke(Regulator, "AcknowledgeFiling", new { campaignId, filingNo = "F-" + campaignId });
        Host.Invoke(officer, "OpenCampaign", new { campaignId });
    }

    public string NextBankRef() => $"BK{++_bankRef:D8}";

    public void Donate(string donationId, long amount, string? campaignId = "C1", string charity = Foundation, string donor = "donor-a", bool anonymous = false, string? displayName = "Zhang San")
    {
        Host.Invoke(Teller, "ConfirmDonation", new
        {
            donationId, donorRef = Hash(donor), displayName = anonymous ? null : displayName, anonymous, charityId = charity, campaignId, amount,
            bankTxRef = NextBankRef(), valueDate = Host.Now,
        });
    }

    public object Proposal(string disbId, string poolId, long amount, string payeeType = "Supplier", string category = "Charitable", string? payee = null, string? campaignId = null, object[]? lots = null) => new
    {
        disbId, poolId, campaignId, payeeType, payeeRef = payeeType == "Executor" ? Executor : Hash(payee ?? "supplier-s"), amount, category,
        evidence = new[] { new { kind = "Invoice", hash = Hash("invoice " + disbId) } }, lots,
    };

    /// <summary>Propose (first officer), approve (second, and third when two approvals are needed) and pay.</summary>
    public void Spend(string disbId, string poolId, long amount, string charity = Foundation, string payeeType = "Supplier", string category = "Charitable", string? payee = null)
    {
        Host.Invoke(OfficerOf(charity, 1), "ProposeDisbursement", Proposal(disbId, poolId, amount, payeeType, category, payee));
        Host.Invoke(OfficerOf(charity, 2), "ApproveDisbursement", new { disbId });
        if (Host.Get<Disbursement>(CharityKeys.Disbursement(disbId))!.Status != DisbursementStatus.Approved)
            Host.Invoke(OfficerOf(charity, 3), "ApproveDisbursement", new { disbId });
        Host.Invoke(Teller, "ConfirmPayment", new { disbId, bankTxRef = NextBankRef(), paidAt = Host.Now });
    }

    /// <summary>The bank reference a donation was confirmed with (BankError and PaymentReversal refunds name it).</summary>
    public string BankRefOf(string donationId) => Host.Get<Donation>(CharityKeys.Donation(donationId))!.BankTxRef;

    public Pool Pool(string poolId) => Host.Get<Pool>(CharityKeys.Pool(poolId))!;
    public Lot Lot(string lotId) => Host.Get<Lot>(CharityKeys.Lot(lotId))!;
    public Campaign Campaign(string id) => Host.Get<Campaign>(CharityKeys.Campaign(id))!;
    public Disbursement Disbursement(string id) => Host.Get<Disbursement>(CharityKeys.Disbursement(id))!;
}
