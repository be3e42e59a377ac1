using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Charity;

public sealed partial class CharityContract
{
    public sealed record CreateCampaignArgs(string CampaignId, string CharityId, string Title, string PurposeCode, bool Restricted, bool Public, long Target,
        long StartAt, long EndAt, string PlanHash, int MgmtFeeCapBps, LeftoverRule LeftoverRule, int DisclosureEveryDays);
    public sealed record FilingArgs(string CampaignId, string FilingNo, string? NewPurposeCode);
    public sealed record CampaignIdArgs(string CampaignId);
    public sealed record SettleArgs(string CampaignId, LeftoverRule Rule, string? TargetCampaignId);

    private void RegisterCampaigns()
    {
        Invoke("CreateCampaign", OfficerAccess, args =>
        {
            var parsed = new CreateCampaignArgs(args.RequiredId("campaignId"), args.RequiredId("charityId"), args.RequiredString("title", MaxText),
                args.RequiredId("purposeCode"), args.RequiredBool("restricted"), args.OptionalBool("public", true), args.RequiredLong("target", 1),
                args.RequiredLong("startAt", 0), args.RequiredLong("endAt", 0), args.RequiredHash("planHash"),
                args.OptionalInt("mgmtFeeCapBps", DefaultMgmtFeeCapBps, 0, 10_000), args.OptionalEnum("leftoverRule", LeftoverRule.SimilarProject),
                args.OptionalInt("disclosureEveryDays", DefaultDisclosureEveryDays, 1, 366));
            if (parsed.EndAt <= parsed.StartAt) throw new ContractException(ContractErrors.BadArgs, $"'endAt' ({parsed.EndAt}) must be after 'startAt' ({parsed.StartAt})");
            return parsed;
        }, CreateCampaign);
        Invoke("AcknowledgeFiling", RegulatorAccess, args => new FilingArgs(args.RequiredId("campaignId"), args.RequiredId("filingNo"), args.OptionalId("newPurposeCode")), AcknowledgeFiling);
        Invoke("OpenCampaign", OfficerAccess, args => new CampaignIdArgs(args.RequiredId("campaignId")), OpenCampaign);
        Invoke("CloseCampaign", OfficerAccess, args => new CampaignIdArgs(args.RequiredId("campaignId")), CloseCampaign);
        Invoke("SettleLeftover", OfficerAccess, args => new SettleArgs(args.RequiredId("campaignId"), args.RequiredEnum<LeftoverRule>("rule"), args.OptionalId("targetCampaignId")), SettleLeftover);
    }

    private static Campaign RequireCampaign(IContractContext context, string campaignId) =>
        context.Require<Campaign>(CharityKeys.Campaign(campaignId), $"campaign '{campaignId}'");

    private static void PutCampaign(IContractContext context, Campaign campaign) => context.Put(CharityKeys.Campaign(campaign.CampaignId), campaign);

