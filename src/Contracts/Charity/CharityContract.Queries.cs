using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

public sealed partial class CharityContract
{
    public sealed record IdArgs(string Id);
    public sealed record PagedArgs(string? After, int Limit);
    public sealed record RefPagedArgs(string Ref, string? After, int Limit);
    public sealed record TraceArgs(string Id, int MaxNodes);
    public sealed record ScopePagedArgs(Scope Scope, string Id, string? After, int Limit);
    public sealed record CharityYearArgs(string CharityId, int? Year);
    public sealed record AsOfArgs(long? AsOf, string? After, int Limit);
    public sealed record IdleArgs(int Days, long? AsOf, string? Owner, string? After, int Limit);

    public sealed record OverdueItem(string CampaignId, string CharityId, string Title, CampaignStatus Status, string Reason);
    public sealed record IdleItem(string LotId, string PoolId, string Owner, string DonationId, long Remaining, long CreatedAt, long AgeDays);

    private void RegisterQueries()
    {
        Query("GetOrg", args => new IdArgs(args.RequiredId("orgId")), (c, a) => ContractJson.Serialize(c.Require<Org>(CharityKeys.Org(a.Id), $"organisation '{a.Id}'")));
        Query("GetCampaign", args => new IdArgs(args.RequiredId("campaignId")), GetCampaign);
        Query("GetDonation", args => new IdArgs(args.RequiredId("donationId")), (c, a) => ContractJson.Serialize(PublicDonation(RequireDonation(c, a.Id))));
        Query("GetDisbursement", args => new IdArgs(args.RequiredId("disbId")), (c, a) => ContractJson.Serialize(RequireDisbursement(c, a.Id)));
        Query("GetPool", args => new IdArgs(args.RequiredString("poolId", 140)), (c, a) => ContractJson.Serialize(Lineage.RequirePool(c, a.Id)));
        Query("GetLot", args => new IdArgs(args.RequiredString("lotId", 200)), (c, a) => ContractJson.Serialize(c.Require<Lot>(CharityKeys.Lot(a.Id), $"lot '{a.Id}'")));
        Query("ListCampaigns", args => new RefPagedArgs(args.RequiredId("charityId"), Paging.Args(args).After, Paging.Args(args).Limit), ListCampaigns);
        Query("TraceDonation", args => new TraceArgs(args.RequiredId("donationId"), args.OptionalInt("maxNodes", 1000, 1, 10_000)), TraceDonation);
        Query("ListDisclosures", args => new ScopePagedArgs(args.RequiredEnum<Scope>("scope"), args.RequiredString("id", 140), Paging.Args(args).After, Paging.Args(args).Limit), ListDisclosures);
        Query("PublicTraceDonation", args => new TraceArgs(args.RequiredId("donationId"), args.OptionalInt("maxNodes", 1000, 1, 10_000)), PublicTraceDonation);
        Query("TraceDisbursement", args => new IdArgs(args.RequiredId("disbId")), TraceDisbursement);
        Query("DonorStatement", args => new RefPagedArgs(args.RequiredHash("donorRef"), Paging.Args(args).After, Paging.Args(args).Limit), DonorStatement, DonorStatementAccess);
        Query("CampaignLedger", args => new RefPagedArgs(args.RequiredId("campaignId"), Paging.Args(args).After, Paging.Args(args).Limit), CampaignLedger);
        Query("BalanceSheet", args => new CharityYearArgs(args.RequiredId("charityId"), args.Has("year") ? (int)args.RequiredLong("year", 2000, 2200) : null), BalanceSheet);
        Query("AnnualRatios", args => new CharityYearArgs(args.RequiredId("charityId"), (int)args.RequiredLong("year", 2000, 2200)), AnnualRatios);
        Query("OverdueDisclosures", args => new AsOfArgs(args.OptionalTime("asOf"), Paging.Args(args).After, Paging.Args(args).Limit),
            (c, a) => ContractJson.Serialize(FindOverdue(c, a.AsOf ?? c.TimestampMs, a.After, a.Limit)));
        Query("IdleFunds", args => new IdleArgs(args.OptionalInt("days", DefaultIdleDays, 0, 36_500), args.OptionalTime("asOf"), args.OptionalId("owner"), Paging.Args(args).After, Paging.Args(args).Limit),
            (c, a) => ContractJson.Serialize(FindIdle(c, (a.AsOf ?? c.TimestampMs) - a.Days * DayMs, a.Owner, a.After, a.Limit, a.AsOf ?? c.TimestampMs)));
        Query("PayeeAcrossCharities", args => new RefPagedArgs(args.RequiredString("payeeRef", 64), Paging.Args(args).After, Paging.Args(args).Limit), PayeeAcrossCharities);
        Query("RelatedPartyHits", args => new PagedArgs(Paging.Args(args).After, Paging.Args(args).Limit), RelatedPartyHits);
        Query("UnevidencedOrSelfApproved", args => new PagedArgs(Paging.Args(args).After, Paging.Args(args).Limit), UnevidencedOrSelfApproved);
        Query("ListRelatedParties", args => new RefPagedArgs(args.RequiredId("orgId"), Paging.Args(args).After, Paging.Args(args).Limit), ListRelatedParties);
        Query("CheckInvariants", args => new PagedArgs(null, 0), CheckInvariants);
    }

