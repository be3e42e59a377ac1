using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.DemolitionFund;

/// <summary>
/// The expropriation compensation fund contract (docs/FUND.md): a project's dedicated account funded
/// by finance and confirmed by the bank, household surveys and appraisals, compensation agreements through
/// drafter → reviewer → audit → approver, signing or a compensation decision, instalments instructed by
/// finance and confirmed by the bank straight to the right-holder, handover after payment, holds, public
/// household lists, and the queries audit and discipline use.
/// </summary>
/// <remarks>
/// Every invoke runs validate args → authorize → mutate → emit event. The node checks the role-based access
/// rule; the handler checks that the caller's organisation plays that role in this project (the project names
/// its government, department, implementing units, finance bureau and bank) and that no person holds two
/// roles of one agreement (R5).
/// </remarks>
public sealed partial class FundContract : DomainContract
{
    public const string ContractName = "demolition-fund";
    public override string Name => ContractName;

    public const string GovernmentAccess = "ANY government";
    public const string DeptAccess = "OR(ANY reviewer, ANY approver)";
    public const string ReviewerAccess = "ANY reviewer";
    public const string ApproverAccess = "ANY approver";
    public const string DrafterAccess = "ANY drafter";
    public const string AppraiserAccess = "ANY appraiser";
    public const string AuditorAccess = "ANY auditor";
    public const string HouseholdAccess = "OR(ANY household, ANY drafter)";
    public const string FinanceAccess = "ANY finance";
    public const string BankAccess = "ANY bank";
    public const string OversightAccess = "OR(ANY auditor, ANY inspector)";
    public const string SweepAccess = "OR(ANY auditor, ANY inspector, ANY finance)";

    public const long DayMs = DomainTime.DayMs;
    public const int MaxText = 256;

    /// <summary>
    /// What every integer field of the contract's state, events and answers measures; a test fails on any field
    /// missing here. Money is fen, areas hundredths of a square metre, unit prices fen per square metre.
    /// </summary>
    public static readonly FieldUnits FieldUnits = new(
        fen: ["amount", "balance", "paid", "budget", "deposited", "committed", "idle", "payable", "receivable", "returned", "appraised", "appraisal", "pending",
            "pendingPayments", "pendingReturns", "owed", "houseValue", "valueAmount", "unitPrice", "price", "total", "householdPaid"],
        centiSquareMetres: ["certified", "unregisteredLegal", "legacy", "area"],
        other: ["at", "createdAt", "registeredAt", "signingFrom", "signingTo", "planPublishedAt", "decidedAt", "lastOutflowAt", "lastPaymentAt", "attestedAt",
            "settledAt", "surveyClosedAt", "lastPaidAt", "handedOverAt", "signedAt", "approvedAt", "proposedAt", "instructedAt", "confirmedAt", "publishedAt",
            "dueAt", "moveDeadline", "commentUntil", "asOf", "planRecordedAt", "recordedAt", "publishedInRound", "lastPaymentBlock", "surveyClosedBlock", "attestedBlock", "lastPaidBlock", "publishedBlock",
            "commentPeriodDays", "coolingDays", "paymentDueDays", "idleDays", "appraisalToleranceBps", "handoverCapBps", "deviationBps", "committedBps", "paidBps",
            "fundedBps", "daysOverdue", "ver", "seq", "round", "currentVer", "byVer", "households", "overduePayments", "idleProjects", "scanned", "count", "changes", "paymentCount"]);

    /// <summary>
    /// What anyone may ask without signing: a project's budget status and its published household lists, the
    /// contract's field units. Everything else needs a signed read.
    /// </summary>
    public static readonly IReadOnlySet<string> Public = new SortedSet<string>(StringComparer.Ordinal)
    {
        "BudgetStatus", "PublishedList", "FieldUnits",
    };

    protected override IReadOnlySet<string> PublicQueries => Public;

    public override FieldUnits Units => FieldUnits;

