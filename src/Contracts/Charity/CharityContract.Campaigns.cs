using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

public sealed partial class CharityContract
{
    public sealed record CreateCampaignArgs(string CampaignId, string CharityId, string Title, string PurposeCode, bool Restricted, bool Public, long Target,
        long StartAt, long EndAt, string PlanHash, int MgmtFeeCapBps, LeftoverRule LeftoverRule, string? LeftoverTarget, bool NoInvest, int DisclosureEveryDays);
    public sealed record FilingArgs(string CampaignId, string FilingNo, string? NewPurposeCode);
    public sealed record CampaignIdArgs(string CampaignId);
    public sealed record CancelArgs(string CampaignId, string Reason);
    public sealed record SettleArgs(string CampaignId, LeftoverRule Rule, string? TargetCampaignId);

    private void RegisterCampaigns()
    {
        Invoke("CreateCampaign", OfficerAccess, args =>
        {
            var parsed = new CreateCampaignArgs(args.RequiredId("campaignId"), args.RequiredId("charityId"), args.RequiredString("title", MaxText),
                args.RequiredId("purposeCode"), args.RequiredBool("restricted"), args.OptionalBool("public", true), args.RequiredAmount("target"),
                args.RequiredTime("startAt"), args.RequiredTime("endAt"), args.RequiredHash("planHash"),
                args.OptionalInt("mgmtFeeCapBps", DefaultMgmtFeeCapBps, 0, 10_000), args.OptionalEnum("leftoverRule", LeftoverRule.SimilarProject),
                args.OptionalId("leftoverTarget"), args.OptionalBool("noInvest", false), args.OptionalInt("disclosureEveryDays", DefaultDisclosureEveryDays, 1, 366));
            if (parsed.EndAt <= parsed.StartAt) throw new ContractException(ContractErrors.BadArgs, $"'endAt' ({parsed.EndAt}) must be after 'startAt' ({parsed.StartAt})");
            if ((parsed.LeftoverRule == LeftoverRule.Named) != (parsed.LeftoverTarget is not null))
                throw new ContractException(ContractErrors.BadArgs, parsed.LeftoverTarget is null
                    ? "leftover rule Named needs 'leftoverTarget': the campaign the plan names to receive the leftover"
                    : $"'leftoverTarget' goes with leftover rule Named, not {parsed.LeftoverRule}");
            if (parsed.LeftoverTarget == parsed.CampaignId) throw new ContractException(ContractErrors.BadArgs, "a campaign cannot name itself to receive its own leftover");
            return parsed;
        }, CreateCampaign);
        Invoke("AcknowledgeFiling", RegulatorAccess, args => new FilingArgs(args.RequiredId("campaignId"), args.RequiredId("filingNo"), args.OptionalId("newPurposeCode")), AcknowledgeFiling);
        Invoke("OpenCampaign", OfficerAccess, args => new CampaignIdArgs(args.RequiredId("campaignId")), OpenCampaign);
        Invoke("CloseCampaign", OfficerAccess, args => new CampaignIdArgs(args.RequiredId("campaignId")), CloseCampaign);
        Invoke("CancelCampaign", OfficerOrRegulatorAccess, args => new CancelArgs(args.RequiredId("campaignId"), args.RequiredString("reason", MaxText)), CancelCampaign);
        Invoke("SettleLeftover", OfficerAccess, args => new SettleArgs(args.RequiredId("campaignId"), args.RequiredEnum<LeftoverRule>("rule"), args.OptionalId("targetCampaignId")), SettleLeftover);
    }

    private static Campaign RequireCampaign(ContractContext context, string campaignId) =>
        context.Require<Campaign>(CharityKeys.Campaign(campaignId), $"campaign '{campaignId}'");

    private static void PutCampaign(ContractContext context, Campaign campaign) => context.Put(CharityKeys.Campaign(campaign.CampaignId), campaign);