    /// <summary>What the public may see of a donation: an anonymous donor has neither name nor reference.</summary>
    private static object PublicDonation(Donation d) => new
    {
        d.DonationId, d.CharityId, d.CampaignId, d.PurposeCode, d.Amount, d.Refunded, donor = DonorLabel(d), donorRef = d.Anonymous ? null : d.DonorRef,
        d.Anonymous, d.BankId, d.ValueDate, d.ConfirmedAt, d.ReceiptNo, d.ReceiptWaived, d.RootLotId, d.PledgeId,
    };

    private static string DonorLabel(Donation d) => d.Anonymous ? "anonymous" : d.DisplayName ?? "(name not published)";

    private static byte[]? GetCampaign(ContractContext context, IdArgs args)
    {
        var campaign = RequireCampaign(context, args.Id);
        var pool = Lineage.RequirePool(context, CharityKeys.CampaignPool(campaign.CampaignId));
        return ContractJson.Serialize(new { campaign, pool = new { pool.PoolId, pool.Balance, pool.Reserved } });
    }

    /// <summary>What a campaign, donation, disbursement or organisation has disclosed, in the order published (public, as disclosures are).</summary>
    private static byte[]? ListDisclosures(ContractContext context, ScopePagedArgs args)
    {
        var (entries, next) = Paging.Scan(context, CharityKeys.DisclosurePrefix(args.Scope, args.Id), args.After, args.Limit);
        return ContractJson.Serialize(new Page<Disclosure>(entries.Select(e => ContractJson.Deserialize<Disclosure>(e.Value)).ToList(), next));
    }

    private static byte[]? ListCampaigns(ContractContext context, RefPagedArgs args)
    {
        var (entries, next) = Paging.Scan(context, CharityKeys.OwnerCampaignPrefix(args.Ref), args.After, args.Limit);
        var items = entries.Select(e => RequireCampaign(context, e.Key[(e.Key.LastIndexOf('/') + 1)..])).ToList();
        return ContractJson.Serialize(new Page<Campaign>(items, next));
    }

    // ---- lineage ----

    public sealed record TraceNode(string LotId, string PoolId, string Owner, string? RestrictedTo, long Amount, long Remaining, long CreatedAt, List<TraceUse> Uses);

    /// <summary>Where money of a lot went: a child lot (allocation, transfer), a disbursement (with its sub-grant lots) or a refund.</summary>
    public sealed record TraceUse(string Type, string Id, long Amount, string? Category = null, string? PayeeType = null, string? PayeeRef = null,
        string? Status = null, long? PaidAt = null, IReadOnlyList<Evidence>? Evidence = null, string? Reason = null, List<TraceNode>? Lots = null);

    private sealed class TraceBudget(int max)
    {
        public int Left = max;
        public bool Truncated;
    }

    private static byte[]? TraceDonation(ContractContext context, TraceArgs args)
    {
        var donation = RequireDonation(context, args.Id);
        return ContractJson.Serialize(Trace(context, donation, args.MaxNodes, PublicDonation(donation), publicView: false));
    }

    /// <summary>
    /// The trace anyone may follow from a receipt: the same money and steps, without a person's reference (no donor
    /// reference or bank reference, no payee reference); the donor appears by the name they chose to publish.
    /// </summary>
    private static byte[]? PublicTraceDonation(ContractContext context, TraceArgs args)
    {
        var d = RequireDonation(context, args.Id);
        var donation = new { d.DonationId, d.CharityId, d.CampaignId, d.PurposeCode, d.Amount, d.Refunded, donor = DonorLabel(d), d.Anonymous, d.ValueDate, d.ConfirmedAt };
        return ContractJson.Serialize(Trace(context, d, args.MaxNodes, donation, publicView: true));
    }

