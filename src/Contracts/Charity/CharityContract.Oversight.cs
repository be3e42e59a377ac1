using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

public sealed partial class CharityContract
{
    public sealed record DisclosureArgs(Scope Scope, string Id, DisclosureKind Kind, string Period, string ReportHash);
    public sealed record AnnualArgs(string CharityId, int Year, AnnualFigures Figures, string ReportHash);
    public sealed record HoldArgs(string TargetKey, string Reason);
    public sealed record TargetArgs(string TargetKey);
    public sealed record AttestArgs(Scope Scope, string Id, string ReportHash);
    public sealed record AlertScanArgs(int Limit);

    private static readonly string[] HoldKinds = ["org", "campaign", "pool", "disb", "donation"];

    private void RegisterOversight()
    {
        Invoke("PublishDisclosure", SpenderAccess, args => new DisclosureArgs(args.RequiredEnum<Scope>("scope"), args.RequiredString("id", 140), args.RequiredEnum<DisclosureKind>("kind"),
            args.RequiredId("period"), args.RequiredHash("reportHash")), PublishDisclosure);
        Invoke("PublishAnnual", OfficerAccess, args =>
        {
            var f = ContractArgs.Of(args.Root.TryGetProperty("figures", out var e) ? e : default, "figures");
            return new AnnualArgs(args.RequiredId("charityId"), (int)args.RequiredLong("year", 2000, 2200),
                new AnnualFigures(f.RequiredAmount("income", 0), f.OptionalLong("restrictedTimeAdj", -Money.MaxFen, Money.MaxFen) ?? 0, f.RequiredAmount("charitableSpend", 0), f.RequiredAmount("mgmtSpend", 0),
                    f.RequiredAmount("totalSpend", 0), f.RequiredLong("netAssetsEnd", -Money.MaxFen, Money.MaxFen)), args.RequiredHash("reportHash"));
        }, PublishAnnual);
        Invoke("PlaceHold", OversightAccess, args => new HoldArgs(ParseTarget(args), args.RequiredString("reason", MaxText)), PlaceHold);
        Invoke("ReleaseHold", OversightAccess, args => new TargetArgs(ParseTarget(args)), ReleaseHold);
        Invoke("Attest", AuditorAccess, args => new AttestArgs(args.RequiredEnum<Scope>("scope"), args.RequiredString("id", 140), args.RequiredHash("reportHash")), Attest);
        Invoke("RaiseAlerts", OversightAccess, args => new AlertScanArgs(args.OptionalInt("limit", Paging.DefaultLimit, 1, 1000)), RaiseAlerts);
    }

    private static string ParseTarget(ContractArgs args) => Holds.ParseTarget(args, HoldKinds);

    private static string TargetStateKey(string target)
    {
        int colon = target.IndexOf(':');
        var id = target[(colon + 1)..];
        return target[..colon] switch
        {
            "org" => CharityKeys.Org(id),
            "campaign" => CharityKeys.Campaign(id),
            "pool" => CharityKeys.Pool(id),
            "disb" => CharityKeys.Disbursement(id),
            _ => CharityKeys.Donation(id),
        };
    }

