namespace Chain.Contracts.DemolitionFund;

// State records of the demolition-fund contract (docs/FUND.md, State keys). Money is integer fen; areas are
// integer hundredths of a square metre; unit prices are fen per square metre; times are Unix milliseconds
// from transaction timestamps.

public enum ProjectStatus { Draft, PlanPublished, Funded, Decided, Signing, Executing, Settled }

public sealed class Project
{
    public required string ProjectId { get; init; }
    public required string Name { get; init; }
    /// <summary>The government that created the project and decides it.</summary>
    public required string GovOrg { get; init; }
    /// <summary>The expropriation department: reviews, approves, publishes.</summary>
    public required string DeptOrg { get; init; }
    /// <summary>Implementing units: register households, draft agreements, confirm handovers.</summary>
    public List<string> ImplOrgs { get; init; } = [];
    /// <summary>Instructs payments and leftover returns.</summary>
    public required string FinanceOrg { get; init; }
    /// <summary>Holds the dedicated account; confirms deposits and payments.</summary>
    public required string BankId { get; init; }
    public required string AccountHash { get; init; }
    public long Budget { get; init; }
    public required string StandardsHash { get; init; }
    public string? PlanHash { get; set; }
    /// <summary>When the plan's public notice went up (the comment period starts); <see cref="PlanRecordedAt"/> is when the ledger learnt it.</summary>
    public long? PlanPublishedAt { get; set; }
    public long? PlanRecordedAt { get; set; }
    /// <summary>The audit organisation that confirmed a notice recorded more than a day late, and its evidence.</summary>
    public string? PlanNoticeConfirmedBy { get; set; }
    public string? PlanNoticeEvidence { get; set; }
    /// <summary>
    /// Where the comment period starts: the notice's date when it was recorded within a day, or when audit confirmed a
    /// late record; otherwise the day the ledger learnt of it, so the department alone cannot shorten the period.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public long? CommentFrom => PlanPublishedAt is not { } published ? null
        : PlanRecordedAt is not { } recorded || recorded - published <= 86_400_000 || PlanNoticeConfirmedBy is not null ? published : recorded;
    public long SigningFrom { get; init; }
    public long SigningTo { get; init; }
    public ProjectStatus Status { get; set; }
    public string? DecisionNo { get; set; }
    public long? DecidedAt { get; set; }
    public FundParameters Parameters { get; init; } = new();
    /// <summary>Deposits confirmed by the bank.</summary>
    public long Deposited { get; set; }
    /// <summary>Payments confirmed by the bank.</summary>
    public long Paid { get; set; }
    /// <summary>Household payments instructed, not yet confirmed or failed (part of what <see cref="Committed"/> still owes).</summary>
    public long PendingPayments { get; set; }
    /// <summary>Leftover returns instructed, not yet confirmed or failed.</summary>
    public long PendingReturns { get; set; }
    /// <summary>Leftover returned to finance.</summary>
    public long Returned { get; set; }
    /// <summary>
    /// What the project is bound to pay (R3: never above the budget): per agreement, the payable of its live
    /// version once approved, otherwise what earlier versions already paid.
    /// </summary>
    public long Committed { get; set; }
    public long CreatedAt { get; init; }
    /// <summary>The survey is complete (Art 15): no more households are registered, and close-out can be judged.</summary>
    public long? SurveyClosedAt { get; set; }
    public string? SurveyListHash { get; set; }
    /// <summary>Last confirmed payment to a household, and its block.</summary>
    public long? LastPaymentAt { get; set; }
    public ulong? LastPaymentBlock { get; set; }
    public ulong? SurveyClosedBlock { get; set; }
    /// <summary>Last confirmed money out of the account (household payment or leftover return).</summary>
    public long? LastOutflowAt { get; set; }
    public long? AttestedAt { get; set; }
    /// <summary>The block of the latest audit attestation: close-out needs one later than the last payment and the survey's close.</summary>
    public ulong? AttestedBlock { get; set; }
    public long? SettledAt { get; set; }
    [System.Text.Json.Serialization.JsonIgnore] public long Balance => Deposited - Paid - Returned;
    [System.Text.Json.Serialization.JsonIgnore] public long Pending => PendingPayments + PendingReturns;
    /// <summary>What approved agreements still owe households (instructed payments included).</summary>
    [System.Text.Json.Serialization.JsonIgnore] public long Owed => Committed - Paid;
}