    private static object Trace(ContractContext context, Donation donation, int maxNodes, object donationView, bool publicView)
    {
        var budget = new TraceBudget(maxNodes);
        var root = TraceLot(context, donation.RootLotId, budget, publicView);
        long paid = 0, refunded = 0, remaining = 0;
        Sum(root);
        return new { donation = donationView, paid, refunded, remaining, truncated = budget.Truncated, tree = root };

        void Sum(TraceNode? node)
        {
            if (node is null) return;
            remaining += node.Remaining;
            foreach (var use in node.Uses)
            {
                switch (use.Type)
                {
                    case Lineage.ToRefund: refunded += use.Amount; break;
                    case Lineage.ToDisbursement when use.Lots is { Count: > 0 }: use.Lots.ForEach(Sum); break; // a sub-grant: follow the money
                    case Lineage.ToDisbursement: paid += use.Amount; break;
                    case Lineage.ToLot: break;
                }
                if (use.Type == Lineage.ToLot) use.Lots?.ForEach(Sum);
            }
        }
    }

    private static TraceNode? TraceLot(ContractContext context, string lotId, TraceBudget budget, bool publicView = false)
    {
        if (budget.Left-- <= 0) { budget.Truncated = true; return null; }
        var lot = context.Require<Lot>(CharityKeys.Lot(lotId), $"lot '{lotId}'");
        var pool = Lineage.RequirePool(context, lot.PoolId);
        var node = new TraceNode(lot.LotId, lot.PoolId, pool.Owner, lot.RestrictedTo, lot.Amount, lot.Remaining, lot.CreatedAt, []);
        foreach (var edge in Lineage.EdgesOf(context, lot))
        {
            string childId = edge.ChildId;
            long amount = edge.Amount;
            switch (edge.Type)
            {
                case Lineage.ToLot:
                    var child = TraceLot(context, childId, budget, publicView);
                    node.Uses.Add(new TraceUse(Lineage.ToLot, childId, amount, Lots: child is null ? null : [child]));
                    break;
                case Lineage.ToDisbursement:
                    var disb = RequireDisbursement(context, childId);
                    List<TraceNode>? grantLots = null;
                    if (disb.PayeeType == PayeeType.Executor)
                    {
                        grantLots = [];
                        for (int i = 0; i < disb.Consumed.Count; i++)
                            if (disb.Consumed[i].LotId == lot.LotId && TraceLot(context, CharityKeys.ChildLotId("G", disb.DisbId, i), budget, publicView) is { } g) grantLots.Add(g);
                    }
                    node.Uses.Add(new TraceUse(Lineage.ToDisbursement, disb.DisbId, amount, disb.Category.ToString(), disb.PayeeType.ToString(), publicView ? null : disb.PayeeRef,
                        disb.Status.ToString(), disb.PaidAt, disb.Evidence, Lots: grantLots));
                    break;
                default:
                    var refund = context.Require<Refund>(CharityKeys.Refund(childId), $"refund '{childId}'");
                    node.Uses.Add(new TraceUse(Lineage.ToRefund, refund.RefundId, amount, Reason: refund.Reason.ToString()));
                    break;
            }
        }
        return node;
    }

    public sealed record TraceSource(string DonationId, string Donor, string? DonorRef, string? CampaignId, long Amount, IReadOnlyList<string> Path);

    /// <summary>Backward: which donations paid a disbursement, through which lots (anonymous donors stay anonymous).</summary>
    private static byte[]? TraceDisbursement(ContractContext context, IdArgs args)
    {
        var disb = RequireDisbursement(context, args.Id);
        var sources = new List<TraceSource>();
        foreach (var (lotId, amount) in disb.Consumed)
        {
            var path = new List<string>();
            var lot = context.Require<Lot>(CharityKeys.Lot(lotId), $"lot '{lotId}'");
            path.Add(lot.LotId);
            while (lot.ParentLotId is { } parent)
            {
                lot = context.Require<Lot>(CharityKeys.Lot(parent), $"lot '{parent}'");
                path.Add(lot.LotId);
            }
            var donation = RequireDonation(context, lot.DonationId);
            sources.Add(new TraceSource(donation.DonationId, DonorLabel(donation), donation.Anonymous ? null : donation.DonorRef, donation.CampaignId, amount, path));
        }
        var byDonation = sources.GroupBy(s => s.DonationId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new { donationId = g.Key, donor = g.First().Donor, amount = g.Sum(s => s.Amount) }).ToList();
        return ContractJson.Serialize(new
        {
            disbursement = new { disb.DisbId, disb.Owner, disb.PoolId, disb.CampaignId, disb.PayeeType, disb.PayeeRef, disb.Amount, disb.Category, disb.Status, disb.PaidAt, disb.Evidence },
            sources, byDonation,
        });
    }