    public FundContract() : base(FundJson.Default)
    {
        RegisterProjects();
        RegisterHouseholds();
        RegisterAgreements();
        RegisterPayments();
        RegisterOversight();
        RegisterQueries();
        Query("FieldUnits", _ => 0, (_, _) => ContractJson.Serialize(FieldUnits.Describe()));
    }

    // ---- helpers ----

    private static Project RequireProject(ContractContext context, string projectId) =>
        context.Require<Project>(FundKeys.Project(projectId), $"project '{projectId}'");

    private static void PutProject(ContractContext context, Project project) => context.Put(FundKeys.Project(project.ProjectId), project);

    private static Household RequireHousehold(ContractContext context, string projectId, string hhId) =>
        context.Require<Household>(FundKeys.Household(projectId, hhId), $"household '{hhId}' of project '{projectId}'");

    private static void PutHousehold(ContractContext context, Household household) => context.Put(FundKeys.Household(household.ProjectId, household.HhId), household);

    /// <summary>The caller's organisation must be the one the project names for this role.</summary>
    private static void RequireProjectRole(ContractContext context, Project project, string role, params string[] organisations)
    {
        if (!organisations.Contains(context.Caller.Organization))
            throw new ContractException(ContractErrors.NotAuthorized,
                $"in project '{project.ProjectId}' the {role} is {string.Join(" or ", organisations)}; caller {context.Caller.Address} is from {context.Caller.Organization}");
    }

    private static string Me(ContractContext context) => context.Caller.Address.ToLowerInvariant();

    /// <summary>R5: audit comes from outside the organisations that expropriate or pay in the project.</summary>
    private static void RequireOutsideAudit(ContractContext context, Project project, string what)
    {
        var org = context.Caller.Organization;
        if (org == project.GovOrg || org == project.DeptOrg || org == project.FinanceOrg || project.ImplOrgs.Contains(org))
            throw new ContractException(FundErrors.SeparationOfDuties, $"{what} must come from outside the organisations that expropriate or pay in project '{project.ProjectId}'; caller is from {org}");
    }

    private static ContractException BadState(string what, object current, string attempted) => StateMachine.Illegal(what, current, attempted);

    /// <summary>Who did what, for ActorActivity (discipline inspection).</summary>
    private static void Record(ContractContext context, string action, string target) =>
        context.Put(FundKeys.Actor(Me(context), context.TimestampMs, action, target), new ActorAction(Me(context), context.Caller.Organization, action, target, context.TimestampMs));

    public static string HouseholdTarget(string projectId, string hhId) => $"household:{projectId}/{hhId}";

    /// <summary>
    /// A household's status under a signed or decided agreement, from what it was paid and whether it moved out; the
    /// same rule at signing, decision, payment and handover, so a new version with nothing left to pay still closes out.
    /// </summary>
    private static HouseholdStatus StatusAfterPayments(Household household, Agreement agreement, AgreementHead head, HouseholdStatus otherwise)
    {
        bool allPaid = agreement.Schedule.All(i => head.PaidSeqs.Contains(i.Seq));
        bool allButHandover = agreement.Schedule.Where(i => i.Condition != Condition.OnHandover).All(i => head.PaidSeqs.Contains(i.Seq));
        if (household.HandedOverAt is not null) return allPaid ? HouseholdStatus.PaidInFull : HouseholdStatus.HandedOver;
        return allButHandover ? HouseholdStatus.PrePaid : otherwise;
    }

    /// <summary>R10: nothing moves, commits or closes out money of a held project, household, agreement or payment.</summary>
    private static void RequireNotHeld(ContractContext context, string projectId, string? hhId = null, string? agrId = null, string? payId = null) =>
        Holds.RequireNone(context, $"project:{projectId}", hhId is null ? "" : HouseholdTarget(projectId, hhId),
            agrId is null ? "" : $"agreement:{agrId}", payId is null ? "" : $"payment:{payId}");

    private static string Iso(long ms) => DomainTime.Minutes(ms);
}