/// <summary>The parameters each project sets for itself (docs/FUND.md, Limits), with defaults.</summary>
public sealed class FundParameters
{
    /// <summary>Decree 590 Art 10: the compensation plan is open for comment at least 30 days.</summary>
    public const int MinCommentPeriodDays = 30;

    public int CommentPeriodDays { get; init; } = MinCommentPeriodDays;
    /// <summary>Payment not before the agreement was signed this long ago (0: no cooling period).</summary>
    public int CoolingDays { get; init; }
    /// <summary>An instalment due on signing is overdue this many days after signing.</summary>
    public int PaymentDueDays { get; init; } = 30;
    public int IdleDays { get; init; } = 30;
    /// <summary>House value may differ from appraisal × area by this much without a reason code (basis points).</summary>
    public int AppraisalToleranceBps { get; init; } = 500;
    /// <summary>
    /// Compensate first (Art 27): instalments due on handover may only carry the on-time-move reward, and at most
    /// this share of the payable (basis points).
    /// </summary>
    public int HandoverCapBps { get; init; } = 1000;
}

public enum HouseholdStatus { Surveyed, Appraised, SheetDrafted, Reviewed, AuditChecked, Approved, Signed, Adjudicated, PrePaid, HandedOver, PaidInFull, Closed }

public sealed record Areas(long Certified, long UnregisteredLegal, long Legacy)
{
    [System.Text.Json.Serialization.JsonIgnore] public long Total => Certified + UnregisteredLegal + Legacy;
}

public sealed class Household
{
    public required string ProjectId { get; init; }
    public required string HhId { get; init; }
    public required string UnitNo { get; init; }
    public required string RightHolderHash { get; init; }
    public string? LesseeHash { get; init; }
    /// <summary>Heirs or agents the household recorded; payments may go to them (R6).</summary>
    public List<string> AgentHashes { get; init; } = [];
    public required Areas Areas { get; init; }
    public required string Use { get; init; }
    public required string SurveyHash { get; init; }
    /// <summary>The household's own chain account, if it has one; it can then sign its agreement itself.</summary>
    public string? Account { get; init; }
    public HouseholdStatus Status { get; set; }
    public string? AgreementId { get; set; }
    public long Paid { get; set; }
    /// <summary>How many payments were instructed for the household (<see cref="FundKeys.HouseholdPayment"/>).</summary>
    public int PaymentCount { get; set; }
    public long? LastPaidAt { get; set; }
    public ulong? LastPaidBlock { get; set; }
    public long? HandedOverAt { get; set; }
    public string? ClosedReason { get; set; }
    /// <summary>The account payments go to (a keyed hash), once the department approved it (R6).</summary>
    public string? PayeeAccount { get; set; }
    /// <summary>A proposed payee account waiting for the department's approval.</summary>
    public PayeeAccountChange? ProposedPayeeAccount { get; set; }
    /// <summary>Every approved payee account, oldest first.</summary>
    public List<PayeeAccountChange> PayeeAccountHistory { get; init; } = [];
    public required string RegisteredBy { get; init; }
    public long RegisteredAt { get; init; }
}

/// <summary>A payee account proposed by the implementing unit and approved by someone else in the department.</summary>
public sealed record PayeeAccountChange(string AcctHash, string Reason, string ProposedBy, long ProposedAt, string? ApprovedBy = null, long? ApprovedAt = null);

public sealed record Appraisal(string ProjectId, string HhId, string AppraiserOrg, string Appraiser, long UnitPrice, long ValueAmount, string ReportHash, long At);