    private static readonly string[] StatementReaderRoles = ["bank", "regulator", "auditor"];

    private static byte[]? DonorStatement(ContractContext context, RefPagedArgs args)
    {
        // A donor reads only the gifts its own account gave (its own index: the scan and the cursors touch nothing else);
        // the bank and oversight read any donor's. (A channel without configuration has no callers: everything is read.)
        bool ownOnly = context.Caller.Address.Length > 0 && !context.Caller.Roles.Overlaps(StatementReaderRoles);
        static string DonationIdOf(string key) => key[(key.LastIndexOf('/') + 1)..];
        var (entries, next) = Paging.Scan(context,
            ownOnly ? CharityKeys.DonorAccountIndexPrefix(context.Caller.Address, args.Ref) : CharityKeys.DonorIndexPrefix(args.Ref), args.After, args.Limit);
        var items = new List<object>();
        foreach (var entry in entries)
        {
            var donation = RequireDonation(context, DonationIdOf(entry.Key));
            long remaining = 0;
            foreach (var lot in Lineage.OpenLotsOfDonation(context, donation, includeGrants: true)) remaining += lot.Remaining;
            // Own statement: the donor sees its own name even when the public does not.
            items.Add(new { donation.DonationId, donation.CharityId, donation.CampaignId, donation.Amount, donation.Refunded, remaining,
                used = donation.Amount - donation.Refunded - remaining, donation.ReceiptNo, donation.ConfirmedAt, donation.Anonymous, donation.DisplayName });
        }
        return ContractJson.Serialize(new { donorRef = args.Ref, items, next });
    }

    private static byte[]? CampaignLedger(ContractContext context, RefPagedArgs args)
    {
        var campaign = RequireCampaign(context, args.Ref);
        var pool = Lineage.RequirePool(context, CharityKeys.CampaignPool(campaign.CampaignId));
        var t = campaign.Totals;
        long inflows = t.Received + t.AllocatedIn + t.MovedIn, outflows = t.Paid + t.Refunded + t.MovedOut;
        var (first, last, next) = Paging.Numbers(campaign.LedgerLines, args.After, args.Limit);
        var lines = new List<LedgerEntry>();
        for (long n = first; n <= last; n++)
            lines.Add(context.Require<LedgerEntry>(CharityKeys.CampaignEntry(campaign.CampaignId, n), $"line {n} of campaign '{campaign.CampaignId}''s ledger"));
        return ContractJson.Serialize(new
        {
            campaign.CampaignId, campaign.CharityId, campaign.Title, campaign.Status, campaign.Restricted, totals = t,
            pool = new { pool.PoolId, pool.Balance, pool.Reserved }, inflows, outflows, balanced = inflows == outflows + pool.Balance,
            entries = lines, next,
        });
    }

    private static byte[]? BalanceSheet(ContractContext context, CharityYearArgs args)
    {
        var org = context.Require<Org>(CharityKeys.Org(args.CharityId), $"organisation '{args.CharityId}'");
        long unrestricted = 0, restricted = 0, subGrants = 0, reserved = 0;
        var pools = new List<object>();
        foreach (var entry in context.GetStateByPrefix(CharityKeys.OwnerPoolPrefix(org.OrgId)))
        {
            var pool = Lineage.RequirePool(context, entry.Key[(entry.Key.LastIndexOf('/') + 1)..]);
            switch (pool.Kind)
            {
                case PoolKind.Unrestricted: unrestricted += pool.Balance; break;
                case PoolKind.Campaign: restricted += pool.Balance; break;
                default: subGrants += pool.Balance; break;
            }
            reserved += pool.Reserved;
            pools.Add(new { pool.PoolId, pool.Kind, pool.CampaignId, pool.Balance, pool.Reserved });
        }
        var flows = new YearFlows();
        foreach (var entry in context.GetStateByPrefix(CharityKeys.FlowsPrefix(org.OrgId)))
        {
            if (args.Year is { } year && entry.Key != CharityKeys.Flows(org.OrgId, year)) continue;
            var f = ContractJson.Deserialize<YearFlows>(entry.Value);
            flows.Income += f.Income; flows.Refunds += f.Refunds; flows.Charitable += f.Charitable;
            flows.Management += f.Management; flows.Fundraising += f.Fundraising; flows.Other += f.Other;
        }
        return ContractJson.Serialize(new
        {
            charityId = org.OrgId, args.Year, unrestricted, restricted, subGrants, total = unrestricted + restricted + subGrants, reserved,
            income = flows.Income, refunds = flows.Refunds,
            outByCategory = new { charitable = flows.Charitable, management = flows.Management, fundraising = flows.Fundraising, other = flows.Other, total = flows.Spend },
            pools,
        });
    }