    private static byte[]? PublishDisclosure(ContractContext context, DisclosureArgs args)
    {
        string owner = args.Scope switch
        {
            Scope.Campaign => RequireCampaign(context, args.Id).CharityId,
            Scope.Donation => RequireDonation(context, args.Id).CharityId,
            Scope.Disbursement => RequireDisbursement(context, args.Id).Owner,
            _ => context.Require<Org>(CharityKeys.Org(args.Id), $"organisation '{args.Id}'").OrgId,
        };
        RequireOwner(context, owner, $"{args.Scope} '{args.Id}'");
        CallerOrg(context, OrgType.Charity, OrgType.Executor);
        var prefix = CharityKeys.DisclosurePrefix(args.Scope, args.Id);
        var existing = context.GetStateByPrefix(prefix);
        foreach (var entry in existing)
        {
            var old = ContractJson.Deserialize<Disclosure>(entry.Value);
            if (old.Kind == args.Kind && old.Period == args.Period)
            {
                if (old.ReportHash == args.ReportHash) return null;
                throw new ContractException(ContractErrors.Conflict, $"a {args.Kind} disclosure for period {args.Period} of {args.Scope} '{args.Id}' was already published with another report");
            }
        }
        int seq = existing.Count + 1;
        var disclosure = new Disclosure(args.Scope, args.Id, seq, args.Kind, args.Period, args.ReportHash, context.TimestampMs, context.Caller.Organization);
        context.Put(CharityKeys.Disclosure(args.Scope, args.Id, seq), disclosure);
        if (args.Scope == Scope.Campaign)
        {
            var campaign = RequireCampaign(context, args.Id);
            campaign.LastDisclosureAt = context.TimestampMs;
            if (args.Kind == DisclosureKind.Final) campaign.FinalDisclosed = true;
            PutCampaign(context, campaign);
        }
        context.Emit(new DisclosurePublished(args.Scope, args.Id, seq, args.Kind, args.Period, args.ReportHash));
        return null;
    }