    private static byte[]? CreateCampaign(IContractContext context, CreateCampaignArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "CreateCampaign", args.CampaignId, args, out var hash)) return null;
        RequireOwner(context, args.CharityId, $"charity '{args.CharityId}'");
        var org = ActiveCallerOrg(context, OrgType.Charity);
        if (args.Public && !org.PublicFundraising)
            throw new ContractException(ContractErrors.NotAuthorized, $"charity '{org.OrgId}' has no public-fundraising status; only non-public (targeted) campaigns are allowed");
        if (context.Exists(CharityKeys.Campaign(args.CampaignId))) throw new ContractException(ContractErrors.Conflict, $"campaign '{args.CampaignId}' already exists");

        var campaign = new Campaign
        {
            CampaignId = args.CampaignId, CharityId = args.CharityId, Title = args.Title, PurposeCode = args.PurposeCode, Restricted = args.Restricted,
            Public = args.Public, Target = args.Target, StartAt = args.StartAt, EndAt = args.EndAt, PlanHash = args.PlanHash,
            MgmtFeeCapBps = args.MgmtFeeCapBps, LeftoverRule = args.LeftoverRule, Status = CampaignStatus.Draft,
            DisclosureEveryDays = args.DisclosureEveryDays, CreatedAt = context.TimestampMs,
        };
        PutCampaign(context, campaign);
        context.PutState(CharityKeys.OwnerCampaign(args.CharityId, args.CampaignId), [1]);
        Lineage.EnsurePool(context, CharityKeys.CampaignPool(args.CampaignId), args.CharityId, PoolKind.Campaign, args.CampaignId);
        RequestLog.Record(context, "CreateCampaign", args.CampaignId, hash);
        context.Emit("CampaignCreated", new { campaign.CampaignId, campaign.CharityId, campaign.Title, campaign.PurposeCode, campaign.Restricted, campaign.Public, campaign.Target, campaign.StartAt, campaign.EndAt });
        return null;
    }

    private static byte[]? AcknowledgeFiling(IContractContext context, FilingArgs args)
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
        context.Emit("FilingAcknowledged", new { args.CampaignId, args.FilingNo, args.NewPurposeCode, by = context.Caller.Organization });
        return null;
    }

    private static byte[]? OpenCampaign(IContractContext context, CampaignIdArgs args)
    {
        var campaign = RequireCampaign(context, args.CampaignId);
        RequireOwner(context, campaign.CharityId, $"campaign '{campaign.CampaignId}'");
        ActiveCallerOrg(context, OrgType.Charity);
        if (campaign.Status == CampaignStatus.Open) return null;
        if (campaign.Status != CampaignStatus.Filed) throw BadState($"campaign '{campaign.CampaignId}'", campaign.Status, "open it (the regulator must acknowledge the plan filing first)");
        campaign.Status = CampaignStatus.Open;
        campaign.OpenedAt = context.TimestampMs;
        PutCampaign(context, campaign);
        context.Emit("CampaignOpened", new { campaign.CampaignId, campaign.CharityId });
        return null;
    }

    private static byte[]? CloseCampaign(IContractContext context, CampaignIdArgs args)
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
        context.Emit("CampaignClosed", new { campaign.CampaignId, campaign.CharityId, leftover = pool.Balance });
        return null;
    }

    /// <summary>
    /// Leftover handling (Art 57): with SimilarProject or Named the remaining money moves to another open
    /// campaign as child lots (edges kept); with Refund it stays until the bank confirms refunds (reason LeftoverReturn).
    /// </summary>
    private static byte[]? SettleLeftover(IContractContext context, SettleArgs args)
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
            throw new ContractException(ContractErrors.BadState, $"campaign '{campaign.CampaignId}' still has {Money.Format(pool.Reserved)} of approved, unpaid disbursements; pay or reject them first");
        RequireNotHeld(context, $"campaign:{campaign.CampaignId}", $"pool:{pool.PoolId}", $"org:{campaign.CharityId}");

        long moved = 0;
        string? target = null;
        if (args.Rule != LeftoverRule.Refund && pool.Balance > 0)
        {
            if (args.TargetCampaignId is null) throw new ContractException(ContractErrors.BadArgs, $"leftover rule {args.Rule} needs 'targetCampaignId'");
            var to = RequireCampaign(context, args.TargetCampaignId);
            if (to.Status != CampaignStatus.Open) throw BadState($"target campaign '{to.CampaignId}'", to.Status, "receive a leftover (needs Open)");
            if (to.CampaignId == campaign.CampaignId) throw new ContractException(ContractErrors.BadArgs, "a campaign cannot receive its own leftover");
            // Money stays with the charity (moving it to another one is a disbursement the bank confirms), and a
            // "similar project" has the same purpose; a Named target is whatever the plan named.
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
            PutCampaign(context, to);
            AddCampaignEntry(context, to.CampaignId, "LeftoverIn", campaign.CampaignId, moved, 0, null);
            AddCampaignEntry(context, campaign.CampaignId, "LeftoverOut", to.CampaignId, 0, moved, null);
            target = to.CampaignId;
        }
        campaign.Status = CampaignStatus.Settled;
        campaign.SettledAt = context.TimestampMs;
        PutCampaign(context, campaign);
        RequestLog.Record(context, "SettleLeftover", args.CampaignId, hash);
        context.Emit("LeftoverSettled", new { campaign.CampaignId, rule = args.Rule, targetCampaignId = target, moved, remaining = pool.Balance });
        return null;
    }
}