    private static byte[]? AnnualRatios(ContractContext context, CharityYearArgs args)
    {
        var org = RequireOrg(context, args.CharityId, OrgType.Charity);
        var result = RatiosFromLedger(context, org, args.Year!.Value);
        var published = context.Get<AnnualReport>(CharityKeys.Annual(org.OrgId, args.Year.Value));
        return ContractJson.Serialize(new { ledger = result, published });
    }

    private static Page<OverdueItem> FindOverdue(ContractContext context, long now, string? after, int limit)
    {
        var items = new List<OverdueItem>();
        string? cursor = after;
        while (items.Count < limit)
        {
            var (entries, next) = Paging.Scan(context, CharityKeys.CampaignPrefix, cursor, 200);
            foreach (var entry in entries)
            {
                var campaign = ContractJson.Deserialize<Campaign>(entry.Value);
                cursor = campaign.CampaignId;
                if (OverdueReason(campaign, now) is { } reason)
                {
                    items.Add(new OverdueItem(campaign.CampaignId, campaign.CharityId, campaign.Title, campaign.Status, reason));
                    if (items.Count == limit) return new Page<OverdueItem>(items, cursor);
                }
            }
            if (next is null) return new Page<OverdueItem>(items, null);
        }
        return new Page<OverdueItem>(items, cursor);
    }

    /// <summary>
    /// Open lots created before <paramref name="createdBefore"/>, pool by pool and oldest first within a pool
    /// (each pool's FIFO index is in time order, so a pool's scan stops at the first younger lot).
    /// The cursor is "poolId/fifo-suffix" of the last item returned.
    /// </summary>
    private static Page<IdleItem> FindIdle(ContractContext context, long createdBefore, string? owner, string? after, int limit, long? now = null)
    {
        var items = new List<IdleItem>();
        long at = now ?? context.TimestampMs;
        string? afterPool = null, afterLot = null;
        if (after is not null)
        {
            int slash = after.IndexOf('/');
            afterPool = slash < 0 ? after : after[..slash];
            afterLot = slash < 0 ? null : after[(slash + 1)..];
        }
        var poolPrefix = owner is null ? "pool/" : CharityKeys.OwnerPoolPrefix(owner);
        var poolStart = afterPool is null ? poolPrefix : poolPrefix + afterPool;
        foreach (var poolEntry in context.GetStateByRange(poolStart, Paging.UpperBound(poolPrefix)))
        {
            var poolId = poolEntry.Key[(poolEntry.Key.LastIndexOf('/') + 1)..];
            var pool = Lineage.RequirePool(context, poolId);
            var fifoPrefix = CharityKeys.FifoPrefix(poolId);
            var bound = fifoPrefix + CharityKeys.Time(createdBefore);
            var start = poolId == afterPool && afterLot is not null ? fifoPrefix + afterLot + "\0" : fifoPrefix;
            foreach (var entry in context.GetStateByRange(start, bound))
            {
                var lotId = entry.Key[(entry.Key.LastIndexOf('/') + 1)..];
                var lot = context.Require<Lot>(CharityKeys.Lot(lotId), $"lot '{lotId}'");
                items.Add(new IdleItem(lot.LotId, lot.PoolId, pool.Owner, lot.DonationId, lot.Remaining, lot.CreatedAt, (at - lot.CreatedAt) / DayMs));
                if (items.Count == limit) return new Page<IdleItem>(items, poolId + "/" + entry.Key[fifoPrefix.Length..]);
            }
        }
        return new Page<IdleItem>(items, null);
    }

