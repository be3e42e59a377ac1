using Chain.Contracts.Abstractions;
using Chain.Contracts.DemolitionFund;

namespace Chain.Tests.TestKit;

/// <summary>
/// The sample demolition-fund organisations in memory, with one person per role and helpers that take a
/// household through survey, appraisal, agreement, approval, signing and payment.
/// </summary>
public sealed class FundWorld
{
    public static readonly string[] ChannelOrgs = ["Bank", "DistrictGovernment", "FinanceBureau", "ExpropriationOffice", "StreetOffice", "AuditBureau", "Discipline", "Appraiser"];
    public const long Day = 86_400_000;
    public const string P = "P1";

    public readonly Caller Gov = CharityWorld.Account("DistrictGovernment", "official1", "government");
    public readonly Caller Cashier = CharityWorld.Account("FinanceBureau", "cashier1", "finance");
    public readonly Caller Reviewer = CharityWorld.Account("ExpropriationOffice", "reviewer1", "reviewer");
    public readonly Caller Approver = CharityWorld.Account("ExpropriationOffice", "approver1", "approver");
    public readonly Caller Drafter = CharityWorld.Account("StreetOffice", "drafter1", "drafter");
    public readonly Caller HouseholdAccount = CharityWorld.Account("StreetOffice", "household1", "household");
    public readonly Caller Auditor = CharityWorld.Account("AuditBureau", "auditor1", "auditor");
    public readonly Caller Inspector = CharityWorld.Account("Discipline", "inspector1", "inspector");
    public readonly Caller Appraiser = CharityWorld.Account("Appraiser", "appraiser1", "appraiser");
    public readonly Caller Teller = CharityWorld.Account("Bank", "teller1", "bank");

    public MemoryContractHost Host { get; } = new(new FundContract(), ChannelOrgs);
    private int _bankRef;

    public static string Holder(string hhId) => CharityWorld.Hash("right-holder " + hhId);
    public static string PayeeAccount(string hhId) => CharityWorld.Hash("account of " + hhId);
    public string NextBankRef() => $"BK{++_bankRef:D8}";

    public void CreateProject(string projectId = P, long budget = 100_000_000, int coolingDays = 0, int commentPeriodDays = 30, long? signingDays = null)
    {
        Host.Invoke(Gov, "CreateProject", new
        {
            projectId, name = "Old town block " + projectId, budget, standardsHash = CharityWorld.Hash("standards"), deptOrg = "ExpropriationOffice", implOrgs = new[] { "StreetOffice" },
            financeOrg = "FinanceBureau", bankId = "Bank", accountHash = CharityWorld.Hash("account " + projectId), signingFrom = Host.Now, signingTo = Host.Now + (signingDays ?? 120) * Day,
            coolingDays, commentPeriodDays,
        });
    }

    public void Deposit(string depositId, long amount, string projectId = P) =>
        Host.Invoke(Teller, "ConfirmDeposit", new { depositId, projectId, amount, bankTxRef = NextBankRef() });

    /// <summary>Plan published, fully funded, comment period over, decided.</summary>
    public void DecidedProject(string projectId = P, long budget = 100_000_000, int coolingDays = 0)
    {
        CreateProject(projectId, budget, coolingDays);
        Host.Invoke(Reviewer, "PublishPlan", new { projectId, planHash = CharityWorld.Hash("plan " + projectId) });
        Deposit("DEP-" + projectId, budget, projectId);
        Host.Now += 31 * Day;
        Host.Invoke(Gov, "DecideProject", new { projectId, decisionNo = "DEC-" + projectId });
    }

    /// <summary>Surveyed, its payee account approved by the department, appraised at <paramref name="value"/>.</summary>
    public void Household(string hhId, string? unitNo = null, string projectId = P, long value = 1_000_000, string? account = null)
    {
        Host.Invoke(Drafter, "RegisterHousehold", new
        {
            projectId, hhId, unitNo = unitNo ?? "U-" + hhId, rightHolderHash = Holder(hhId), areas = new { certified = 8_550L }, use = "Residential",
            surveyHash = CharityWorld.Hash("survey " + hhId), account, payeeAcctHash = PayeeAccount(hhId),
        });
        Host.Invoke(Reviewer, "ApprovePayeeAccount", new { projectId, hhId, payeeAcctHash = PayeeAccount(hhId) });
        Host.Invoke(Appraiser, "RecordAppraisal", new { projectId, hhId, unitPrice = 1_000_000L * 100 / 8_550, valueAmount = value, reportHash = CharityWorld.Hash("appraisal " + hhId) });
    }

