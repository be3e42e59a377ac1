using System.Text.Json.Serialization;
using Chain.Contracts.Abstractions;

namespace Chain.Contracts.DemolitionFund;

// The events of the demolition-fund contract (docs/FUND.md, "Events"): each one's name is its type's name, its payload
// the record's properties in order (amounts in fen, areas in hundredths of a square metre). Alerts are all named
// "Alert" and carry their kind first.

public sealed record ProjectCreated(string ProjectId, string Name, long Budget, string GovOrg, string DeptOrg, IReadOnlyList<string> ImplOrgs, string FinanceOrg, string BankId) : IContractEvent;
public sealed record PlanPublished(string ProjectId, string PlanHash, long PublishedAt, long CommentUntil) : IContractEvent;
public sealed record PlanNoticeConfirmed(string ProjectId, long PublishedAt, string By, string EvidenceHash) : IContractEvent;
public sealed record DepositConfirmed(string DepositId, string ProjectId, long Amount, long Deposited, long Balance, long Budget) : IContractEvent;
public sealed record ProjectDecided(string ProjectId, string DecisionNo, long Balance, long Budget) : IContractEvent;
public sealed record SurveyClosed(string ProjectId, int Households, string SurveyListHash) : IContractEvent;
public sealed record LeftoverReturnInstructed(string ReturnId, string ProjectId, long Amount) : IContractEvent;
public sealed record LeftoverReturned(string ReturnId, string ProjectId, long Amount, long Balance) : IContractEvent;
public sealed record LeftoverReturnFailed(string ReturnId, string ProjectId, long Amount) : IContractEvent;
public sealed record ProjectSettled(string ProjectId, long Deposited, long Paid, long Returned) : IContractEvent;

public sealed record HouseholdRegistered(string ProjectId, string HhId, string UnitNo, long Area, string Use) : IContractEvent;
public sealed record AppraisalRecorded(string ProjectId, string HhId, long UnitPrice, long ValueAmount, string Appraiser) : IContractEvent;
public sealed record PayeeAccountProposed(string ProjectId, string HhId, string Reason) : IContractEvent;
public sealed record PayeeAccountApproved(string ProjectId, string HhId, int Changes, string Reason) : IContractEvent;
public sealed record HandoverConfirmed(string ProjectId, string HhId, string UnitNo) : IContractEvent;
public sealed record HouseholdClosed(string ProjectId, string HhId, string Reason) : IContractEvent;
public sealed record ResettlementUnitRegistered(string ResUnitId, string ProjectId, long Area, long Price) : IContractEvent;
public sealed record ResettlementAssigned(string ResUnitId, string AgrId, string HhId) : IContractEvent;

public sealed record AgreementDrafted(string AgrId, int Ver, string ProjectId, string HhId, AgreementMode Mode, long Total, long Payable, long Receivable) : IContractEvent;
public sealed record AgreementSuperseded(string AgrId, int Ver, int ByVer) : IContractEvent;
public sealed record AgreementReviewed(string AgrId, int Ver, string Reviewer) : IContractEvent;
public sealed record AgreementAuditChecked(string AgrId, int Ver, string Auditor) : IContractEvent;
public sealed record AgreementApproved(string AgrId, int Ver, long Payable, long Committed, long Budget) : IContractEvent;
public sealed record AgreementSigned(string AgrId, int Ver, string HhId, bool ByHousehold) : IContractEvent;
public sealed record DecisionIssued(string AgrId, int Ver, string HhId, string DecisionNo) : IContractEvent;

public sealed record PaymentInstructed(string PayId, string ProjectId, string HhId, string AgrId, int Ver, int Seq, long Amount) : IContractEvent;
public sealed record PaymentConfirmed(string PayId, string ProjectId, string HhId, string AgrId, int Seq, long Amount, long Balance) : IContractEvent;
public sealed record PaymentFailed(string PayId, string ProjectId, string HhId, string Reason) : IContractEvent;

public sealed record Attested(string ProjectId, string ReportHash, string By, long Balance) : IContractEvent;
public sealed record HouseholdListPublished(string ProjectId, int Round, string ListHash, int Households) : IContractEvent;

public sealed record PlanRecordedLateAlert(string ProjectId, long PublishedAt, long RecordedAt, long CommentUntil) : IAlert
{
    [JsonPropertyOrder(-1)] public string Kind => "PlanRecordedLate";
}

public sealed record AppraisalDeviationAlert(string AgrId, int Ver, string HhId, long HouseValue, long Appraisal, long DeviationBps, string? Reason) : IAlert
{
    [JsonPropertyOrder(-1)] public string Kind => "AppraisalDeviation";
}

public sealed record PayeeMismatchAlert(string PayId, string ProjectId, string HhId, string? AccountHolderHash) : IAlert
{
    [JsonPropertyOrder(-1)] public string Kind => "PayeeMismatch";
}

public sealed record OverduePaymentAlert(string ProjectId, string HhId, string AgrId, int Seq, long Amount, long DueAt) : IAlert
{
    [JsonPropertyOrder(-1)] public string Kind => "OverduePayment";
}

public sealed record IdleFundsAlert(string ProjectId, long Balance, string Reason) : IAlert
{
    [JsonPropertyOrder(-1)] public string Kind => "IdleFunds";
}
