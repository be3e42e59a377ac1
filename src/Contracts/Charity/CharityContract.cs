using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

/// <summary>
/// The charity-traceability contract (docs/CHARITY.md): organisations, campaigns, donations confirmed by the
/// bank, FIFO lineage from every donation to its final use, maker-checker disbursements, purpose changes,
/// leftovers, refunds, disclosures, holds, and the queries donors, charities and regulators use.
/// </summary>
/// <remarks>
/// Every invoke runs validate args → authorize → mutate → emit event. Who may call a function is first
/// checked by the node against the function's access rule (roles from the channel's enrolments); the
/// handler then checks what only state knows: that the caller's organisation is registered with the right
/// type, owns the object, and is not frozen. Determinism: time comes from the transaction timestamp, money
/// is integer fen, and lots are consumed in (createdAt, lotId) order.
/// </remarks>
public sealed partial class CharityContract : DomainContract
{
    public const string ContractName = "charity";
    public override string Name => ContractName;

    // Access rules (policy expressions over enrolled roles).
    public const string RegulatorAccess = "ANY regulator";
    public const string BankAccess = "ANY bank";
    public const string OfficerAccess = "ANY charity-officer";
    public const string SpenderAccess = "OR(ANY charity-officer, ANY executor)";
    public const string DonorOrOfficerAccess = "OR(ANY donor, ANY charity-officer)";
    public const string DonorOrBankAccess = "OR(ANY donor, ANY bank)";
    public const string OfficerOrBankAccess = "OR(ANY charity-officer, ANY bank)";
    public const string OfficerOrRegulatorAccess = "OR(ANY charity-officer, ANY regulator)";
    public const string OversightAccess = "OR(ANY regulator, ANY auditor)";
    public const string AuditorAccess = "ANY auditor";

    /// <summary>Defaults of the parameters an organisation or a campaign sets for itself (docs/CHARITY.md).</summary>
    public const long DefaultDualApprovalThreshold = 5_000_000; // 50,000.00 yuan
    public const int DefaultIdleDays = 365;
    public const int DefaultDisclosureEveryDays = 90;
    public const int DefaultMgmtFeeCapBps = 1000;
    /// <summary>A bank error or a reversed payment is refunded within this many days of the donation's confirmation.</summary>
    public const int RefundWindowDays = 180;
    public const long DayMs = DomainTime.DayMs;
    public const int MaxEvidence = 32;
    public const int MaxText = 256;

    /// <summary>
    /// What every integer field of the contract's state, events and answers measures; a test fails on any field
    /// missing here. Money is fen.
    /// </summary>
    public static readonly FieldUnits FieldUnits = new(
        fen: ["amount", "remaining", "reserved", "balance", "paid", "refunded", "received", "receivedUnrestricted", "allocatedIn", "movedIn", "movedOut",
            "paidCharitable", "paidManagement", "paidFundraising", "paidOther", "paidFromUnrestricted", "managementCommitted", "inflows", "outflows",
            "unrestricted", "restricted", "subGrants", "total", "income", "refunds", "charitable", "management", "fundraising", "other", "used", "target",
            "moved", "incomePriorYear", "netAssetsPriorYearEnd", "charitableSpend", "managementSpend", "totalSpend", "requiredSpend", "in", "out",
            "dualApprovalThreshold", "donated", "mgmtSpend", "netAssetsEnd", "restrictedTimeAdj", "held", "paidOut", "leftover", "allocationReturned", "approvedUnpaid"],
        centiSquareMetres: [],
        other: ["at", "createdAt", "startAt", "endAt", "openedAt", "closedAt", "settledAt", "cancelledAt", "lastDisclosureAt", "registeredAt", "confirmedAt",
            "valueDate", "proposedAt", "approvedAt", "paidAt", "publishedAt", "dueAt", "from", "to", "declaredFrom", "asOf",
            "fromBlock", "toBlock", "closedBlock", "confirmedInBlock", "consentSeq",
            "mgmtFeeCapBps", "disclosureEveryDays", "idleDays", "seq", "year", "count", "ledgerLines", "edgeCount", "approvals", "required", "requiredApprovals", "charities", "payments",
            "added", "overdue", "idle", "ageDays", "spendBps", "mgmtBps", "minSpendBps", "maxMgmtBps", "minIncomeSpendBps", "scanned"]);

