using Chain.Contracts.Abstractions;

namespace Chain.Contracts.DemolitionFund;

public sealed partial class FundContract
{
    public sealed record RegisterHouseholdArgs(string ProjectId, string HhId, string UnitNo, string RightHolderHash, string? LesseeHash, IReadOnlyList<string> AgentHashes,
        Areas Areas, string Use, string SurveyHash, string? Account);
    public sealed record AppraisalArgs(string ProjectId, string HhId, long UnitPrice, long ValueAmount, string ReportHash);
    public sealed record HouseholdArgs(string ProjectId, string HhId);
    public sealed record CloseHouseholdArgs(string ProjectId, string HhId, string Reason);
    public sealed record ResUnitArgs(string ResUnitId, string ProjectId, long Area, long Price);
    public sealed record AssignArgs(string ResUnitId, string AgrId);

    private void RegisterHouseholds()
    {
        Invoke("RegisterHousehold", DrafterAccess, args =>
        {
            var areas = ContractArgs.Of(args.Root.TryGetProperty("areas", out var a) ? a : default, "areas");
            return new RegisterHouseholdArgs(args.RequiredId("projectId"), args.RequiredId("hhId"), args.RequiredId("unitNo"), args.RequiredHash("rightHolderHash"), args.OptionalHash("lesseeHash"),
                args.List("agentHashes", (e, n) => { var h = e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString()! : ""; ContractArgs.ValidateHash(n, h); return h; }, 8, required: false),
                new Areas(areas.RequiredLong("certified", 0, 100_000_000), areas.OptionalLong("unregisteredLegal", 0, 100_000_000) ?? 0, areas.OptionalLong("legacy", 0, 100_000_000) ?? 0),
                args.RequiredId("use"), args.RequiredHash("surveyHash"), args.OptionalString("account", 42));
        }, RegisterHousehold);
        Invoke("RecordAppraisal", AppraiserAccess, args => new AppraisalArgs(args.RequiredId("projectId"), args.RequiredId("hhId"), args.RequiredLong("unitPrice", 1),
            args.RequiredLong("valueAmount", 1), args.RequiredHash("reportHash")), RecordAppraisal);
        Invoke("ConfirmHandover", DrafterAccess, args => new HouseholdArgs(args.RequiredId("projectId"), args.RequiredId("hhId")), ConfirmHandover);
        Invoke("CloseHousehold", DeptAccess, args => new CloseHouseholdArgs(args.RequiredId("projectId"), args.RequiredId("hhId"), args.RequiredString("reason", MaxText)), CloseHousehold);
        Invoke("RegisterResettlementUnit", DeptAccess, args => new ResUnitArgs(args.RequiredId("resUnitId"), args.RequiredId("projectId"), args.RequiredLong("area", 1), args.RequiredLong("price", 1)), RegisterResettlementUnit);
        Invoke("AssignResettlementUnit", DeptAccess, args => new AssignArgs(args.RequiredId("resUnitId"), args.RequiredId("agrId")), AssignResettlementUnit);
    }