    /// <summary>
    /// A cash agreement: house value, relocation and an on-time-move reward; everything but the reward is paid on
    /// signing, the reward on handover (compensate first). A new version pays what earlier ones have not.
    /// </summary>
    public object Draft(string agrId, string hhId, long houseValue = 1_000_000, long relocation = 50_000, int ver = 1, string projectId = P, long paidSoFar = 0,
        string? deviationReason = null, long reward = 20_000)
    {
        long payable = houseValue + relocation + reward;
        long left = payable - paidSoFar;
        long onHandover = Math.Min(reward, left);
        long first = left - onHandover;
        return new
        {
            agrId, ver, projectId, hhId, mode = "Cash",
            items = new[] { new { code = "HouseValue", amount = houseValue }, new { code = "Relocation", amount = relocation }, new { code = "Reward", amount = reward } },
            payable, schedule = new[] { new { seq = 1, amount = first, condition = "OnSign" }, new { seq = 2, amount = onHandover, condition = "OnHandover" } }.Where(i => i.amount > 0).ToArray(),
            moveDeadline = Host.Now + 90 * Day, docHash = CharityWorld.Hash($"agreement {agrId} v{ver}"), deviationReason,
        };
    }

    /// <summary>Drafted, reviewed, audit-checked, approved and signed by the drafter with a witness.</summary>
    public void Agreed(string agrId, string hhId, long houseValue = 1_000_000, long relocation = 50_000, string projectId = P)
    {
        Host.Invoke(Drafter, "DraftAgreement", Draft(agrId, hhId, houseValue, relocation, projectId: projectId));
        Approve(agrId, 1);
        Host.Invoke(Drafter, "SignAgreement", new { agrId, ver = 1, signatureHash = CharityWorld.Hash("signature " + agrId), witnessHash = CharityWorld.Hash("witness") });
    }

    public void Approve(string agrId, int ver)
    {
        Host.Invoke(Reviewer, "ReviewAgreement", new { agrId, ver });
        Host.Invoke(Auditor, "AuditCheck", new { agrId, ver, noteHash = CharityWorld.Hash($"audit {agrId} {ver}") });
        Host.Invoke(Approver, "ApproveAgreement", new { agrId, ver });
    }

    public object Instruction(string payId, string agrId, int seq, long amount, int ver = 1, string? payee = null, string? hhId = null) => new
    {
        payId, agrId, ver, seq, amount, payeeAcctHash = PayeeAccount(hhId ?? agrId), payeeIdHash = payee ?? Holder(hhId ?? "?"),
    };

    /// <summary>The department closes the survey with every household registered so far.</summary>
    public void CloseSurvey(string projectId = P) =>
        Host.Invoke(Reviewer, "CloseSurvey", new { projectId, households = Host.Entries(FundKeys.HouseholdPrefix(projectId)).Count(), surveyListHash = CharityWorld.Hash("survey list " + projectId) });

    /// <summary>
    /// One household paid in full and handed over, the survey closed and the project audited after the last
    /// payment: a project at close-out, holding <paramref name="extra"/> above what it paid.
    /// </summary>
    public void AtCloseOut(long extra)
    {
        DecidedProject(budget: 1_070_000 + extra);
        Household("H1");
        Agreed("A1", "H1");
        Pay("PAYC1", "A1", "H1", 1, 1_050_000);
        Host.Invoke(Drafter, "ConfirmHandover", new { projectId = P, hhId = "H1" });
        Pay("PAYC2", "A1", "H1", 2, 20_000);
        CloseSurvey();
        Host.Invoke(Auditor, "Attest", new { projectId = P, reportHash = CharityWorld.Hash("close-out audit") });
    }

    public void Pay(string payId, string agrId, string hhId, int seq, long amount, int ver = 1)
    {
        Host.Invoke(Cashier, "InstructPayment", Instruction(payId, agrId, seq, amount, ver, hhId: hhId));
        Host.Invoke(Teller, "ConfirmPayment", new { payId, bankTxRef = NextBankRef() });
    }

    public Project Project(string projectId = P) => Host.Get<Project>(FundKeys.Project(projectId))!;
    public Household HouseholdOf(string hhId, string projectId = P) => Host.Get<Household>(FundKeys.Household(projectId, hhId))!;
    public Agreement Agreement(string agrId, int ver = 1) => Host.Get<Agreement>(FundKeys.Agreement(agrId, ver))!;
}