public enum AgreementMode { Cash, Swap, Decision }
public enum AgreementStatus { Draft, Reviewed, AuditChecked, Approved, Signed, Decided, Superseded, Cancelled }
public enum ItemCode { HouseValue, Relocation, TemporaryHousing, BusinessLoss, Subsidy, Reward, Other }
public enum Condition { OnSign, OnHandover, Date }

public sealed record Item(ItemCode Code, long Amount);
public sealed record Instalment(int Seq, long Amount, Condition Condition, long? DueAt);

public sealed class Agreement
{
    public required string AgrId { get; init; }
    public int Ver { get; init; }
    public required string ProjectId { get; init; }
    public required string HhId { get; init; }
    public AgreementMode Mode { get; init; }
    public List<Item> Items { get; init; } = [];
    public long Total { get; init; }
    /// <summary>Money the dedicated account pays the household.</summary>
    public long Payable { get; init; }
    /// <summary>Money the household owes (a swap house worth more than the compensation).</summary>
    public long Receivable { get; init; }
    public List<Instalment> Schedule { get; init; } = [];
    public string? SwapUnitId { get; init; }
    public long MoveDeadline { get; init; }
    public required string DocHash { get; init; }
    /// <summary>Why the house value departs from the appraisal beyond the tolerance (R11).</summary>
    public string? DeviationReason { get; init; }
    public required string Drafter { get; init; }
    public string? Reviewer { get; set; }
    public string? Auditor { get; set; }
    public string? AuditNoteHash { get; set; }
    public string? Approver { get; set; }
    public long? ApprovedAt { get; set; }
    public string? SignatureHash { get; set; }
    public string? SignedBy { get; set; }
    public long? SignedAt { get; set; }
    public string? DecisionNo { get; set; }
    public AgreementStatus Status { get; set; }
    public long CreatedAt { get; init; }
}

/// <summary>The live version of an agreement and what was paid under it (across versions).</summary>
public sealed class AgreementHead
{
    public required string AgrId { get; init; }
    public required string ProjectId { get; init; }
    public required string HhId { get; init; }
    public int CurrentVer { get; set; }
    /// <summary>Confirmed payments under every version; a new version's schedule covers only what is left.</summary>
    public long Paid { get; set; }
    public long Pending { get; set; }
    /// <summary>Instalments of the current version confirmed by the bank.</summary>
    public List<int> PaidSeqs { get; set; } = [];
    /// <summary>Instalments of the current version instructed and not yet confirmed or failed.</summary>
    public List<int> PendingSeqs { get; set; } = [];
}

public enum PaymentStatus { Instructed, Confirmed, Failed }

public sealed class Payment
{
    public required string PayId { get; init; }
    public required string ProjectId { get; init; }
    public required string HhId { get; init; }
    public required string AgrId { get; init; }
    public int Ver { get; init; }
    public int Seq { get; init; }
    public long Amount { get; init; }
    public required string PayeeAcctHash { get; init; }
    public required string PayeeIdHash { get; init; }
    public required string InstructedBy { get; init; }
    public long InstructedAt { get; init; }
    public PaymentStatus Status { get; set; }
    public string? BankTxRef { get; set; }
    public long? ConfirmedAt { get; set; }
    public string? FailReason { get; set; }
}

public sealed record Deposit(string DepositId, string ProjectId, long Amount, string BankTxRef, string Source, long At);

public sealed class LeftoverReturn
{
    public required string ReturnId { get; init; }
    public required string ProjectId { get; init; }
    public long Amount { get; init; }
    public required string InstructedBy { get; init; }
    public bool Confirmed { get; set; }
    public bool Failed { get; set; }
    public string? BankTxRef { get; set; }
}

public sealed class ResettlementUnit
{
    public required string ResUnitId { get; init; }
    public required string ProjectId { get; init; }
    public long Area { get; init; }
    public long Price { get; init; }
    public string? AssignedTo { get; set; }
}

public sealed record PublicList(string ProjectId, int Round, string ListHash, List<string> HhIds, long PublishedAt, string By, ulong PublishedBlock = 0);
public sealed record ActorAction(string Actor, string Organization, string Action, string Target, long At);
