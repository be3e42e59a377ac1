namespace Chain.Contracts.Charity;

// State records of the charity contract (docs/CHARITY.md, State keys). Money is integer fen; times are Unix milliseconds
// taken from transaction timestamps. Mutable classes because handlers update them in place before writing back.

public enum OrgType { Charity, Bank, Regulator, Auditor, Executor, Supplier }
public enum OrgForm { Foundation, SocialGroup, SocialService, Other }
public enum OrgStatus { Active, Frozen }

public sealed class Org
{
    public required string OrgId { get; init; }
    public required OrgType Type { get; init; }
    public required string Name { get; init; }
    public required string Uscc { get; init; }
    public OrgForm Form { get; init; }
    public bool PublicFundraising { get; init; }
    public OrgStatus Status { get; set; }
    /// <summary>Disbursements of at least this amount need two approvers.</summary>
    public long DualApprovalThreshold { get; init; }
    /// <summary>Lots unspent for longer than this raise IdleFunds alerts.</summary>
    public int IdleDays { get; init; }
    /// <summary>The bank that holds a charity's or executor's accounts: only it pays, fails or turns down its disbursements.</summary>
    public string? AccountBank { get; init; }
    public long RegisteredAt { get; init; }
}

/// <summary>
/// A payee hash an organisation declared as a related party (Art 58), with every period the declaration was in
/// force. The organisation only adds; only the regulator ends a period, so the list in force at any past
/// payment can be told from state.
/// </summary>
public sealed class RelatedParty
{
    public required string OrgId { get; init; }
    public required string Hash { get; init; }
    public List<RelatedPeriod> Periods { get; init; } = [];
    [System.Text.Json.Serialization.JsonIgnore] public bool InForce => Periods.Count > 0 && Periods[^1].To is null;

    /// <summary>
    /// In force for a payment confirmed in <paramref name="block"/>: declared in an earlier block and not ended by
    /// then. Ledger order, not timestamps, decides: within one block a payment after a declaration is refused, so a
    /// payment in the block that declared (or ended) the relation came before the declaration (or after the end).
    /// </summary>
    public bool InForceAt(ulong block) => Periods.Any(p => p.FromBlock < block && (p.ToBlock is not { } to || block < to));

    public bool DeclaredAfter(ulong block) => Periods.Any(p => p.FromBlock >= block);
}

public sealed record RelatedPeriod(long From, ulong FromBlock, string DeclaredBy, long? To = null, ulong? ToBlock = null, string? EndedBy = null, string? EndReason = null);

/// <summary>Everything one organisation paid one payee (kept at payment, so totals never depend on a page).</summary>
public sealed class PayeeTotal
{
    public required string PayeeRef { get; init; }
    public required string OrgId { get; init; }
    public int Count { get; set; }
    public long Amount { get; set; }
}

/// <summary>Cancelled: the campaign failed or was called off before settlement; its money only goes back to donors (refund reason CampaignCancelled).</summary>
public enum CampaignStatus { Draft, Filed, Open, Closed, Settled, Cancelled }
public enum LeftoverRule { SimilarProject, Refund, Named }

public sealed class Campaign
{
    public required string CampaignId { get; init; }
    public required string CharityId { get; init; }
    public required string Title { get; init; }
    public required string PurposeCode { get; set; }
    public bool Restricted { get; init; }
    /// <summary>A public fundraising campaign (公开募捐); needs the charity's public-fundraising status.</summary>
    public bool Public { get; init; }
    public long Target { get; init; }
    public long StartAt { get; init; }
    public long EndAt { get; init; }
    public required string PlanHash { get; init; }
    public string? FilingNo { get; set; }
    public int MgmtFeeCapBps { get; init; }
    public LeftoverRule LeftoverRule { get; init; }
    /// <summary>With leftover rule Named: the campaign the plan names to receive the leftover.</summary>
    public string? LeftoverTarget { get; init; }
    /// <summary>The plan or the donors' agreements forbid investing this money (Art 54); its pool carries the flag.</summary>
    public bool NoInvest { get; init; }
    public CampaignStatus Status { get; set; }
    public int DisclosureEveryDays { get; init; }
    public long CreatedAt { get; init; }
    public long? OpenedAt { get; set; }
    public long? ClosedAt { get; set; }
    public long? SettledAt { get; set; }
    public long? CancelledAt { get; set; }
    public string? CancelReason { get; set; }
    public long? LastDisclosureAt { get; set; }
    public bool FinalDisclosed { get; set; }
    public CampaignTotals Totals { get; init; } = new();
    /// <summary>How many lines the campaign's ledger has (<see cref="CharityKeys.CampaignEntry"/>).</summary>
    public long LedgerLines { get; set; }
}