    /// <summary>
    /// What anyone may ask without signing: the organisation registry, campaigns with their totals and disclosures,
    /// a charity's balance sheet and ratios, the contract's field units. Everything else needs a signed read.
    /// </summary>
    public static readonly IReadOnlySet<string> Public = new SortedSet<string>(StringComparer.Ordinal)
    {
        "GetOrg", "GetCampaign", "ListCampaigns", "CampaignLedger", "BalanceSheet", "AnnualRatios", "FieldUnits", "PublicTraceDonation", "ListDisclosures",
    };

    protected override IReadOnlySet<string> PublicQueries => Public;

    /// <summary>A donor's statement: the bank, oversight, or the donor's own account (which sees only the gifts it gave).</summary>
    public const string DonorStatementAccess = "OR(ANY bank, ANY regulator, ANY auditor, ANY donor)";

    public override FieldUnits Units => FieldUnits;

    public CharityContract() : base(CharityJson.Default)
    {
        RegisterOrganisations();
        RegisterCampaigns();
        RegisterDonations();
        RegisterDisbursements();
        RegisterOversight();
        RegisterQueries();
        Query("FieldUnits", _ => 0, (_, _) => ContractJson.Serialize(FieldUnits.Describe()));
    }

    // ---- helpers shared by the handlers ----

    /// <summary>The caller's organisation as registered on this ledger, which must have the given type.</summary>
    private static Org CallerOrg(ContractContext context, params OrgType[] types)
    {
        var name = context.Caller.Organization;
        var org = context.Get<Org>(CharityKeys.Org(name))
            ?? throw new ContractException(ContractErrors.NotAuthorized, $"organisation '{name}' is not registered on the charity ledger (the regulator registers organisations)");
        if (!types.Contains(org.Type))
            throw new ContractException(types.Contains(OrgType.Bank) ? CharityErrors.BankOnly : ContractErrors.NotAuthorized,
                $"organisation '{name}' is registered as {org.Type}; this call needs {string.Join(" or ", types)}");
        return org;
    }

    private static Org ActiveCallerOrg(ContractContext context, params OrgType[] types)
    {
        var org = CallerOrg(context, types);
        RequireActive(org);
        return org;
    }

    private static void RequireActive(Org org)
    {
        if (org.Status == OrgStatus.Frozen) throw new ContractException(CharityErrors.Frozen, $"organisation '{org.OrgId}' is frozen by the regulator");
    }

    /// <summary>The caller must belong to the organisation that owns the object.</summary>
    private static void RequireOwner(ContractContext context, string owner, string what)
    {
        if (context.Caller.Organization != owner)
            throw new ContractException(ContractErrors.NotAuthorized, $"{what} belongs to '{owner}'; caller is from '{context.Caller.Organization}'");
    }

    private static Org RequireOrg(ContractContext context, string orgId, OrgType type)
    {
        var org = context.Require<Org>(CharityKeys.Org(orgId), $"organisation '{orgId}'");
        if (org.Type != type) throw new ContractException(ContractErrors.BadArgs, $"organisation '{orgId}' is {org.Type}, expected {type}");
        return org;
    }

    private static void RequireNotHeld(ContractContext context, params string[] targets) => Holds.RequireNone(context, targets);

    /// <summary>An illegal state transition: names the object, its current state and the attempted step.</summary>
    private static ContractException BadState(string what, object current, string attempted) => StateMachine.Illegal(what, current, attempted);

    /// <summary>Calendar year in China Standard Time (UTC+8, no daylight saving): fixed, so deterministic.</summary>
    public static int YearOf(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(TimeSpan.FromHours(8)).Year;

    public static long StartOfYear(int year) => new DateTimeOffset(year, 1, 1, 0, 0, 0, TimeSpan.FromHours(8)).ToUnixTimeMilliseconds();

    public static string Iso(long ms) => DomainTime.Seconds(ms);

    public static string Yuan(long fen) => Money.Format(fen);

    private static void AddFlow(ContractContext context, string orgId, long at, Action<YearFlows> change)
    {
        var key = CharityKeys.Flows(orgId, YearOf(at));
        var flows = context.Get<YearFlows>(key) ?? new YearFlows();
        change(flows);
        context.Put(key, flows);
    }

    /// <summary>Adds the next numbered line to the campaign's ledger and writes the campaign (with its other changes).</summary>
    private static void AddCampaignEntry(ContractContext context, Campaign campaign, string kind, string id, long inAmount, long outAmount, string? detail)
    {
        campaign.LedgerLines++;
        context.Put(CharityKeys.CampaignEntry(campaign.CampaignId, campaign.LedgerLines), new LedgerEntry(kind, id, context.TimestampMs, inAmount, outAmount, detail));
        PutCampaign(context, campaign);
    }
}
