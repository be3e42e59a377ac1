using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

public sealed partial class CharityContract
{
    /// <summary>One broken conservation law: which law, on what, and the figures that disagree.</summary>
    public sealed record Violation(string Law, string Subject, string Detail);

    /// <summary>
    /// Recomputes the conservation laws (docs/CHARITY.md, "Conservation laws") from state and lists every
    /// violation; an empty list means the ledger is sound. It reads the whole contract state: an audit query.
    /// </summary>
    private static byte[]? CheckInvariants(ContractContext context, PagedArgs _)
    {
        var v = new List<Violation>();
        var lots = context.Objects<Lot>("lot/").Select(e => e.Value).ToList();
        var pools = context.Objects<Pool>("pool/").Select(e => e.Value).ToList();
        var donations = context.Objects<Donation>("donation/").Select(e => e.Value).ToList();
        var disbursements = context.Objects<Disbursement>(CharityKeys.DisbursementPrefix).Select(e => e.Value).ToList();
        var refunds = context.Objects<Refund>("refund/").Select(e => e.Value).ToList();
        var campaigns = context.Objects<Campaign>(CharityKeys.CampaignPrefix).Select(e => e.Value).ToList();
        var lotsById = lots.ToDictionary(l => l.LotId, StringComparer.Ordinal);
        var poolsById = pools.ToDictionary(p => p.PoolId, StringComparer.Ordinal);
        var approved = disbursements.Where(d => d.Status == DisbursementStatus.Approved).ToList();
        var paid = disbursements.Where(d => d.Status == DisbursementStatus.Paid).ToList();

        // L1 lots: remaining = amount − Σ edges out; 0 ≤ reserved ≤ remaining; an open lot is in its pool's FIFO index.
        var earmarked = approved.SelectMany(d => d.Lots).GroupBy(l => l.LotId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(l => l.Amount), StringComparer.Ordinal);
        foreach (var lot in lots)
        {
            var edgeEntries = context.GetStateByPrefix(CharityKeys.EdgePrefix(lot.LotId));
            long edges = edgeEntries.Sum(e => ParseLong(e.Value));
            var numbered = Enumerable.Range(1, lot.EdgeCount).Select(n => context.GetState(CharityKeys.EdgeNumber(lot.LotId, n)) is { } b ? System.Text.Encoding.UTF8.GetString(b) : "").ToList();
            var stored = edgeEntries.Select(e => e.Key[CharityKeys.EdgePrefix(lot.LotId).Length..]).ToList();
            if (!numbered.Order(StringComparer.Ordinal).SequenceEqual(stored.Order(StringComparer.Ordinal), StringComparer.Ordinal)
                || context.GetState(CharityKeys.EdgeNumber(lot.LotId, lot.EdgeCount + 1)) is not null)
                v.Add(new("L1", $"lot {lot.LotId}", $"its {lot.EdgeCount} numbered edges are not its {stored.Count} edges, each once"));
            if (lot.Remaining != lot.Amount - edges) v.Add(new("L1", $"lot {lot.LotId}", $"remaining {Money.Format(lot.Remaining)} ≠ amount {Money.Format(lot.Amount)} − edges out {Money.Format(edges)}"));
            if (lot.Remaining < 0 || lot.Reserved < 0 || lot.Reserved > lot.Remaining) v.Add(new("L1", $"lot {lot.LotId}", $"remaining {Money.Format(lot.Remaining)}, reserved {Money.Format(lot.Reserved)}"));
            if (lot.Reserved != earmarked.GetValueOrDefault(lot.LotId)) v.Add(new("L1", $"lot {lot.LotId}", $"reserved {Money.Format(lot.Reserved)} ≠ {Money.Format(earmarked.GetValueOrDefault(lot.LotId))} earmarked by approved disbursements"));
            bool indexed = context.GetState(CharityKeys.Fifo(lot.PoolId, lot.CreatedAt, lot.LotId)) is not null;
            if (indexed != lot.Remaining > 0) v.Add(new("L1", $"lot {lot.LotId}", indexed ? "empty but still in the FIFO index" : "holds money but is missing from the FIFO index"));
            if (!poolsById.ContainsKey(lot.PoolId)) v.Add(new("L1", $"lot {lot.LotId}", $"its pool {lot.PoolId} does not exist"));
            if (lot.ParentLotId is { } parent && (!lotsById.TryGetValue(parent, out var p) || p.DonationId != lot.DonationId))
                v.Add(new("L1", $"lot {lot.LotId}", $"its parent {parent} is missing or of another donation"));
        }

        // L2 pools: balance = Σ remaining of its lots; reserved = Σ approved, unpaid disbursements from it; reserved ≤ balance.
        var lotsByPool = lots.GroupBy(l => l.PoolId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(l => l.Remaining), StringComparer.Ordinal);
        var reservedByPool = approved.GroupBy(d => d.PoolId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(d => d.Amount), StringComparer.Ordinal);
        foreach (var pool in pools)
        {
            if (pool.Balance != lotsByPool.GetValueOrDefault(pool.PoolId)) v.Add(new("L2", $"pool {pool.PoolId}", $"balance {Money.Format(pool.Balance)} ≠ Σ lots remaining {Money.Format(lotsByPool.GetValueOrDefault(pool.PoolId))}"));
            if (pool.Reserved != reservedByPool.GetValueOrDefault(pool.PoolId)) v.Add(new("L2", $"pool {pool.PoolId}", $"reserved {Money.Format(pool.Reserved)} ≠ approved, unpaid disbursements {Money.Format(reservedByPool.GetValueOrDefault(pool.PoolId))}"));
            if (pool.Reserved > pool.Balance || pool.Reserved < 0) v.Add(new("L2", $"pool {pool.PoolId}", $"reserved {Money.Format(pool.Reserved)} outside 0..balance {Money.Format(pool.Balance)}"));
        }

        // L3 donations: amount = paid out + refunded + still held, along its lineage; refunded = Σ its refunds.
        var refundsByDonation = refunds.GroupBy(r => r.DonationId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(r => r.Amount), StringComparer.Ordinal);
        foreach (var donation in donations)
        {
            var (held, spent, refunded) = Follow(context, donation, lotsById);
            if (donation.Amount != held + spent + refunded)
                v.Add(new("L3", $"donation {donation.DonationId}", $"amount {Money.Format(donation.Amount)} ≠ paid {Money.Format(spent)} + refunded {Money.Format(refunded)} + held {Money.Format(held)}"));
            if (donation.Refunded != refundsByDonation.GetValueOrDefault(donation.DonationId) || donation.Refunded != refunded)
                v.Add(new("L3", $"donation {donation.DonationId}", $"refunded {Money.Format(donation.Refunded)} ≠ its refunds {Money.Format(refundsByDonation.GetValueOrDefault(donation.DonationId))} (lineage {Money.Format(refunded)})"));
        }

        // L4 the whole ledger: Σ donations − Σ refunds − Σ paid to payees outside the ledger = Σ pool balances.
        long donated = donations.Sum(d => d.Amount), refundedAll = refunds.Sum(r => r.Amount);
        long paidOut = paid.Where(d => d.PayeeType != PayeeType.Executor).Sum(d => d.Amount);
        long balances = pools.Sum(p => p.Balance);
        if (donated - refundedAll - paidOut != balances)
            v.Add(new("L4", "ledger", $"donations {Money.Format(donated)} − refunds {Money.Format(refundedAll)} − paid out {Money.Format(paidOut)} ≠ Σ pools {Money.Format(balances)}"));

        // L5 organisations: Σ its pools = its income − refunds − spending (+ sub-grants received, for executors), per its yearly flows.
        foreach (var owner in pools.Select(p => p.Owner).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var flows = context.Objects<YearFlows>(CharityKeys.FlowsPrefix(owner)).Select(e => e.Value).ToList();
            long grants = paid.Where(d => d.PayeeType == PayeeType.Executor && d.PayeeRef == owner).Sum(d => d.Amount);
            long expected = flows.Sum(f => f.Income - f.Refunds - f.Spend) + grants;
            long held = pools.Where(p => p.Owner == owner).Sum(p => p.Balance);
            if (held != expected) v.Add(new("L5", $"organisation {owner}", $"Σ pools {Money.Format(held)} ≠ income − refunds − spending + grants received {Money.Format(expected)}"));
            long income = donations.Where(d => d.CharityId == owner).Sum(d => d.Amount);
            if (flows.Sum(f => f.Income) != income) v.Add(new("L5", $"organisation {owner}", $"yearly income {Money.Format(flows.Sum(f => f.Income))} ≠ its donations {Money.Format(income)}"));
        }

        // L6 campaigns: received + allocated in + moved in = paid + refunded + moved out + its pool's balance; L7 fee cap.
        foreach (var campaign in campaigns)
        {
            var t = campaign.Totals;
            var pool = poolsById.GetValueOrDefault(CharityKeys.CampaignPool(campaign.CampaignId));
            long inflows = t.Received + t.AllocatedIn + t.MovedIn, outflows = t.Paid + t.Refunded + t.MovedOut;
            if (pool is null || inflows != outflows + pool.Balance)
                v.Add(new("L6", $"campaign {campaign.CampaignId}", $"in {Money.Format(inflows)} ≠ out {Money.Format(outflows)} + balance {Money.Format(pool?.Balance ?? 0)}"));
            long management = disbursements.Where(d => d.CampaignId == campaign.CampaignId && d.Category == Category.Management && d.Status is DisbursementStatus.Approved or DisbursementStatus.Paid).Sum(d => d.Amount);
            if (t.ManagementCommitted != management) v.Add(new("L7", $"campaign {campaign.CampaignId}", $"management committed {Money.Format(t.ManagementCommitted)} ≠ approved or paid management disbursements {Money.Format(management)}"));
            long unpaid = approved.Where(d => d.CampaignId == campaign.CampaignId).Sum(d => d.Amount);
            if (t.ApprovedUnpaid != unpaid) v.Add(new("L7", $"campaign {campaign.CampaignId}", $"approved, unpaid {Money.Format(t.ApprovedUnpaid)} ≠ its approved disbursements {Money.Format(unpaid)}"));
            long cap = (long)((Int128)(inflows + t.ReceivedUnrestricted) * campaign.MgmtFeeCapBps / 10_000);
            if (management > cap) v.Add(new("L7", $"campaign {campaign.CampaignId}", $"management {Money.Format(management)} above its cap {Money.Format(cap)}"));
        }

        // L8 restriction and L9 maker-checker on every paid disbursement; L10 no payment to a related party in force.
        foreach (var disb in paid)
        {
            if (disb.Consumed.Sum(c => c.Amount) != disb.Amount) v.Add(new("L8", $"disbursement {disb.DisbId}", $"consumed {Money.Format(disb.Consumed.Sum(c => c.Amount))} ≠ amount {Money.Format(disb.Amount)}"));
            foreach (var (lotId, _) in disb.Consumed)
            {
                if (lotsById.TryGetValue(lotId, out var lot) && lot.RestrictedTo is { } restricted && restricted != disb.CampaignId)
                    v.Add(new("L8", $"disbursement {disb.DisbId}", $"paid for campaign '{disb.CampaignId}' from lot {lotId} restricted to '{restricted}'"));
                if (disb.PayeeType == PayeeType.Investment && lot is { NoInvest: true })
                    v.Add(new("L8", $"disbursement {disb.DisbId}", $"invested money of lot {lotId}, which may not be invested"));
            }
            if (disb.Approvers.Distinct(StringComparer.Ordinal).Count() < disb.RequiredApprovals || disb.Approvers.Contains(disb.Proposer))
                v.Add(new("L9", $"disbursement {disb.DisbId}", $"{disb.Approvers.Count} approvals of {disb.RequiredApprovals} required, proposer among them: {disb.Approvers.Contains(disb.Proposer)}"));
            if (context.Get<RelatedParty>(CharityKeys.RelatedParty(disb.Owner, disb.PayeeRef)) is { } party && party.InForceAt(disb.ClosedBlock ?? 0))
                v.Add(new("L10", $"disbursement {disb.DisbId}", $"paid to a declared related party of '{disb.Owner}'"));
        }
        foreach (var lot in lots)
        {
            if (lot.RestrictedTo is not null && poolsById.GetValueOrDefault(lot.PoolId) is { } pool && pool.CampaignId != lot.RestrictedTo)
                v.Add(new("L8", $"lot {lot.LotId}", $"restricted to '{lot.RestrictedTo}' but held in pool {pool.PoolId}"));
            if (poolsById.GetValueOrDefault(lot.PoolId) is { NoInvest: true } marked && !lot.NoInvest)
                v.Add(new("L8", $"lot {lot.LotId}", $"sits in pool {marked.PoolId}, which may not invest, without the mark"));
            if (lot.ParentLotId is { } parent && lotsById.TryGetValue(parent, out var from) && from.NoInvest && !lot.NoInvest)
                v.Add(new("L8", $"lot {lot.LotId}", $"lost the no-invest mark of its parent {parent}"));
        }

        return ContractJson.Serialize(new
        {
            sound = v.Count == 0, violations = v,
            @checked = new[] { Checked("lots", lots.Count), Checked("pools", pools.Count), Checked("donations", donations.Count), Checked("disbursements", disbursements.Count),
                Checked("refunds", refunds.Count), Checked("campaigns", campaigns.Count) },
            totals = new { donated, refunded = refundedAll, paidOut, held = balances },
        });
    }