/// <summary>Flows of one campaign; for its pool, Received + AllocatedIn + MovedIn = Paid + Refunded + MovedOut + balance (user story 7).</summary>
public sealed class CampaignTotals
{
    /// <summary>Donations into the campaign's own (restricted) pool.</summary>
    public long Received { get; set; }
    /// <summary>Donations for an unrestricted campaign; they sit in the charity's unrestricted pool.</summary>
    public long ReceivedUnrestricted { get; set; }
    public long AllocatedIn { get; set; }
    public long MovedIn { get; set; }
    public long Paid { get; set; }
    public long PaidCharitable { get; set; }
    public long PaidManagement { get; set; }
    public long PaidFundraising { get; set; }
    public long PaidOther { get; set; }
    /// <summary>Payments for this campaign made from the charity's unrestricted pool.</summary>
    public long PaidFromUnrestricted { get; set; }
    public long Refunded { get; set; }
    public long MovedOut { get; set; }
    /// <summary>Management disbursements approved or paid (for the fee cap, I8).</summary>
    public long ManagementCommitted { get; set; }
    /// <summary>Disbursements for this campaign (from any pool) approved and not yet paid or failed by the bank.</summary>
    public long ApprovedUnpaid { get; set; }
}

public enum PoolKind { Unrestricted, Campaign, SubGrant }

public sealed class Pool
{
    public required string PoolId { get; init; }
    public required string Owner { get; init; }
    public PoolKind Kind { get; init; }
    public string? CampaignId { get; init; }
    /// <summary>Money here may not be invested (Art 54): a campaign whose plan forbids it, or an executor's sub-grants.</summary>
    public bool NoInvest { get; init; }
    /// <summary>Σ remaining of the pool's lots (I1).</summary>
    public long Balance { get; set; }
    /// <summary>Σ approved, unpaid disbursements from this pool (I2).</summary>
    public long Reserved { get; set; }
}

public enum LotOrigin { Donation, Allocation, SubGrant, Transfer }

public sealed class Lot
{
    public required string LotId { get; init; }
    public required string PoolId { get; init; }
    public LotOrigin Origin { get; init; }
    public required string DonationId { get; init; }
    public string? ParentLotId { get; init; }
    /// <summary>The sub-grant disbursement that created this lot in an executor's pool.</summary>
    public string? ViaDisbId { get; init; }
    public long Amount { get; init; }
    public long Remaining { get; set; }
    /// <summary>Part of <see cref="Remaining"/> earmarked by approved disbursements that name this lot.</summary>
    public long Reserved { get; set; }
    public string? RestrictedTo { get; init; }
    /// <summary>This money may not be invested (Art 54): it came through a pool marked so, and keeps the mark wherever it moves.</summary>
    public bool NoInvest { get; init; }
    public long CreatedAt { get; init; }
    /// <summary>How many children the lot's money flowed to (<see cref="CharityKeys.EdgeNumber"/>).</summary>
    public int EdgeCount { get; set; }
}

public sealed class Donation
{
    public required string DonationId { get; init; }
    public string? PledgeId { get; init; }
    public required string DonorRef { get; init; }
    public string? DisplayName { get; init; }
    public bool Anonymous { get; init; }
    /// <summary>The donor's chain account, when the donor has one; it may give consent itself.</summary>
    public string? DonorAccount { get; init; }
    public required string CharityId { get; init; }
    public string? CampaignId { get; init; }
    public string? PurposeCode { get; set; }
    public long Amount { get; init; }
    public required string BankId { get; init; }
    public required string BankTxRef { get; init; }
    public long ValueDate { get; init; }
    public string? ReceiptNo { get; set; }
    public string? ReceiptWaived { get; set; }
    public required string RootLotId { get; init; }
    public long ConfirmedAt { get; init; }
    public long Refunded { get; set; }
}

/// <summary>Investment: money placed in an investment product (Art 54), never from a pool marked NoInvest.</summary>
public enum PayeeType { Beneficiary, Supplier, Executor, Staff, Investment }
public enum Category { Charitable, Management, Fundraising, Other }
public enum DisbursementStatus { Proposed, Approved, Paid, Rejected, Failed }
public enum EvidenceKind { Contract, Invoice, SignOff, Receipt, Photo, Other }

