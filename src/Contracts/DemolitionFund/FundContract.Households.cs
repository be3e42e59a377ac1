using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.DemolitionFund;

public sealed partial class FundContract
{
    public sealed record RegisterHouseholdArgs(string ProjectId, string HhId, string UnitNo, string RightHolderHash, string? LesseeHash, IReadOnlyList<string> AgentHashes,
        Areas Areas, string Use, string SurveyHash, string? Account, string PayeeAcctHash);
    public sealed record AppraisalArgs(string ProjectId, string HhId, long UnitPrice, long ValueAmount, string ReportHash);
    public sealed record HouseholdArgs(string ProjectId, string HhId);
    public sealed record CloseHouseholdArgs(string ProjectId, string HhId, string Reason);
    public sealed record ResUnitArgs(string ResUnitId, string ProjectId, long Area, long Price);
    public sealed record AssignArgs(string ResUnitId, string AgrId);
    public sealed record PayeeAccountArgs(string ProjectId, string HhId, string PayeeAcctHash, string Reason);

    private void RegisterHouseholds()
    {
        Invoke("RegisterHousehold", DrafterAccess, args =>
        {
            var areas = ContractArgs.Of(args.Root.TryGetProperty("areas", out var a) ? a : default, "areas");
            return new RegisterHouseholdArgs(args.RequiredId("projectId"), args.RequiredId("hhId"), args.RequiredId("unitNo"), args.RequiredHash("rightHolderHash"), args.OptionalHash("lesseeHash"),
                args.List("agentHashes", (e, n) => { var h = e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString()! : ""; ContractArgs.ValidateHash(n, h); return h; }, 8, required: false),
                new Areas(areas.RequiredLong("certified", 0, 100_000_000), areas.OptionalLong("unregisteredLegal", 0, 100_000_000) ?? 0, areas.OptionalLong("legacy", 0, 100_000_000) ?? 0),
                args.RequiredId("use"), args.RequiredHash("surveyHash"), args.OptionalString("account", 42), args.RequiredHash("payeeAcctHash"));
        }, RegisterHousehold);
        Invoke("ProposePayeeAccount", DrafterAccess, args => new PayeeAccountArgs(args.RequiredId("projectId"), args.RequiredId("hhId"), args.RequiredHash("payeeAcctHash"),
            args.RequiredString("reason", MaxText)), ProposePayeeAccount);
        Invoke("ApprovePayeeAccount", DeptAccess, args => new PayeeAccountArgs(args.RequiredId("projectId"), args.RequiredId("hhId"), args.RequiredHash("payeeAcctHash"), ""), ApprovePayeeAccount);
        Invoke("RecordAppraisal", AppraiserAccess, args => new AppraisalArgs(args.RequiredId("projectId"), args.RequiredId("hhId"), args.RequiredAmount("unitPrice"),
            args.RequiredAmount("valueAmount"), args.RequiredHash("reportHash")), RecordAppraisal);
        Invoke("ConfirmHandover", DrafterAccess, args => new HouseholdArgs(args.RequiredId("projectId"), args.RequiredId("hhId")), ConfirmHandover);
        Invoke("CloseHousehold", DeptAccess, args => new CloseHouseholdArgs(args.RequiredId("projectId"), args.RequiredId("hhId"), args.RequiredString("reason", MaxText)), CloseHousehold);
        Invoke("RegisterResettlementUnit", DeptAccess, args => new ResUnitArgs(args.RequiredId("resUnitId"), args.RequiredId("projectId"), args.RequiredLong("area", 1, 100_000_000), args.RequiredAmount("price")), RegisterResettlementUnit);
        Invoke("AssignResettlementUnit", DeptAccess, args => new AssignArgs(args.RequiredId("resUnitId"), args.RequiredId("agrId")), AssignResettlementUnit);
    }