    private static byte[]? CreateCampaign(ContractContext context, CreateCampaignArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "CreateCampaign", args.CampaignId, args, out var hash)) return null;
        RequireOwner(context, args.CharityId, $"charity '{args.CharityId}'");
        var org = ActiveCallerOrg(context, OrgType.Charity);
        if (args.Public && !org.PublicFundraising)
            throw new ContractException(ContractErrors.NotAuthorized, $"charity '{org.OrgId}' has no public-fundraising status; only non-public (targeted) campaigns are allowed");
        if (context.Exists(CharityKeys.Campaign(args.CampaignId))) throw new ContractException(ContractErrors.Conflict, $"campaign '{args.CampaignId}' already exists");
        if (args.LeftoverTarget is { } named && RequireCampaign(context, named).CharityId != args.CharityId)
            throw new ContractException(CharityErrors.Restricted, $"campaign '{named}' belongs to another charity; a leftover moves within '{args.CharityId}' (pay another charity through a disbursement)");

        var campaign = new Campaign
        {
            CampaignId = args.CampaignId, CharityId = args.CharityId, Title = args.Title, PurposeCode = args.PurposeCode, Restricted = args.Restricted,
            Public = args.Public, Target = args.Target, StartAt = args.StartAt, EndAt = args.EndAt, PlanHash = args.PlanHash,
            MgmtFeeCapBps = args.MgmtFeeCapBps, LeftoverRule = args.LeftoverRule, LeftoverTarget = args.LeftoverTarget, NoInvest = args.NoInvest, Status = CampaignStatus.Draft,
            DisclosureEveryDays = args.DisclosureEveryDays, CreatedAt = context.TimestampMs,
        };
        PutCampaign(context, campaign);
        context.PutState(CharityKeys.OwnerCampaign(args.CharityId, args.CampaignId), [1]);
        Lineage.EnsurePool(context, CharityKeys.CampaignPool(args.CampaignId), args.CharityId, PoolKind.Campaign, args.CampaignId, args.NoInvest);
        RequestLog.Record(context, "CreateCampaign", args.CampaignId, hash);
        context.Emit(new CampaignCreated(campaign.CampaignId, campaign.CharityId, campaign.Title, campaign.PurposeCode, campaign.Restricted, campaign.Public, campaign.Target, campaign.StartAt, campaign.EndAt));
        return null;
    }

    private static byte[]? AcknowledgeFiling(ContractContext context, FilingArgs args)
    {
        var campaign = RequireCampaign(context, args.CampaignId);
        var key = CharityKeys.Filing(args.CampaignId, args.FilingNo);
        if (context.Get<Filing>(key) is { } existing)
        {
            if (existing.NewPurposeCode == args.NewPurposeCode) return null;
            throw new ContractException(ContractErrors.Conflict, $"filing '{args.FilingNo}' of campaign '{args.CampaignId}' was already recorded with other content");
        }
        if (args.NewPurposeCode is null)
        {
            // The plan's filing: moves the campaign from Draft to Filed.
            if (campaign.Status != CampaignStatus.Draft) throw BadState($"campaign '{campaign.CampaignId}'", campaign.Status, "acknowledge its plan filing (needs Draft)");
            campaign.Status = CampaignStatus.Filed;
            campaign.FilingNo = args.FilingNo;
            PutCampaign(context, campaign);
        }
        context.Put(key, new Filing(args.CampaignId, args.FilingNo, args.NewPurposeCode, context.Caller.Organization, context.TimestampMs));
        context.Emit(new FilingAcknowledged(args.CampaignId, args.FilingNo, args.NewPurposeCode, context.Caller.Organization));
        return null;
    }

    private static byte[]? OpenCampaign(ContractContext context, CampaignIdArgs args)
    {
        var campaign = RequireCampaign(context, args.CampaignId);
        RequireOwner(context, campaign.CharityId, $"campaign '{campaign.CampaignId}'");
        ActiveCallerOrg(context, OrgType.Charity);
        if (campaign.Status == CampaignStatus.Open) return null;
        if (campaign.Status != CampaignStatus.Filed) throw BadState($"campaign '{campaign.CampaignId}'", campaign.Status, "open it (the regulator must acknowledge the plan filing first)");
        campaign.Status = CampaignStatus.Open;
        campaign.OpenedAt = context.TimestampMs;
        PutCampaign(context, campaign);
        context.Emit(new CampaignOpened(campaign.CampaignId, campaign.CharityId));
        return null;
    }

    private static byte[]? CloseCampaign(ContractContext context, CampaignIdArgs args)
    {
        var campaign = RequireCampaign(context, args.CampaignId);
        RequireOwner(context, campaign.CharityId, $"campaign '{campaign.CampaignId}'");
        CallerOrg(context, OrgType.Charity);
        if (campaign.Status == CampaignStatus.Closed) return null;
        if (campaign.Status != CampaignStatus.Open) throw BadState($"campaign '{campaign.CampaignId}'", campaign.Status, "close it (needs Open)");
        if (context.TimestampMs < campaign.EndAt)
            throw new ContractException(CharityErrors.Window, $"campaign '{campaign.CampaignId}' runs until {Iso(campaign.EndAt)}; it can be closed at or after its end");
        campaign.Status = CampaignStatus.Closed;
        campaign.ClosedAt = context.TimestampMs;
        PutCampaign(context, campaign);
        var pool = Lineage.RequirePool(context, CharityKeys.CampaignPool(campaign.CampaignId));
        context.Emit(new CampaignClosed(campaign.CampaignId, campaign.CharityId, pool.Balance));
        return null;
    }

    /// <summary>
    /// A failed or called-off campaign (by its charity, or by the regulator): no more money in or out except the
    /// bank's refunds to donors with reason CampaignCancelled. Approved payments must be closed by the bank first.
    /// </summary>
    private static byte[]? CancelCampaign(ContractContext context, CancelArgs args)
    {
        var campaign = RequireCampaign(context, args.CampaignId);
        // The regulator's role is enough, as for its other functions; a charity officer cancels only its own campaign.
        if (!context.Caller.HasRole("regulator"))
        {
            RequireOwner(context, campaign.CharityId, $"campaign '{campaign.CampaignId}'");
            CallerOrg(context, OrgType.Charity);
        }
        if (campaign.Status == CampaignStatus.Cancelled) return null;
        if (campaign.Status == CampaignStatus.Settled) throw BadState($"campaign '{campaign.CampaignId}'", campaign.Status, "be cancelled (its leftover is settled)");
        var pool = Lineage.RequirePool(context, CharityKeys.CampaignPool(campaign.CampaignId));
        if (campaign.Totals.ApprovedUnpaid > 0 || pool.Reserved > 0)
            throw new ContractException(ContractErrors.BadState, $"campaign '{campaign.CampaignId}' has {Money.Format(Math.Max(campaign.Totals.ApprovedUnpaid, pool.Reserved))} of approved, unpaid disbursements; the bank pays or fails them first");
        RequireNotHeld(context, $"campaign:{campaign.CampaignId}", $"pool:{pool.PoolId}");
        // The charity's own unrestricted money allocated here goes back to its unrestricted pool; donors' money stays
        // for their CampaignCancelled refunds.
        var allocated = context.GetStateByPrefix(CharityKeys.FifoPrefix(pool.PoolId))
            .Select(e => context.Require<Lot>(CharityKeys.Lot(e.Key[(e.Key.LastIndexOf('/') + 1)..]), "lot"))
            .Where(l => l.Origin == LotOrigin.Allocation && l.Remaining > 0).Select(l => (Lot: l, Take: l.Remaining)).ToList();
        long returned = allocated.Sum(a => a.Take);
        if (returned > 0)
        {
            var unrestricted = Lineage.RequirePool(context, CharityKeys.UnrestrictedPool(campaign.CharityId));
            Lineage.Transfer(context, pool, unrestricted, returned, allocated, "X", campaign.CampaignId, LotOrigin.Transfer, null);
            context.Put(CharityKeys.Pool(pool.PoolId), pool);
            context.Put(CharityKeys.Pool(unrestricted.PoolId), unrestricted);
            campaign.Totals.MovedOut += returned;
            AddCampaignEntry(context, campaign, "AllocationReturned", campaign.CampaignId, 0, returned, unrestricted.PoolId);
        }
        campaign.Status = CampaignStatus.Cancelled;
        campaign.CancelledAt = context.TimestampMs;
        campaign.CancelReason = args.Reason;
        PutCampaign(context, campaign);
        context.Emit(new CampaignCancelled(campaign.CampaignId, campaign.CharityId, args.Reason, context.Caller.Organization, pool.Balance, returned));
        return null;
    }

    /// <summary>
    /// Leftover handling (Art 57): with SimilarProject or Named the remaining money moves to another open
    /// campaign as child lots (edges kept); with Refund it stays until the bank confirms refunds (reason LeftoverReturn).
    /// </summary>
    private static byte[]? SettleLeftover(ContractContext context, SettleArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "SettleLeftover", args.CampaignId, args, out var hash)) return null;
        var campaign = RequireCampaign(context, args.CampaignId);
        RequireOwner(context, campaign.CharityId, $"campaign '{campaign.CampaignId}'");
        ActiveCallerOrg(context, OrgType.Charity);
        if (campaign.Status != CampaignStatus.Closed) throw BadState($"campaign '{campaign.CampaignId}'", campaign.Status, "settle its leftover (needs Closed)");
        if (args.Rule != campaign.LeftoverRule)
            throw new ContractException(CharityErrors.Restricted, $"campaign '{campaign.CampaignId}' plan says leftover rule {campaign.LeftoverRule}, not {args.Rule}");
        var pool = Lineage.RequirePool(context, CharityKeys.CampaignPool(campaign.CampaignId));
        if (pool.Reserved > 0)
            throw new ContractException(ContractErrors.BadState, $"campaign '{campaign.CampaignId}' still has {Money.Format(pool.Reserved)} of approved, unpaid disbursements; the bank pays or fails them first");
        RequireNotHeld(context, $"campaign:{campaign.CampaignId}", $"pool:{pool.PoolId}", $"org:{campaign.CharityId}");

        // A Named target is the one the plan named (checked whatever is left); a similar project is chosen at settlement.
        var targetId = campaign.LeftoverRule == LeftoverRule.Named ? campaign.LeftoverTarget! : args.TargetCampaignId;
        if (campaign.LeftoverRule == LeftoverRule.Named && args.TargetCampaignId is not null && args.TargetCampaignId != targetId)
            throw new ContractException(CharityErrors.Restricted, $"the plan of campaign '{campaign.CampaignId}' names '{targetId}' to receive its leftover, not '{args.TargetCampaignId}'");
        long moved = 0;
        string? target = null;
        if (args.Rule != LeftoverRule.Refund && pool.Balance > 0)
        {
            if (targetId is null) throw new ContractException(ContractErrors.BadArgs, $"leftover rule {args.Rule} needs 'targetCampaignId'");
            var to = RequireCampaign(context, targetId);
            if (to.Status != CampaignStatus.Open) throw BadState($"target campaign '{to.CampaignId}'", to.Status, "receive a leftover (needs Open)");
            if (to.CampaignId == campaign.CampaignId) throw new ContractException(ContractErrors.BadArgs, "a campaign cannot receive its own leftover");
            // Money stays with the charity (moving it to another one is a disbursement the bank confirms), and a
            // "similar project" has the same purpose.
            if (to.CharityId != campaign.CharityId)
                throw new ContractException(CharityErrors.Restricted, $"campaign '{to.CampaignId}' belongs to '{to.CharityId}'; a leftover moves within '{campaign.CharityId}' (pay another charity through a disbursement)");
            if (args.Rule == LeftoverRule.SimilarProject && to.PurposeCode != campaign.PurposeCode)
                throw new ContractException(CharityErrors.Restricted, $"campaign '{to.CampaignId}' has purpose '{to.PurposeCode}', not '{campaign.PurposeCode}'; a similar project has the same purpose");
            RequireNotHeld(context, $"campaign:{to.CampaignId}");
            var toPool = Lineage.RequirePool(context, CharityKeys.CampaignPool(to.CampaignId));
            moved = pool.Balance;
            Lineage.Transfer(context, pool, toPool, moved, null, "L", campaign.CampaignId, LotOrigin.Transfer, to.CampaignId);
            context.Put(CharityKeys.Pool(toPool.PoolId), toPool);
            context.Put(CharityKeys.Pool(pool.PoolId), pool);
            campaign.Totals.MovedOut += moved;
            to.Totals.MovedIn += moved;
            AddCampaignEntry(context, to, "LeftoverIn", campaign.CampaignId, moved, 0, null);
            AddCampaignEntry(context, campaign, "LeftoverOut", to.CampaignId, 0, moved, null);
            target = to.CampaignId;
        }
        campaign.Status = CampaignStatus.Settled;
        campaign.SettledAt = context.TimestampMs;
        PutCampaign(context, campaign);
        RequestLog.Record(context, "SettleLeftover", args.CampaignId, hash);
        context.Emit(new LeftoverSettled(campaign.CampaignId, args.Rule, target, moved, pool.Balance));
        return null;
    }
}