    /// <summary>Where a donation's money is: still in lots, paid out of the ledger, refunded (sub-grants followed).</summary>
    private static (long Held, long PaidOut, long Refunded) Follow(ContractContext context, Donation donation, IReadOnlyDictionary<string, Lot> lots)
    {
        long held = 0, paidOut = 0, refunded = 0;
        var pending = new Stack<string>([donation.RootLotId]);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            var lotId = pending.Pop();
            if (!seen.Add(lotId) || !lots.TryGetValue(lotId, out var lot)) continue;
            held += lot.Remaining;
            foreach (var edge in Lineage.EdgesOf(context, lot))
            {
                long amount = edge.Amount;
                switch (edge.Type)
                {
                    case Lineage.ToLot: pending.Push(edge.ChildId); break;
                    case Lineage.ToRefund: refunded += amount; break;
                    default:
                        var disb = RequireDisbursement(context, edge.ChildId);
                        if (disb.PayeeType != PayeeType.Executor) { paidOut += amount; break; }
                        for (int i = 0; i < disb.Consumed.Count; i++)
                            if (disb.Consumed[i].LotId == lot.LotId) pending.Push(CharityKeys.ChildLotId("G", disb.DisbId, i));
                        break;
                }
            }
        }
        return (held, paidOut, refunded);
    }

    /// <summary>How many records of a kind the check read (a list, so record kinds are never mistaken for money fields).</summary>
    public sealed record CheckedCount(string What, int Count);

    private static CheckedCount Checked(string what, int count) => new(what, count);

    private static long ParseLong(byte[] utf8) => long.Parse(System.Text.Encoding.UTF8.GetString(utf8), System.Globalization.CultureInfo.InvariantCulture);
}