    /// <summary>
    /// One payee across charities: the totals per paying organisation cover every payment ever confirmed (kept at
    /// payment time); only the list of payments is paged.
    /// </summary>
    private static byte[]? PayeeAcrossCharities(ContractContext context, RefPagedArgs args)
    {
        var byCharity = context.Objects<PayeeTotal>(CharityKeys.PayeeTotalPrefix(args.Ref))
            .Select(e => new { charityId = e.Value.OrgId, count = e.Value.Count, amount = e.Value.Amount }).ToList();
        var (entries, next) = Paging.Scan(context, CharityKeys.PayeeIndexPrefix(args.Ref), args.After, args.Limit);
        var disbursements = entries.Select(e => RequireDisbursement(context, e.Key[(e.Key.LastIndexOf('/') + 1)..])).ToList();
        return ContractJson.Serialize(new
        {
            payeeRef = args.Ref, charities = byCharity.Count, payments = byCharity.Sum(c => c.count), amount = byCharity.Sum(c => c.amount), byCharity,
            disbursements = disbursements.Select(d => new { d.DisbId, d.Owner, d.CampaignId, d.Amount, d.Category, d.PaidAt }), next,
        });
    }

    /// <summary>
    /// Paid disbursements to a declared related party of the payer (Art 58), judged against the declarations in
    /// force when the bank confirmed the payment: <c>inForce</c> ones broke the rule (the contract refuses them, so
    /// the list stays empty unless a rule is broken); <c>declaredLater</c> ones were paid before the relation was
    /// declared and are worth a review. Paged by declaration.
    /// </summary>
    private static byte[]? RelatedPartyHits(ContractContext context, PagedArgs args)
    {
        var (entries, next) = Paging.Scan(context, CharityKeys.RelatedPartyPrefix, args.After, args.Limit);
        var inForce = new List<object>();
        var declaredLater = new List<object>();
        foreach (var entry in entries)
        {
            var party = ContractJson.Deserialize<RelatedParty>(entry.Value);
            foreach (var paid in context.GetStateByPrefix(CharityKeys.PayeeIndexPrefix(party.Hash)))
            {
                var disb = RequireDisbursement(context, paid.Key[(paid.Key.LastIndexOf('/') + 1)..]);
                if (disb.Owner != party.OrgId || disb.Status != DisbursementStatus.Paid) continue;
                var block = disb.ClosedBlock ?? 0;
                var hit = new { disb.DisbId, charityId = party.OrgId, disb.PayeeRef, disb.Amount, disb.PaidAt, confirmedAt = disb.ClosedAt, confirmedInBlock = block, declaredFrom = party.Periods[0].From };
                if (party.InForceAt(block)) inForce.Add(hit);
                else if (party.DeclaredAfter(block)) declaredLater.Add(hit);
            }
        }
        return ContractJson.Serialize(new { inForce, declaredLater, next });
    }

    /// <summary>An organisation's related-party declarations with the periods each was in force.</summary>
    private static byte[]? ListRelatedParties(ContractContext context, RefPagedArgs args)
    {
        var prefix = CharityKeys.RelatedParty(args.Ref, "");
        var (entries, next) = Paging.Scan(context, prefix, args.After, args.Limit);
        return ContractJson.Serialize(new Page<RelatedParty>(entries.Select(e => ContractJson.Deserialize<RelatedParty>(e.Value)).ToList(), next));
    }

    /// <summary>Disbursements that lack evidence or were approved by their proposer (should always be empty).</summary>
    private static byte[]? UnevidencedOrSelfApproved(ContractContext context, PagedArgs args)
    {
        var (entries, next) = Paging.Scan(context, CharityKeys.DisbursementPrefix, args.After, args.Limit);
        var problems = new List<object>();
        foreach (var entry in entries)
        {
            var disb = ContractJson.Deserialize<Disbursement>(entry.Value);
            var issues = new List<string>();
            if (disb.Evidence.Count == 0) issues.Add("no evidence");
            if (disb.PayeeType == PayeeType.Supplier && !disb.Evidence.Any(e => e.Kind == EvidenceKind.Invoice)) issues.Add("supplier without invoice");
            if (disb.Approvers.Contains(disb.Proposer)) issues.Add("approved by its proposer");
            if (disb.Status is DisbursementStatus.Approved or DisbursementStatus.Paid && disb.Approvers.Distinct().Count() < disb.RequiredApprovals) issues.Add("too few approvers");
            if (issues.Count > 0) problems.Add(new { disb.DisbId, disb.Owner, disb.Status, issues });
        }
        return ContractJson.Serialize(new { items = problems, scanned = entries.Count, next });
    }
}
