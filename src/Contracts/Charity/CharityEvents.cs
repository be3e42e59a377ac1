using System.Text.Json.Serialization;
using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Charity;

// The events of the charity contract (docs/CHARITY.md, "Events"): each one's name is its type's name, its payload
// the record's properties in order (amounts in fen). Alerts are all named "Alert" and carry their kind first.

public sealed record OrgRegistered(string OrgId, OrgType Type, string Name, OrgForm Form, bool PublicFundraising, string By) : IContractEvent;
public sealed record OrgStatusChanged(string OrgId, OrgStatus Status, string Reason, string By) : IContractEvent;
public sealed record RelatedPartiesDeclared(string CharityId, int Added) : IContractEvent;
public sealed record RelatedPartyEnded(string OrgId, string Hash, string Reason, string By) : IContractEvent;

public sealed record CampaignCreated(string CampaignId, string CharityId, string Title, string PurposeCode, bool Restricted, bool Public, long Target, long StartAt, long EndAt) : IContractEvent;
public sealed record FilingAcknowledged(string CampaignId, string FilingNo, string? NewPurposeCode, string By) : IContractEvent;
public sealed record CampaignOpened(string CampaignId, string CharityId) : IContractEvent;
public sealed record CampaignClosed(string CampaignId, string CharityId, long Leftover) : IContractEvent;
public sealed record CampaignCancelled(string CampaignId, string CharityId, string Reason, string By, long Balance, long AllocationReturned) : IContractEvent;
public sealed record LeftoverSettled(string CampaignId, LeftoverRule Rule, string? TargetCampaignId, long Moved, long Remaining) : IContractEvent;

public sealed record Pledged(string PledgeId, string CharityId, string? CampaignId, long Amount) : IContractEvent;
public sealed record DonationConfirmed(string DonationId, string CharityId, string? CampaignId, long Amount, string? Donor, string Pool, string LotId, string BankId) : IContractEvent;
public sealed record ReceiptIssued(string DonationId, string ReceiptNo) : IContractEvent;
public sealed record ReceiptWaived(string DonationId, string? ReasonCode) : IContractEvent;
public sealed record ConsentGiven(string DonationId, int Seq, string NewPurposeCode) : IContractEvent;

/// <summary>A purpose change: by filing (a campaign's, with <see cref="FilingNo"/>) or by the donor's consent (a donation's, with the consent and what moved).</summary>
public sealed record PurposeChanged(Scope Scope, string Id, string? From, string To, string? FilingNo = null, int? ConsentSeq = null, string? TargetCampaignId = null, long? Moved = null) : IContractEvent;

public sealed record RefundPaid(string RefundId, string DonationId, long Amount, RefundReason Reason, IReadOnlyList<LotAmount> Consumed) : IContractEvent;
public sealed record FundsAllocated(string AllocId, string FromPool, string ToCampaign, long Amount, IReadOnlyList<LotAmount> Lots) : IContractEvent;

public sealed record DisbursementProposed(string DisbId, string PoolId, string? CampaignId, PayeeType PayeeType, long Amount, Category Category, int RequiredApprovals) : IContractEvent;
public sealed record DisbursementApproved(string DisbId, int Approvals, int Required, DisbursementStatus Status) : IContractEvent;
public sealed record DisbursementPaid(string DisbId, string PoolId, string? CampaignId, PayeeType PayeeType, long Amount, Category Category, IReadOnlyList<LotAmount> Consumed, string BankId) : IContractEvent;
public sealed record DisbursementRejected(string DisbId, string Reason, string By) : IContractEvent;
public sealed record PaymentFailed(string DisbId, string BankTxRef, string Reason) : IContractEvent;
public sealed record ReceiptAcknowledged(string DisbId, string AckHash, string By) : IContractEvent;

/// <summary>A disclosure; an annual report's has no sequence number.</summary>
public sealed record DisclosurePublished(Scope Scope, string Id, int? Seq, DisclosureKind Kind, string Period, string ReportHash) : IContractEvent;
public sealed record Attested(Scope Scope, string Id, string ReportHash, string By) : IContractEvent;

public sealed record RatioBreachAlert(string CharityId, int Year, int SpendBps, int MgmtBps, IReadOnlyList<string> Breaches) : IAlert
{
    [JsonPropertyOrder(-1)] public string Kind => "RatioBreach";
}

public sealed record DisclosureOverdueAlert(string CampaignId, string CharityId, string Reason) : IAlert
{
    [JsonPropertyOrder(-1)] public string Kind => "DisclosureOverdue";
}

public sealed record IdleFundsAlert(string LotId, string PoolId, string Owner, long Remaining, long AgeDays) : IAlert
{
    [JsonPropertyOrder(-1)] public string Kind => "IdleFunds";
}