    /// <summary>The annual report; the ledger's own flows are checked against the Charity Law table and breaches raise RatioBreach alerts.</summary>
    private static byte[]? PublishAnnual(ContractContext context, AnnualArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "PublishAnnual", $"{args.CharityId}.{args.Year}", args, out var hash)) return null;
        RequireOwner(context, args.CharityId, $"charity '{args.CharityId}'");
        var org = CallerOrg(context, OrgType.Charity);
        if (context.Exists(CharityKeys.Annual(args.CharityId, args.Year)))
            throw new ContractException(ContractErrors.Conflict, $"the {args.Year} annual report of '{args.CharityId}' was already published");
        context.Put(CharityKeys.Annual(args.CharityId, args.Year), new AnnualReport(args.CharityId, args.Year, args.Figures, args.ReportHash, context.TimestampMs));
        RequestLog.Record(context, "PublishAnnual", $"{args.CharityId}.{args.Year}", hash);
        context.Emit(new DisclosurePublished(Scope.Org, args.CharityId, null, DisclosureKind.Annual, args.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), args.ReportHash));
        var ratios = RatiosFromLedger(context, org, args.Year);
        if (ratios.Breaches.Count > 0)
            context.Emit(new RatioBreachAlert(org.OrgId, args.Year, ratios.SpendBps, ratios.MgmtBps, ratios.Breaches));
        return null;
    }

    private static byte[]? PlaceHold(ContractContext context, HoldArgs args)
    {
        if (!context.Exists(TargetStateKey(args.TargetKey))) throw new ContractException(ContractErrors.NotFound, $"hold target {args.TargetKey} does not exist");
        Holds.Place(context, args.TargetKey, args.Reason);
        return null;
    }

    private static byte[]? ReleaseHold(ContractContext context, TargetArgs args)
    {
        Holds.Release(context, args.TargetKey);
        return null;
    }

    private static byte[]? Attest(ContractContext context, AttestArgs args)
    {
        var key = CharityKeys.Attestation(args.Scope, args.Id, context.Caller.Organization, args.ReportHash);
        if (context.Exists(key)) return null;
        context.Put(key, new Attestation(args.Scope, args.Id, args.ReportHash, context.Caller.Organization, context.TimestampMs));
        context.Emit(new Attested(args.Scope, args.Id, args.ReportHash, context.Caller.Organization));
        return null;
    }

    /// <summary>A periodic sweep (e.g. daily by the regulator): one Alert event per overdue campaign and per idle lot found.</summary>
    private static byte[]? RaiseAlerts(ContractContext context, AlertScanArgs args)
    {
        var overdue = FindOverdue(context, context.TimestampMs, null, args.Limit).Items;
        foreach (var item in overdue) context.Emit(new DisclosureOverdueAlert(item.CampaignId, item.CharityId, item.Reason));
        var idle = FindIdle(context, context.TimestampMs, null, null, args.Limit).Items;
        foreach (var lot in idle) context.Emit(new IdleFundsAlert(lot.LotId, lot.PoolId, lot.Owner, lot.Remaining, lot.AgeDays));
        return ContractJson.Serialize(new { overdue = overdue.Count, idle = idle.Count });
    }

    private static void AlertIfDisclosureOverdue(ContractContext context, Campaign campaign)
    {
        if (OverdueReason(campaign, context.TimestampMs) is { } reason)
            context.Emit(new DisclosureOverdueAlert(campaign.CampaignId, campaign.CharityId, reason));
    }

    private static void AlertIfIdle(ContractContext context, Pool pool)
    {
        var oldest = context.GetStateByPrefix(CharityKeys.FifoPrefix(pool.PoolId), 1);
        if (oldest.Count == 0) return;
        var lotId = oldest[0].Key[(oldest[0].Key.LastIndexOf('/') + 1)..];
        var lot = context.Require<Lot>(CharityKeys.Lot(lotId), $"lot '{lotId}'");
        var idleDays = context.Get<Org>(CharityKeys.Org(pool.Owner))?.IdleDays ?? DefaultIdleDays;
        long age = (context.TimestampMs - lot.CreatedAt) / DayMs;
        if (age > idleDays) context.Emit(new IdleFundsAlert(lot.LotId, pool.PoolId, pool.Owner, lot.Remaining, age));
    }

    /// <summary>
    /// Why a campaign is overdue at <paramref name="now"/>, or null (§1.5): running more than 6 months without a
    /// disclosure in its interval, or closed more than 90 days without a final disclosure or leftover settlement.
    /// </summary>
    public static string? OverdueReason(Campaign campaign, long now)
    {
        const long SixMonths = 183 * DayMs, ThreeMonths = 90 * DayMs;
        if (campaign.Status == CampaignStatus.Open && campaign.OpenedAt is { } opened && now - opened > SixMonths)
        {
            long last = campaign.LastDisclosureAt ?? opened;
            if (now - last > campaign.DisclosureEveryDays * DayMs)
                return $"open since {Iso(opened)}, last disclosure {(campaign.LastDisclosureAt is null ? "never" : Iso(last))}; due every {campaign.DisclosureEveryDays} days";
        }
        if (campaign.Status is CampaignStatus.Closed or CampaignStatus.Settled && campaign.ClosedAt is { } closed && now - closed > ThreeMonths)
        {
            if (!campaign.FinalDisclosed) return $"closed {Iso(closed)} without a final disclosure within 90 days";
            if (campaign.Status == CampaignStatus.Closed) return $"closed {Iso(closed)} and its leftover is not settled within 90 days";
        }
        return null;
    }

    private static CharityRatios.Result RatiosFromLedger(ContractContext context, Org org, int year)
    {
        var current = context.Get<YearFlows>(CharityKeys.Flows(org.OrgId, year)) ?? new YearFlows();
        var prior = context.Get<YearFlows>(CharityKeys.Flows(org.OrgId, year - 1)) ?? new YearFlows();
        long netAssets = 0;
        foreach (var entry in context.GetStateByPrefix(CharityKeys.FlowsPrefix(org.OrgId)))
        {
            if (!int.TryParse(entry.Key[(entry.Key.LastIndexOf('/') + 1)..], out var y) || y >= year) continue;
            var flows = ContractJson.Deserialize<YearFlows>(entry.Value);
            netAssets += flows.Income - flows.Refunds - flows.Spend;
        }
        return CharityRatios.Evaluate(org, year, prior.Income - prior.Refunds, netAssets, current.Charitable, current.Management, current.Spend);
    }
}
