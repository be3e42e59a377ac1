using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.DemolitionFund;

public sealed partial class FundContract
{
    public sealed record HoldArgs(string TargetKey, string Reason);
    public sealed record TargetArgs(string TargetKey);
    public sealed record AttestArgs(string ProjectId, string ReportHash);
    public sealed record PlanNoticeArgs(string ProjectId, string EvidenceHash);
    public sealed record ListArgs(string ProjectId, int Round, string ListHash, IReadOnlyList<string> HhIds);
    public sealed record SweepArgs(int Limit);

    private static readonly string[] HoldKinds = ["project", "household", "agreement", "payment"];

    private void RegisterOversight()
    {
        Invoke("PlaceHold", OversightAccess, args => new HoldArgs(ParseTarget(args), args.RequiredString("reason", MaxText)), PlaceHold);
        Invoke("ReleaseHold", OversightAccess, args => new TargetArgs(ParseTarget(args)), ReleaseHold);
        Invoke("Attest", AuditorAccess, args => new AttestArgs(args.RequiredId("projectId"), args.RequiredHash("reportHash")), Attest);
        Invoke("ConfirmPlanNotice", AuditorAccess, args => new PlanNoticeArgs(args.RequiredId("projectId"), args.RequiredHash("evidenceHash")), ConfirmPlanNotice);
        Invoke("PublishHouseholdList", DeptAccess, args => new ListArgs(args.RequiredId("projectId"), (int)args.RequiredLong("round", 1, 999), args.RequiredHash("listHash"),
            args.List("hhIds", (e, n) => { var id = e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString()! : ""; ContractArgs.ValidateId(n, id); return id; }, 5000, required: true)), PublishHouseholdList);
        Invoke("RaiseAlerts", SweepAccess, args => new SweepArgs(args.OptionalInt("limit", Paging.DefaultLimit, 1, 1000)), RaiseAlerts);
    }

    private static string ParseTarget(ContractArgs args) => Holds.ParseTarget(args, HoldKinds);

    private static string TargetStateKey(string target)
    {
        int colon = target.IndexOf(':');
        var id = target[(colon + 1)..];
        return target[..colon] switch
        {
            "project" => FundKeys.Project(id),
            "household" when id.IndexOf('/') is var slash and > 0 => FundKeys.Household(id[..slash], id[(slash + 1)..]),
            "household" => throw new ContractException(ContractErrors.BadArgs, $"a household target is household:<projectId>/<hhId>, got \"{target}\""),
            "agreement" => FundKeys.AgreementHead(id),
            _ => FundKeys.Payment(id),
        };
    }

    private static byte[]? PlaceHold(ContractContext context, HoldArgs args)
    {
        if (!context.Exists(TargetStateKey(args.TargetKey))) throw new ContractException(ContractErrors.NotFound, $"hold target {args.TargetKey} does not exist");
        if (Holds.Place(context, args.TargetKey, args.Reason)) Record(context, "PlaceHold", args.TargetKey);
        return null;
    }

    private static byte[]? ReleaseHold(ContractContext context, TargetArgs args)
    {
        if (Holds.Release(context, args.TargetKey)) Record(context, "ReleaseHold", args.TargetKey);
        return null;
    }

    private static byte[]? Attest(ContractContext context, AttestArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireOutsideAudit(context, project, "an audit attestation");
        var key = FundKeys.Attestation(project.ProjectId, context.Caller.Organization, args.ReportHash);
        if (context.Exists(key)) return null;
        context.PutState(key, System.Text.Encoding.UTF8.GetBytes(Me(context)));
        project.AttestedAt = context.TimestampMs;
        project.AttestedBlock = context.BlockNumber;
        PutProject(context, project);
        Record(context, "Attest", project.ProjectId);
        context.Emit(new Attested(project.ProjectId, args.ReportHash, context.Caller.Organization, project.Balance));
        return null;
    }

    /// <summary>
    /// Audit confirms, from its own evidence (a photo of the notice board, the newspaper), that a plan recorded late was
    /// really published when the department says; only then does the comment period count from that date.
    /// </summary>
    private static byte[]? ConfirmPlanNotice(ContractContext context, PlanNoticeArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireOutsideAudit(context, project, "confirming a plan notice");
        if (project.PlanNoticeConfirmedBy is not null) return null;
        if (project.PlanPublishedAt is not { } published || project.PlanRecordedAt is not { } recorded)
            throw BadState($"project '{project.ProjectId}'", project.Status, "have its plan notice confirmed (no plan is published)");
        if (recorded - published <= DayMs)
            throw new ContractException(ContractErrors.BadState, $"the plan of project '{project.ProjectId}' was recorded when it was published; there is nothing to confirm");
        project.PlanNoticeConfirmedBy = context.Caller.Organization;
        project.PlanNoticeEvidence = args.EvidenceHash;
        PutProject(context, project);
        Record(context, "ConfirmPlanNotice", project.ProjectId);
        context.Emit(new PlanNoticeConfirmed(project.ProjectId, published, context.Caller.Organization, args.EvidenceHash));
        return null;
    }

    /// <summary>Art 29: a round of the per-household compensation list; its hash goes on the ledger and each household can check its line.</summary>
    private static byte[]? PublishHouseholdList(ContractContext context, ListArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "expropriation department", project.DeptOrg);
        var key = FundKeys.List(project.ProjectId, args.Round);
        if (context.Get<PublicList>(key) is { } existing)
        {
            if (existing.ListHash == args.ListHash && existing.HhIds.SequenceEqual(args.HhIds)) return null;
            throw new ContractException(ContractErrors.Conflict, $"round {args.Round} of project '{project.ProjectId}' was already published with another list");
        }
        foreach (var hhId in args.HhIds)
        {
            RequireHousehold(context, project.ProjectId, hhId);
            // The latest round that names the household: settlement checks it came out after the last payment.
            if (context.GetLong(FundKeys.Listed(project.ProjectId, hhId)) < args.Round) context.PutLong(FundKeys.Listed(project.ProjectId, hhId), args.Round);
        }
        context.Put(key, new PublicList(project.ProjectId, args.Round, args.ListHash, args.HhIds.ToList(), context.TimestampMs, context.Caller.Organization, context.BlockNumber));
        Record(context, "PublishHouseholdList", $"{project.ProjectId}/{args.Round}");
        context.Emit(new HouseholdListPublished(project.ProjectId, args.Round, args.ListHash, args.HhIds.Count));
        return null;
    }

    /// <summary>A periodic sweep: Alert events for overdue instalments and idle project accounts.</summary>
    private static byte[]? RaiseAlerts(ContractContext context, SweepArgs args)
    {
        var overdue = FindOverdue(context, context.TimestampMs, args.Limit);
        foreach (var item in overdue) context.Emit(new OverduePaymentAlert(item.ProjectId, item.HhId, item.AgrId, item.Seq, item.Amount, item.DueAt));
        var idle = FindIdle(context, context.TimestampMs, null);
        foreach (var item in idle.Take(args.Limit)) context.Emit(new IdleFundsAlert(item.ProjectId, item.Balance, item.Reason));
        return ContractJson.Serialize(new { overduePayments = overdue.Count, idleProjects = Math.Min(idle.Count, args.Limit) });
    }
}