    private static byte[]? RegisterHousehold(IContractContext context, RegisterHouseholdArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "RegisterHousehold", $"{args.ProjectId}.{args.HhId}", args, out var hash)) return null;
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "implementing unit", [.. project.ImplOrgs]);
        if (project.Status == ProjectStatus.Settled) throw BadState($"project '{project.ProjectId}'", project.Status, "register households");
        if (context.Exists(FundKeys.Household(args.ProjectId, args.HhId))) throw new ContractException(ContractErrors.Conflict, $"household '{args.HhId}' of project '{args.ProjectId}' already exists");
        // R4: one live household record per property unit, across projects.
        if (context.Get<UnitClaim>(FundKeys.Unit(args.UnitNo)) is { } claim)
            throw new ContractException(FundErrors.DuplicateUnit, $"property unit '{args.UnitNo}' is already registered as household '{claim.HhId}' of project '{claim.ProjectId}'");
        var household = new Household
        {
            ProjectId = args.ProjectId, HhId = args.HhId, UnitNo = args.UnitNo, RightHolderHash = args.RightHolderHash, LesseeHash = args.LesseeHash, AgentHashes = args.AgentHashes.ToList(),
            Areas = args.Areas, Use = args.Use, SurveyHash = args.SurveyHash, Account = args.Account?.ToLowerInvariant(), Status = HouseholdStatus.Surveyed,
            RegisteredBy = Me(context), RegisteredAt = context.TimestampMs,
        };
        PutHousehold(context, household);
        context.Put(FundKeys.Unit(args.UnitNo), new UnitClaim(args.ProjectId, args.HhId));
        RequestLog.Record(context, "RegisterHousehold", $"{args.ProjectId}.{args.HhId}", hash);
        Record(context, "RegisterHousehold", $"{args.ProjectId}/{args.HhId}");
        context.Emit("HouseholdRegistered", new { args.ProjectId, args.HhId, args.UnitNo, area = args.Areas.Total, args.Use });
        return null;
    }

    /// <summary>The appraiser of record (R5: not from an organisation that expropriates or pays).</summary>
    private static byte[]? RecordAppraisal(IContractContext context, AppraisalArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        var household = RequireHousehold(context, args.ProjectId, args.HhId);
        var org = context.Caller.Organization;
        if (org == project.GovOrg || org == project.DeptOrg || org == project.FinanceOrg || project.ImplOrgs.Contains(org))
            throw new ContractException(FundErrors.SeparationOfDuties, $"the appraiser must not come from an organisation that expropriates or pays in project '{project.ProjectId}'; caller is from {org}");
        var existing = context.Get<Appraisal>(FundKeys.Appraisal(args.ProjectId, args.HhId));
        if (existing is not null && existing.UnitPrice == args.UnitPrice && existing.ValueAmount == args.ValueAmount && existing.ReportHash == args.ReportHash) return null;
        if (household.Status is not (HouseholdStatus.Surveyed or HouseholdStatus.Appraised))
            throw BadState($"household '{household.HhId}'", household.Status, "be appraised again after its agreement was drafted");
        context.Put(FundKeys.Appraisal(args.ProjectId, args.HhId), new Appraisal(args.ProjectId, args.HhId, org, Me(context), args.UnitPrice, args.ValueAmount, args.ReportHash, context.TimestampMs));
        household.Status = HouseholdStatus.Appraised;
        PutHousehold(context, household);
        Record(context, "RecordAppraisal", $"{args.ProjectId}/{args.HhId}");
        context.Emit("AppraisalRecorded", new { args.ProjectId, args.HhId, args.UnitPrice, args.ValueAmount, appraiser = org });
        return null;
    }

    /// <summary>R7 (Art 27, compensate first): handover only after every instalment not tied to handover is paid.</summary>
    private static byte[]? ConfirmHandover(IContractContext context, HouseholdArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "implementing unit", [.. project.ImplOrgs]);
        var household = RequireHousehold(context, args.ProjectId, args.HhId);
        if (household.HandedOverAt is not null) return null;
        if (household.AgreementId is null) throw BadState($"household '{household.HhId}'", household.Status, "hand over without an agreement");
        var head = context.Require<AgreementHead>(FundKeys.AgreementHead(household.AgreementId), $"agreement '{household.AgreementId}'");
        var agreement = context.Require<Agreement>(FundKeys.Agreement(head.AgrId, head.CurrentVer), $"agreement '{head.AgrId}'");
        if (agreement.Status is not (AgreementStatus.Signed or AgreementStatus.Decided))
            throw BadState($"agreement '{agreement.AgrId}' v{agreement.Ver}", agreement.Status, "hand over the house (needs Signed or Decided)");
        var unpaid = agreement.Schedule.Where(i => i.Condition != Condition.OnHandover && !IsPaid(context, head, i.Seq)).ToList();
        if (unpaid.Count > 0)
            throw new ContractException(FundErrors.TimeLock, $"household '{household.HhId}' has unpaid instalments {string.Join(", ", unpaid.Select(i => $"#{i.Seq} ({Money.Format(i.Amount)})"))}; compensation comes before handover (Art 27)");
        household.HandedOverAt = context.TimestampMs;
        household.Status = agreement.Schedule.All(i => IsPaid(context, head, i.Seq)) ? HouseholdStatus.PaidInFull : HouseholdStatus.HandedOver;
        PutHousehold(context, household);
        Record(context, "ConfirmHandover", $"{args.ProjectId}/{args.HhId}");
        context.Emit("HandoverConfirmed", new { args.ProjectId, args.HhId, household.UnitNo });
        return null;
    }

    private static byte[]? CloseHousehold(IContractContext context, CloseHouseholdArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "expropriation department", project.DeptOrg);
        var household = RequireHousehold(context, args.ProjectId, args.HhId);
        if (household.Status == HouseholdStatus.Closed) return null;
        if (household.Paid > 0 || household.Status >= HouseholdStatus.Approved)
            throw BadState($"household '{household.HhId}'", household.Status, "be closed (it has an approved agreement or payments)");
        if (household.AgreementId is { } agrId)
        {
            // Its unapproved agreement dies with it, so no later step can revive the record (R4).
            var head = context.Require<AgreementHead>(FundKeys.AgreementHead(agrId), $"agreement '{agrId}'");
            var live = context.Require<Agreement>(FundKeys.Agreement(agrId, head.CurrentVer), $"agreement '{agrId}'");
            live.Status = AgreementStatus.Cancelled;
            context.Put(FundKeys.Agreement(agrId, live.Ver), live);
            if (live.SwapUnitId is not null) context.DeleteState(FundKeys.SwapClaim(live.SwapUnitId));
            household.AgreementId = null;
        }
        household.Status = HouseholdStatus.Closed;
        household.ClosedReason = args.Reason;
        PutHousehold(context, household);
        context.DeleteState(FundKeys.Unit(household.UnitNo));
        Record(context, "CloseHousehold", $"{args.ProjectId}/{args.HhId}");
        context.Emit("HouseholdClosed", new { args.ProjectId, args.HhId, args.Reason });
        return null;
    }

    private static byte[]? RegisterResettlementUnit(IContractContext context, ResUnitArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "RegisterResettlementUnit", args.ResUnitId, args, out var hash)) return null;
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "expropriation department", project.DeptOrg);
        if (context.Exists(FundKeys.ResettlementUnit(args.ResUnitId))) throw new ContractException(ContractErrors.Conflict, $"resettlement unit '{args.ResUnitId}' already exists");
        context.Put(FundKeys.ResettlementUnit(args.ResUnitId), new ResettlementUnit { ResUnitId = args.ResUnitId, ProjectId = args.ProjectId, Area = args.Area, Price = args.Price });
        RequestLog.Record(context, "RegisterResettlementUnit", args.ResUnitId, hash);
        context.Emit("ResettlementUnitRegistered", new { args.ResUnitId, args.ProjectId, args.Area, args.Price });
        return null;
    }

    /// <summary>A resettlement unit goes to one household, the one whose signed swap agreement names it.</summary>
    private static byte[]? AssignResettlementUnit(IContractContext context, AssignArgs args)
    {
        var unit = context.Require<ResettlementUnit>(FundKeys.ResettlementUnit(args.ResUnitId), $"resettlement unit '{args.ResUnitId}'");
        var project = RequireProject(context, unit.ProjectId);
        RequireProjectRole(context, project, "expropriation department", project.DeptOrg);
        if (unit.AssignedTo == args.AgrId) return null;
        if (unit.AssignedTo is not null) throw new ContractException(FundErrors.DuplicateUnit, $"resettlement unit '{unit.ResUnitId}' is already assigned to agreement '{unit.AssignedTo}'");
        var head = context.Require<AgreementHead>(FundKeys.AgreementHead(args.AgrId), $"agreement '{args.AgrId}'");
        var agreement = context.Require<Agreement>(FundKeys.Agreement(head.AgrId, head.CurrentVer), $"agreement '{args.AgrId}'");
        if (agreement.SwapUnitId != unit.ResUnitId) throw new ContractException(ContractErrors.BadArgs, $"agreement '{args.AgrId}' v{agreement.Ver} does not name resettlement unit '{unit.ResUnitId}'");
        if (agreement.Status is not (AgreementStatus.Signed or AgreementStatus.Decided)) throw BadState($"agreement '{args.AgrId}' v{agreement.Ver}", agreement.Status, "assign its resettlement unit (needs Signed or Decided)");
        unit.AssignedTo = args.AgrId;
        context.Put(FundKeys.ResettlementUnit(unit.ResUnitId), unit);
        Record(context, "AssignResettlementUnit", unit.ResUnitId);
        context.Emit("ResettlementAssigned", new { unit.ResUnitId, args.AgrId, agreement.HhId });
        return null;
    }
}

/// <summary>The live household record of a property unit.</summary>
public sealed record UnitClaim(string ProjectId, string HhId);
