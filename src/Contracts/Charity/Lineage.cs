using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

/// <summary>
/// Lots and lineage edges (docs/CHARITY.md, Money: pools, lots and lineage; invariants I1, I11). A lot is money of one donation sitting in one pool;
/// spending takes from lots in (createdAt, lotId) order unless lots are named, and every take writes an
/// edge lot → child with the amount, so remaining = amount − Σ edges out holds for every lot.
/// </summary>
internal static class Lineage
{
    public const string ToLot = "lot";
    public const string ToDisbursement = "disb";
    public const string ToRefund = "refund";

    public static Pool RequirePool(ContractContext context, string poolId) =>
        context.Require<Pool>(CharityKeys.Pool(poolId), $"pool '{poolId}'");

    public static Pool EnsurePool(ContractContext context, string poolId, string owner, PoolKind kind, string? campaignId, bool noInvest)
    {
        if (context.Get<Pool>(CharityKeys.Pool(poolId)) is { } existing) return existing;
        var pool = new Pool { PoolId = poolId, Owner = owner, Kind = kind, CampaignId = campaignId, NoInvest = noInvest };
        context.Put(CharityKeys.Pool(poolId), pool);
        context.PutState(CharityKeys.OwnerPool(owner, poolId), [1]);
        return pool;
    }

    /// <summary>Creates a lot in <paramref name="pool"/> and adds it to the pool's balance (the caller writes the pool).</summary>
    /// <param name="noInvest">The parent's mark (money keeps it wherever it moves); the pool's own mark is added.</param>
    public static Lot CreateLot(ContractContext context, Pool pool, string lotId, LotOrigin origin, string donationId, string? parentLotId, string? viaDisbId, long amount, string? restrictedTo,
        bool noInvest = false)
    {
        if (context.Exists(CharityKeys.Lot(lotId))) throw new ContractException(ContractErrors.Conflict, $"lot '{lotId}' already exists");
        var lot = new Lot
        {
            LotId = lotId, PoolId = pool.PoolId, Origin = origin, DonationId = donationId, ParentLotId = parentLotId, ViaDisbId = viaDisbId,
            Amount = amount, Remaining = amount, RestrictedTo = restrictedTo, NoInvest = noInvest || pool.NoInvest, CreatedAt = context.TimestampMs,
        };
        context.Put(CharityKeys.Lot(lotId), lot);
        context.PutState(CharityKeys.Fifo(pool.PoolId, lot.CreatedAt, lotId), [1]);
        pool.Balance = checked(pool.Balance + amount);
        return lot;
    }

    /// <summary>
    /// Takes <paramref name="amount"/> out of the pool into one child (a disbursement or a refund): from the
    /// named lots (whose amounts were reserved at approval) or, when none are named, from unreserved money in
    /// FIFO order. Writes the edges and the lots; the caller writes the pool.
    /// </summary>
    /// <param name="investment">The child is an investment: only money that may be invested is taken (Art 54).</param>
    public static List<LotAmount> Consume(ContractContext context, Pool pool, long amount, IReadOnlyList<LotAmount> earmarked, string childType, string childId, bool investment = false)
    {
        var takes = Plan(context, pool, amount, earmarked, investment);
        foreach (var (lot, take) in takes) Take(context, lot, take, childType, childId);
        pool.Balance -= amount;
        return takes.Select(t => new LotAmount(t.Lot.LotId, t.Take)).ToList();
    }

    /// <summary>
    /// Moves money from one pool to another: each lot taken (FIFO over unreserved money, or the given lots and amounts)
    /// gets a child lot in <paramref name="target"/> and an edge lot → child lot. Writes lots; the caller writes both pools.
    /// </summary>
    public static List<LotAmount> Transfer(ContractContext context, Pool source, Pool target, long amount, IReadOnlyList<(Lot Lot, long Take)>? fromLots,
        string kindPrefix, string operationId, LotOrigin origin, string? restrictedTo)
    {
        var takes = fromLots?.ToList() ?? Plan(context, source, amount, [], investment: false);
        var children = new List<LotAmount>(takes.Count);
        for (int i = 0; i < takes.Count; i++)
        {
            var (lot, take) = takes[i];
            var childId = CharityKeys.ChildLotId(kindPrefix, operationId, i);
            Take(context, lot, take, ToLot, childId);
            CreateLot(context, target, childId, origin, lot.DonationId, lot.LotId, null, take, restrictedTo, lot.NoInvest);
            children.Add(new LotAmount(childId, take));
        }
        source.Balance -= takes.Sum(t => t.Take);
        return children;
    }

    /// <summary>Sub-grant: the executor's pool gets one lot per lot the disbursement consumed, each pointing back to it.</summary>
    public static void CreateGrantLots(ContractContext context, Pool target, IReadOnlyList<LotAmount> consumed, string disbId, string? restrictedTo)
    {
        for (int i = 0; i < consumed.Count; i++)
        {
            var parent = context.Require<Lot>(CharityKeys.Lot(consumed[i].LotId), $"lot '{consumed[i].LotId}'");
            CreateLot(context, target, CharityKeys.ChildLotId("G", disbId, i), LotOrigin.SubGrant, parent.DonationId, parent.LotId, disbId, consumed[i].Amount, restrictedTo, parent.NoInvest);
        }
    }

    /// <summary>Chooses unearmarked money for <paramref name="amount"/>, oldest lot first (only money that may be invested, for an investment), without taking it.</summary>
    public static List<LotAmount> Choose(ContractContext context, Pool pool, long amount, bool investment) =>
        Plan(context, pool, amount, [], investment).Select(t => new LotAmount(t.Lot.LotId, t.Take)).ToList();