    private static byte[]? RegisterHousehold(ContractContext context, RegisterHouseholdArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "RegisterHousehold", $"{args.ProjectId}.{args.HhId}", args, out var hash)) return null;
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "implementing unit", [.. project.ImplOrgs]);
        if (project.Status == ProjectStatus.Settled) throw BadState($"project '{project.ProjectId}'", project.Status, "register households");
        if (project.SurveyClosedAt is not null)
            throw new ContractException(ContractErrors.BadState, $"the survey of project '{project.ProjectId}' was closed on {Iso(project.SurveyClosedAt.Value)}; no more households are registered");
        if (context.Exists(FundKeys.Household(args.ProjectId, args.HhId))) throw new ContractException(ContractErrors.Conflict, $"household '{args.HhId}' of project '{args.ProjectId}' already exists");
        // R4: one live household record per property unit, across projects.
        if (context.Get<UnitClaim>(FundKeys.Unit(args.UnitNo)) is { } claim)
            throw new ContractException(FundErrors.DuplicateUnit, $"property unit '{args.UnitNo}' is already registered as household '{claim.HhId}' of project '{claim.ProjectId}'");
        var household = new Household
        {
            ProjectId = args.ProjectId, HhId = args.HhId, UnitNo = args.UnitNo, RightHolderHash = args.RightHolderHash, LesseeHash = args.LesseeHash, AgentHashes = args.AgentHashes.ToList(),
            Areas = args.Areas, Use = args.Use, SurveyHash = args.SurveyHash, Account = args.Account?.ToLowerInvariant(), Status = HouseholdStatus.Surveyed,
            ProposedPayeeAccount = new PayeeAccountChange(args.PayeeAcctHash, "survey", Me(context), context.TimestampMs),
            RegisteredBy = Me(context), RegisteredAt = context.TimestampMs,
        };
        PutHousehold(context, household);
        context.Put(FundKeys.Unit(args.UnitNo), new UnitClaim(args.ProjectId, args.HhId));
        RequestLog.Record(context, "RegisterHousehold", $"{args.ProjectId}.{args.HhId}", hash);
        Record(context, "RegisterHousehold", $"{args.ProjectId}/{args.HhId}");
        context.Emit(new HouseholdRegistered(args.ProjectId, args.HhId, args.UnitNo, args.Areas.Total, args.Use));
        return null;
    }

    /// <summary>The appraiser of record (R5: not from an organisation that expropriates or pays).</summary>
    private static byte[]? RecordAppraisal(ContractContext context, AppraisalArgs args)
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
        context.Emit(new AppraisalRecorded(args.ProjectId, args.HhId, args.UnitPrice, args.ValueAmount, org));
        return null;
    }

    /// <summary>R7 (Art 27, compensate first): handover only after every instalment not tied to handover is paid.</summary>
    private static byte[]? ConfirmHandover(ContractContext context, HouseholdArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "implementing unit", [.. project.ImplOrgs]);
        var household = RequireHousehold(context, args.ProjectId, args.HhId);
        if (household.HandedOverAt is not null) return null;
        if (household.AgreementId is null) throw BadState($"household '{household.HhId}'", household.Status, "hand over without an agreement");
        RequireNotHeld(context, project.ProjectId, household.HhId, household.AgreementId);
        var head = context.Require<AgreementHead>(FundKeys.AgreementHead(household.AgreementId), $"agreement '{household.AgreementId}'");
        var agreement = context.Require<Agreement>(FundKeys.Agreement(head.AgrId, head.CurrentVer), $"agreement '{head.AgrId}'");
        if (agreement.Status is not (AgreementStatus.Signed or AgreementStatus.Decided))
            throw BadState($"agreement '{agreement.AgrId}' v{agreement.Ver}", agreement.Status, "hand over the house (needs Signed or Decided)");
        var unpaid = agreement.Schedule.Where(i => i.Condition != Condition.OnHandover && !IsPaid(context, head, i.Seq)).ToList();
        if (unpaid.Count > 0)
            throw new ContractException(FundErrors.TimeLock, $"household '{household.HhId}' has unpaid instalments {string.Join(", ", unpaid.Select(i => $"#{i.Seq} ({Money.Format(i.Amount)})"))}; compensation comes before handover (Art 27)");
        household.HandedOverAt = context.TimestampMs;
        household.Status = StatusAfterPayments(household, agreement, head, household.Status);
        PutHousehold(context, household);
        Record(context, "ConfirmHandover", $"{args.ProjectId}/{args.HhId}");
        context.Emit(new HandoverConfirmed(args.ProjectId, args.HhId, household.UnitNo));
        return null;
    }

    private static byte[]? CloseHousehold(ContractContext context, CloseHouseholdArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "expropriation department", project.DeptOrg);
        var household = RequireHousehold(context, args.ProjectId, args.HhId);
        if (household.Status == HouseholdStatus.Closed) return null;
        RequireNotHeld(context, project.ProjectId, household.HhId, household.AgreementId);
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
        context.Emit(new HouseholdClosed(args.ProjectId, args.HhId, args.Reason));
        return null;
    }

    private static byte[]? RegisterResettlementUnit(ContractContext context, ResUnitArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "RegisterResettlementUnit", args.ResUnitId, args, out var hash)) return null;
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "expropriation department", project.DeptOrg);
        if (context.Exists(FundKeys.ResettlementUnit(args.ResUnitId))) throw new ContractException(ContractErrors.Conflict, $"resettlement unit '{args.ResUnitId}' already exists");
        context.Put(FundKeys.ResettlementUnit(args.ResUnitId), new ResettlementUnit { ResUnitId = args.ResUnitId, ProjectId = args.ProjectId, Area = args.Area, Price = args.Price });
        RequestLog.Record(context, "RegisterResettlementUnit", args.ResUnitId, hash);
        context.Emit(new ResettlementUnitRegistered(args.ResUnitId, args.ProjectId, args.Area, args.Price));
        return null;
    }

    /// <summary>A resettlement unit goes to one household, the one whose signed swap agreement names it.</summary>
    private static byte[]? AssignResettlementUnit(ContractContext context, AssignArgs args)
    {
        var unit = context.Require<ResettlementUnit>(FundKeys.ResettlementUnit(args.ResUnitId), $"resettlement unit '{args.ResUnitId}'");
        var project = RequireProject(context, unit.ProjectId);
        RequireProjectRole(context, project, "expropriation department", project.DeptOrg);
        if (unit.AssignedTo == args.AgrId) return null;
        if (unit.AssignedTo is not null) throw new ContractException(FundErrors.DuplicateUnit, $"resettlement unit '{unit.ResUnitId}' is already assigned to agreement '{unit.AssignedTo}'");
        var head = context.Require<AgreementHead>(FundKeys.AgreementHead(args.AgrId), $"agreement '{args.AgrId}'");
        var agreement = context.Require<Agreement>(FundKeys.Agreement(head.AgrId, head.CurrentVer), $"agreement '{args.AgrId}'");
        if (agreement.ProjectId != unit.ProjectId) throw new ContractException(ContractErrors.BadArgs, $"agreement '{args.AgrId}' belongs to project '{agreement.ProjectId}', resettlement unit '{unit.ResUnitId}' to '{unit.ProjectId}'");
        if (agreement.Mode != AgreementMode.Swap)
            throw new ContractException(ContractErrors.BadArgs, $"agreement '{args.AgrId}' v{agreement.Ver} is a {agreement.Mode} agreement; resettlement units go to property-swap agreements only");
        if (agreement.SwapUnitId != unit.ResUnitId) throw new ContractException(ContractErrors.BadArgs, $"agreement '{args.AgrId}' v{agreement.Ver} does not name resettlement unit '{unit.ResUnitId}'");
        if (SwapClaimant(context, unit.ResUnitId) is { } claimant && claimant != args.AgrId)
            throw new ContractException(FundErrors.DuplicateUnit, $"resettlement unit '{unit.ResUnitId}' is promised to agreement '{claimant}'");
        RequireNotHeld(context, project.ProjectId, agreement.HhId, agreement.AgrId);
        if (agreement.Status is not (AgreementStatus.Signed or AgreementStatus.Decided)) throw BadState($"agreement '{args.AgrId}' v{agreement.Ver}", agreement.Status, "assign its resettlement unit (needs Signed or Decided)");
        unit.AssignedTo = args.AgrId;
        context.Put(FundKeys.ResettlementUnit(unit.ResUnitId), unit);
        Record(context, "AssignResettlementUnit", unit.ResUnitId);
        context.Emit(new ResettlementAssigned(unit.ResUnitId, args.AgrId, agreement.HhId));
        return null;
    }

    /// <summary>The agreement a resettlement unit is promised to, if any.</summary>
    private static string? SwapClaimant(ContractContext context, string resUnitId) =>
        context.GetState(FundKeys.SwapClaim(resUnitId)) is { } claim ? System.Text.Encoding.UTF8.GetString(claim) : null;

    /// <summary>The implementing unit proposes a new payee account (a keyed hash); it takes effect when the department approves it.</summary>
    private static byte[]? ProposePayeeAccount(ContractContext context, PayeeAccountArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "implementing unit", [.. project.ImplOrgs]);
        var household = RequireHousehold(context, args.ProjectId, args.HhId);
        if (household.ProposedPayeeAccount?.AcctHash == args.PayeeAcctHash || (household.ProposedPayeeAccount is null && household.PayeeAccount == args.PayeeAcctHash)) return null;
        if (household.Status == HouseholdStatus.Closed) throw BadState($"household '{household.HhId}'", household.Status, "change its payee account");
        RequireNotHeld(context, project.ProjectId, household.HhId);
        household.ProposedPayeeAccount = new PayeeAccountChange(args.PayeeAcctHash, args.Reason, Me(context), context.TimestampMs);
        PutHousehold(context, household);
        Record(context, "ProposePayeeAccount", $"{args.ProjectId}/{args.HhId}");
        context.Emit(new PayeeAccountProposed(args.ProjectId, args.HhId, args.Reason));
        return null;
    }

    /// <summary>
    /// R6: the department approves the proposed payee account; the approver is not the proposer. From then on
    /// payments go only to that account. Every approved account stays in the household's history.
    /// </summary>
    private static byte[]? ApprovePayeeAccount(ContractContext context, PayeeAccountArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "expropriation department", project.DeptOrg);
        var household = RequireHousehold(context, args.ProjectId, args.HhId);
        if (household.ProposedPayeeAccount is not { } proposed)
        {
            if (household.PayeeAccount == args.PayeeAcctHash) return null;
            throw new ContractException(ContractErrors.BadState, $"household '{household.HhId}' has no proposed payee account to approve");
        }
        if (proposed.AcctHash != args.PayeeAcctHash)
            throw new ContractException(FundErrors.PayeeMismatch, $"the proposed payee account of household '{household.HhId}' is another one; approve exactly the proposed account");
        if (proposed.ProposedBy == Me(context))
            throw new ContractException(FundErrors.SeparationOfDuties, $"{Me(context)} proposed the payee account of household '{household.HhId}' and cannot approve it");
        RequireNotHeld(context, project.ProjectId, household.HhId);
        var approved = proposed with { ApprovedBy = Me(context), ApprovedAt = context.TimestampMs };
        household.PayeeAccountHistory.Add(approved);
        household.PayeeAccount = approved.AcctHash;
        household.ProposedPayeeAccount = null;
        PutHousehold(context, household);
        Record(context, "ApprovePayeeAccount", $"{args.ProjectId}/{args.HhId}");
        context.Emit(new PayeeAccountApproved(args.ProjectId, args.HhId, household.PayeeAccountHistory.Count, proposed.Reason));
        return null;
    }
}

/// <summary>The live household record of a property unit.</summary>
public sealed record UnitClaim(string ProjectId, string HhId);
