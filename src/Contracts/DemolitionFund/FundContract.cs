using Chain.Contracts.Abstractions;

namespace Chain.Contracts.DemolitionFund;

/// <summary>
/// The expropriation compensation fund contract (DOMAIN.md §2 and §5): a project's dedicated account funded
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
public sealed partial class FundContract : Contract
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

    public const long DayMs = 86_400_000;
    public const int MaxText = 256;

    public FundContract()
    {
        RegisterProjects();
        RegisterHouseholds();
        RegisterAgreements();
        RegisterPayments();
        RegisterOversight();
        RegisterQueries();
    }

    // ---- helpers ----

    private static Project RequireProject(IContractContext context, string projectId) =>
        context.Require<Project>(FundKeys.Project(projectId), $"project '{projectId}'");

    private static void PutProject(IContractContext context, Project project) => context.Put(FundKeys.Project(project.ProjectId), project);

    private static Household RequireHousehold(IContractContext context, string projectId, string hhId) =>
        context.Require<Household>(FundKeys.Household(projectId, hhId), $"household '{hhId}' of project '{projectId}'");

    private static void PutHousehold(IContractContext context, Household household) => context.Put(FundKeys.Household(household.ProjectId, household.HhId), household);

    /// <summary>The caller's organisation must be the one the project names for this role.</summary>
    private static void RequireProjectRole(IContractContext context, Project project, string role, params string[] organisations)
    {
        if (!organisations.Contains(context.Caller.Organization))
            throw new ContractException(ContractErrors.NotAuthorized,
                $"in project '{project.ProjectId}' the {role} is {string.Join(" or ", organisations)}; caller {context.Caller.Address} is from {context.Caller.Organization}");
    }

    private static string Me(IContractContext context) => context.Caller.Address.ToLowerInvariant();

    private static ContractException BadState(string what, object current, string attempted) => StateMachine.Illegal(what, current, attempted);

    /// <summary>Who did what, for ActorActivity (discipline inspection).</summary>
    private static void Record(IContractContext context, string action, string target) =>
        context.Put(FundKeys.Actor(Me(context), context.TimestampMs, action, target), new ActorAction(Me(context), context.Caller.Organization, action, target, context.TimestampMs));

    public static string HouseholdTarget(string projectId, string hhId) => $"household:{projectId}/{hhId}";

    private static string Iso(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm'+08:00'", System.Globalization.CultureInfo.InvariantCulture);
}
