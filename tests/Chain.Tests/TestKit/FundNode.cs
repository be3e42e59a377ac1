using Chain.Sdk.Crypto;

namespace Chain.Tests.TestKit;

/// <summary>A real node of the sample network for end-to-end tests of the demolition-fund contract.</summary>
public sealed class FundNode() : ContractNode("demolition-fund", "demolition-fund")
{
    public const long Day = 86_400_000;

    public AccountKey Gov => Key("DistrictGovernment", "official1");
    public AccountKey Cashier => Key("FinanceBureau", "cashier1");
    public AccountKey Reviewer => Key("ExpropriationOffice", "reviewer1");
    public AccountKey Approver => Key("ExpropriationOffice", "approver1");
    public AccountKey Drafter => Key("StreetOffice", "drafter1");
    public AccountKey Household1 => Key("StreetOffice", "household1");
    public AccountKey Auditor => Key("AuditBureau", "auditor1");
    public AccountKey Inspector => Key("Discipline", "inspector1");
    public AccountKey Appraiser => Key("Appraiser", "appraiser1");
    public AccountKey Teller => Key("Bank", "teller1");

    public static string Hash(string text) => CharityWorld.Hash(text);
    public static string Holder(string hhId) => Hash("right-holder " + hhId);
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>A project whose plan notice went up 31 days ago, as audit confirmed (so its comment period is over); funded and decided when asked.</summary>
    public async Task ProjectAsync(string projectId, long budget, bool fund = true, bool decide = true)
    {
        await OkAsync(Gov, "CreateProject", new
        {
            projectId, name = "Project " + projectId, budget, standardsHash = Hash("standards"), deptOrg = "ExpropriationOffice", implOrgs = new[] { "StreetOffice" },
            financeOrg = "FinanceBureau", bankId = "Bank", accountHash = Hash("account " + projectId), signingFrom = Now - Day, signingTo = Now + 90 * Day,
        });
        await OkAsync(Reviewer, "PublishPlan", new { projectId, planHash = Hash("plan " + projectId), publishedAt = Now - 31 * Day });
        await OkAsync(Auditor, "ConfirmPlanNotice", new { projectId, evidenceHash = Hash("notice " + projectId) });
        if (fund) await OkAsync(Teller, "ConfirmDeposit", new { depositId = "DEP-" + projectId, projectId, amount = budget, bankTxRef = "BK-DEP-" + projectId });
        if (decide) await OkAsync(Gov, "DecideProject", new { projectId, decisionNo = "DEC-" + projectId });
    }

    public static string PayeeAccount(string hhId) => Hash("account of " + hhId);

    /// <summary>Surveyed with its payee account (approved by the department) and appraised at <paramref name="value"/>.</summary>
    public async Task HouseholdAsync(string projectId, string hhId, long value, string? account = null)
    {
        await OkAsync(Drafter, "RegisterHousehold", new
        {
            projectId, hhId, unitNo = $"{projectId}-{hhId}", rightHolderHash = Holder(hhId), areas = new { certified = 9_000L }, use = "Residential", surveyHash = Hash("survey " + hhId), account,
            payeeAcctHash = PayeeAccount(hhId),
        });
        await OkAsync(Reviewer, "ApprovePayeeAccount", new { projectId, hhId, payeeAcctHash = PayeeAccount(hhId) });
        await OkAsync(Appraiser, "RecordAppraisal", new { projectId, hhId, unitPrice = value * 100 / 9_000, valueAmount = value, reportHash = Hash("appraisal " + hhId) });
    }

    /// <summary>A cash agreement: the house value paid on signing, the on-time-move reward on handover (compensate first).</summary>
    public static object Draft(string projectId, string agrId, string hhId, long houseValue, long reward) => new
    {
        agrId, projectId, hhId, mode = "Cash", items = new[] { new { code = "HouseValue", amount = houseValue }, new { code = "Reward", amount = reward } }, payable = houseValue + reward,
        schedule = new[] { new { seq = 1, amount = houseValue, condition = "OnSign" }, new { seq = 2, amount = reward, condition = "OnHandover" } },
        moveDeadline = Now + 60 * Day, docHash = Hash($"agreement {agrId}"),
    };

    /// <summary>Drafted (<see cref="Draft"/>, or <paramref name="draft"/>), reviewed, audit-checked and approved; signed by the household's own account or recorded by the drafter.</summary>
    public async Task AgreedAsync(string projectId, string agrId, string hhId, long houseValue, long reward, AccountKey? householdSigner = null, object? draft = null)
    {
        await OkAsync(Drafter, "DraftAgreement", draft ?? Draft(projectId, agrId, hhId, houseValue, reward));
        await OkAsync(Reviewer, "ReviewAgreement", new { agrId, ver = 1 });
        await OkAsync(Auditor, "AuditCheck", new { agrId, ver = 1, noteHash = Hash("audit " + agrId) });
        await OkAsync(Approver, "ApproveAgreement", new { agrId, ver = 1 });
        await OkAsync(householdSigner ?? Drafter, "SignAgreement", new { agrId, ver = 1, signatureHash = Hash("signature " + agrId), witnessHash = householdSigner is null ? Hash("witness") : null });
    }

    public async Task PayAsync(string payId, string agrId, string hhId, int seq, long amount)
    {
        await OkAsync(Cashier, "InstructPayment", new { payId, agrId, ver = 1, seq, amount, payeeAcctHash = PayeeAccount(hhId), payeeIdHash = Holder(hhId) });
        await OkAsync(Teller, "ConfirmPayment", new { payId, bankTxRef = "BK-" + payId });
    }
}