public sealed record Evidence(EvidenceKind Kind, string Hash);
public sealed record LotAmount(string LotId, long Amount);

public sealed class Disbursement
{
    public required string DisbId { get; init; }
    public required string PoolId { get; init; }
    public required string Owner { get; init; }
    public string? CampaignId { get; init; }
    public PayeeType PayeeType { get; init; }
    public required string PayeeRef { get; init; }
    public long Amount { get; init; }
    public Category Category { get; init; }
    public List<Evidence> Evidence { get; init; } = [];
    /// <summary>Lots named by the proposer (earmark); empty means FIFO at payment.</summary>
    public List<LotAmount> Lots { get; init; } = [];
    public required string Proposer { get; init; }
    public List<string> Approvers { get; init; } = [];
    public int RequiredApprovals { get; init; }
    public DisbursementStatus Status { get; set; }
    public long ProposedAt { get; init; }
    public long? ApprovedAt { get; set; }
    public string? BankId { get; set; }
    public string? BankTxRef { get; set; }
    /// <summary>The value date the bank reported.</summary>
    public long? PaidAt { get; set; }
    /// <summary>When the bank's confirmation (or failure) was recorded: the transaction time, and its block.</summary>
    public long? ClosedAt { get; set; }
    public ulong? ClosedBlock { get; set; }
    public string? Reason { get; set; }
    public List<LotAmount> Consumed { get; set; } = [];
    public List<string> Acknowledgements { get; init; } = [];
}

public enum RefundReason { BankError, CampaignCancelled, LeftoverReturn, PaymentReversal }

public sealed class Refund
{
    public required string RefundId { get; init; }
    public required string DonationId { get; init; }
    public long Amount { get; init; }
    public RefundReason Reason { get; init; }
    public required string BankId { get; init; }
    public required string BankTxRef { get; init; }
    public long At { get; init; }
    public List<LotAmount> Consumed { get; init; } = [];
}

public enum PledgeStatus { Open, Fulfilled }
public sealed record Instalment(long DueAt, long Amount);

public sealed class Pledge
{
    public required string PledgeId { get; init; }
    public required string DonorRef { get; init; }
    public required string CharityId { get; init; }
    public string? CampaignId { get; init; }
    public long Amount { get; init; }
    public required string AgreementHash { get; init; }
    public List<Instalment> Schedule { get; init; } = [];
    public long Donated { get; set; }
    public PledgeStatus Status { get; set; }
    public long CreatedAt { get; init; }
}

public sealed record Consent(string DonationId, int Seq, string NewPurposeCode, string ConsentHash, string By, long At, bool Used);
public sealed record Filing(string CampaignId, string FilingNo, string? NewPurposeCode, string By, long At);

public enum DisclosureKind { Periodic, Final, Leftover, Annual }
public enum Scope { Campaign, Donation, Disbursement, Org }

public sealed record Disclosure(Scope Scope, string Id, int Seq, DisclosureKind Kind, string Period, string ReportHash, long PublishedAt, string By);

/// <summary>Figures a charity publishes in its annual report (fen).</summary>
public sealed record AnnualFigures(long Income, long RestrictedTimeAdj, long CharitableSpend, long MgmtSpend, long TotalSpend, long NetAssetsEnd);
public sealed record AnnualReport(string CharityId, int Year, AnnualFigures Figures, string ReportHash, long PublishedAt);

/// <summary>Flows the ledger itself saw for one charity in one calendar year (China Standard Time).</summary>
public sealed class YearFlows
{
    public long Income { get; set; }
    public long Refunds { get; set; }
    public long Charitable { get; set; }
    public long Management { get; set; }
    public long Fundraising { get; set; }
    public long Other { get; set; }
    [System.Text.Json.Serialization.JsonIgnore] public long Spend => Charitable + Management + Fundraising + Other;

    public void Add(Category category, long amount)
    {
        switch (category)
        {
            case Category.Charitable: Charitable += amount; break;
            case Category.Management: Management += amount; break;
            case Category.Fundraising: Fundraising += amount; break;
            default: Other += amount; break;
        }
    }
}

public sealed record Attestation(Scope Scope, string Id, string ReportHash, string By, long At);