    private static List<(Lot Lot, long Take)> Plan(ContractContext context, Pool pool, long amount, IReadOnlyList<LotAmount> earmarked, bool investment)
    {
        var takes = new List<(Lot, long)>();
        if (earmarked.Count > 0)
        {
            foreach (var (lotId, take) in earmarked)
            {
                var lot = context.Require<Lot>(CharityKeys.Lot(lotId), $"lot '{lotId}'");
                if (investment && lot.NoInvest) throw NotInvestable(lot);
                if (lot.Reserved < take || lot.Remaining < take)
                    throw new ContractException(CharityErrors.Overspend, $"lot '{lotId}' has {Money.Format(lot.Remaining)} remaining and {Money.Format(lot.Reserved)} earmarked; cannot take {Money.Format(take)}");
                lot.Reserved -= take;
                takes.Add((lot, take));
            }
            return takes;
        }
        long left = amount;
        foreach (var entry in context.GetStateByPrefix(CharityKeys.FifoPrefix(pool.PoolId)))
        {
            if (left == 0) break;
            var lotId = entry.Key[(entry.Key.LastIndexOf('/') + 1)..];
            var lot = context.Require<Lot>(CharityKeys.Lot(lotId), $"lot '{lotId}'");
            if (investment && lot.NoInvest) continue;
            long take = Math.Min(left, lot.Remaining - lot.Reserved);
            if (take <= 0) continue;
            takes.Add((lot, take));
            left -= take;
        }
        if (left > 0)
            throw new ContractException(CharityErrors.Overspend, $"pool '{pool.PoolId}' has only {Money.Format(amount - left)} of unearmarked money{(investment ? " that may be invested" : "")}; {Money.Format(amount)} needed");
        return takes;
    }

    public static ContractException NotInvestable(Lot lot) =>
        new(CharityErrors.Restricted, $"lot '{lot.LotId}' holds money that may not be invested (Art 54: its campaign's plan or the donors' agreements forbid it, or it is a sub-grant)");

    /// <summary>Takes unreserved money from one given lot into a child; the caller writes the pool.</summary>
    public static void TakeFromLot(ContractContext context, Pool pool, Lot lot, long take, string childType, string childId)
    {
        if (take > lot.Remaining - lot.Reserved) throw new ContractException(CharityErrors.Overspend, $"lot '{lot.LotId}' has {Money.Format(lot.Remaining - lot.Reserved)} unearmarked; cannot take {Money.Format(take)}");
        Take(context, lot, take, childType, childId);
        pool.Balance -= take;
    }

    private static void Take(ContractContext context, Lot lot, long take, string childType, string childId)
    {
        lot.Remaining -= take;
        var edgeKey = CharityKeys.Edge(lot.LotId, childType, childId);
        var before = context.GetState(edgeKey);
        if (before is null)
        {
            lot.EdgeCount++;
            context.PutState(CharityKeys.EdgeNumber(lot.LotId, lot.EdgeCount), System.Text.Encoding.UTF8.GetBytes($"{childType}/{childId}"));
        }
        context.PutLong(edgeKey, checked(context.GetLong(edgeKey) + take));
        context.Put(CharityKeys.Lot(lot.LotId), lot);
        if (lot.Remaining == 0)
        {
            context.DeleteState(CharityKeys.Fifo(lot.PoolId, lot.CreatedAt, lot.LotId));
        }
    }

    public readonly record struct Edge(string Type, string ChildId, long Amount);

    /// <summary>
    /// Where the lot's money went, edge by edge in the order the edges were made: point reads of the numbered edges
    /// (so an answer built from them can be proven, ADR 0007) and of each edge's amount. A missing number, which only a
    /// tampered store leaves, is skipped here and reported by CheckInvariants (L1).
    /// </summary>
    public static IEnumerable<Edge> EdgesOf(ContractContext context, Lot lot)
    {
        for (long n = 1; n <= lot.EdgeCount; n++)
        {
            if (context.GetState(CharityKeys.EdgeNumber(lot.LotId, n)) is not { } child) continue;
            var parts = System.Text.Encoding.UTF8.GetString(child).Split('/', 2);
            yield return new Edge(parts[0], parts[1], context.GetLong(CharityKeys.Edge(lot.LotId, parts[0], parts[1])));
        }
    }

    /// <summary>
    /// The lots holding a donation's money, found by walking its lineage from the root lot, in (createdAt, lotId)
    /// order. With <paramref name="includeGrants"/>, also the lots of executors that received it as a sub-grant.
    /// Only lots with money left are returned.
    /// </summary>
    public static List<Lot> OpenLotsOfDonation(ContractContext context, Donation donation, bool includeGrants)
    {
        var open = new List<Lot>();
        var pending = new Stack<string>();
        pending.Push(donation.RootLotId);
        while (pending.Count > 0)
        {
            var lot = context.Require<Lot>(CharityKeys.Lot(pending.Pop()), "lot");
            if (lot.Remaining > 0) open.Add(lot);
            foreach (var edge in EdgesOf(context, lot))
            {
                if (edge.Type == ToLot) pending.Push(edge.ChildId);
                else if (edge.Type == ToDisbursement && includeGrants)
                {
                    var disb = context.Require<Disbursement>(CharityKeys.Disbursement(edge.ChildId), $"disbursement '{edge.ChildId}'");
                    if (disb.PayeeType != PayeeType.Executor) continue;
                    for (int i = 0; i < disb.Consumed.Count; i++)
                        if (disb.Consumed[i].LotId == lot.LotId) pending.Push(CharityKeys.ChildLotId("G", disb.DisbId, i));
                }
            }
        }
        open.Sort((a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : string.CompareOrdinal(a.LotId, b.LotId));
        return open;
    }
}
