using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.DemolitionFund;

public sealed partial class FundContract
{
    public sealed record DraftArgs(string AgrId, int Ver, string ProjectId, string HhId, AgreementMode Mode, IReadOnlyList<Item> Items, long Payable, long Receivable,
        IReadOnlyList<Instalment> Schedule, string? SwapUnitId, long MoveDeadline, string DocHash, string? DeviationReason);
    public sealed record VersionArgs(string AgrId, int Ver);
    public sealed record AuditArgs(string AgrId, int Ver, string NoteHash);
    public sealed record SignArgs(string AgrId, int Ver, string SignatureHash, string? WitnessHash);
    public sealed record DecisionArgs(string AgrId, int Ver, string DecisionNo);

    private void RegisterAgreements()
    {
        Invoke("DraftAgreement", DrafterAccess, args =>
        {
            var parsed = new DraftArgs(args.RequiredId("agrId"), args.OptionalInt("ver", 1, 1, 999), args.RequiredId("projectId"), args.RequiredId("hhId"),
                args.RequiredEnum<AgreementMode>("mode"),
                args.List("items", (e, n) => { var a = ContractArgs.Of(e, n); return new Item(a.RequiredEnum<ItemCode>("code"), a.RequiredAmount("amount", 0)); }, 32, required: true),
                args.RequiredAmount("payable", 0), args.OptionalAmount("receivable") ?? 0,
                args.List("schedule", (e, n) =>
                {
                    var a = ContractArgs.Of(e, n);
                    var condition = a.RequiredEnum<Condition>("condition");
                    return new Instalment((int)a.RequiredLong("seq", 1, 99), a.RequiredAmount("amount"), condition, condition == Condition.Date ? a.RequiredTime("dueAt") : a.OptionalTime("dueAt"));
                }, 12, required: false),
                args.OptionalId("swapUnitId"), args.RequiredTime("moveDeadline"), args.RequiredHash("docHash"), args.OptionalString("deviationReason", MaxText));
            if (parsed.Mode == AgreementMode.Decision) throw new ContractException(ContractErrors.BadArgs, "mode Decision is set by IssueDecision; draft Cash or Swap");
            if (parsed.Items.Count == 0) throw new ContractException(ContractErrors.BadArgs, "'items' must list the compensation items");
            if (parsed.Items.Select(i => i.Code).Distinct().Count() != parsed.Items.Count) throw new ContractException(ContractErrors.BadArgs, "an item code appears twice in 'items'");
            if (parsed.Schedule.Select(i => i.Seq).Distinct().Count() != parsed.Schedule.Count) throw new ContractException(ContractErrors.BadArgs, "an instalment number appears twice in 'schedule'");
            if (parsed.Mode == AgreementMode.Swap && parsed.SwapUnitId is null) throw new ContractException(ContractErrors.BadArgs, "a swap agreement needs 'swapUnitId'");
            if (parsed.Mode != AgreementMode.Swap && parsed.SwapUnitId is not null)
                throw new ContractException(ContractErrors.BadArgs, $"a {parsed.Mode} agreement names no resettlement unit; 'swapUnitId' belongs to Swap agreements");
            return parsed;
        }, DraftAgreement);
        Invoke("ReviewAgreement", ReviewerAccess, args => new VersionArgs(args.RequiredId("agrId"), (int)args.RequiredLong("ver", 1, 999)), ReviewAgreement);
        Invoke("AuditCheck", AuditorAccess, args => new AuditArgs(args.RequiredId("agrId"), (int)args.RequiredLong("ver", 1, 999), args.RequiredHash("noteHash")), AuditCheck);
        Invoke("ApproveAgreement", ApproverAccess, args => new VersionArgs(args.RequiredId("agrId"), (int)args.RequiredLong("ver", 1, 999)), ApproveAgreement);
        Invoke("SignAgreement", HouseholdAccess, args => new SignArgs(args.RequiredId("agrId"), (int)args.RequiredLong("ver", 1, 999), args.RequiredHash("signatureHash"), args.OptionalHash("witnessHash")), SignAgreement);
        Invoke("IssueDecision", GovernmentAccess, args => new DecisionArgs(args.RequiredId("agrId"), (int)args.RequiredLong("ver", 1, 999), args.RequiredId("decisionNo")), IssueDecision);
    }

    private static Agreement RequireAgreement(ContractContext context, string agrId, int ver) =>
        context.Require<Agreement>(FundKeys.Agreement(agrId, ver), $"agreement '{agrId}' v{ver}");

    private static void PutAgreement(ContractContext context, Agreement agreement) => context.Put(FundKeys.Agreement(agreement.AgrId, agreement.Ver), agreement);

    /// <summary>The version a step acts on must be the live one.</summary>
    private static (AgreementHead Head, Agreement Agreement, Project Project) RequireCurrent(ContractContext context, string agrId, int ver)
    {
        var head = context.Require<AgreementHead>(FundKeys.AgreementHead(agrId), $"agreement '{agrId}'");
        var agreement = RequireAgreement(context, agrId, ver);
        if (head.CurrentVer != ver) throw BadState($"agreement '{agrId}' v{ver}", agreement.Status, $"be acted on (v{head.CurrentVer} is the live version)");
        if (agreement.Status == AgreementStatus.Cancelled) throw BadState($"agreement '{agrId}' v{ver}", agreement.Status, "be acted on (its household record was closed)");
        return (head, agreement, RequireProject(context, agreement.ProjectId));
    }

    private static byte[]? DraftAgreement(ContractContext context, DraftArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "DraftAgreement", $"{args.AgrId}.{args.Ver}", args, out var hash)) return null;
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "implementing unit", [.. project.ImplOrgs]);
        if (project.Status is ProjectStatus.Settled) throw BadState($"project '{project.ProjectId}'", project.Status, "take new agreements");
        var household = RequireHousehold(context, args.ProjectId, args.HhId);
        if (household.Status == HouseholdStatus.Closed) throw BadState($"household '{household.HhId}'", household.Status, "get an agreement");
        RequireNotHeld(context, project.ProjectId, household.HhId, args.AgrId);

        // R4: one live agreement per household (and so per property unit); a new version supersedes the live one.
        var head = context.Get<AgreementHead>(FundKeys.AgreementHead(args.AgrId));
        if (household.AgreementId is { } live && live != args.AgrId)
            throw new ContractException(FundErrors.DuplicateUnit, $"household '{household.HhId}' (unit {household.UnitNo}) already has live agreement '{live}'; draft a new version of it instead");
        if (head is null && args.Ver != 1) throw new ContractException(ContractErrors.BadArgs, $"agreement '{args.AgrId}' does not exist yet; its first version is 1");
        if (head is not null)
        {
            if (head.ProjectId != args.ProjectId || head.HhId != args.HhId) throw new ContractException(ContractErrors.BadArgs, $"agreement '{args.AgrId}' belongs to household '{head.HhId}' of project '{head.ProjectId}'");
            if (args.Ver != head.CurrentVer + 1) throw new ContractException(ContractErrors.BadArgs, $"agreement '{args.AgrId}' is at v{head.CurrentVer}; the next version is {head.CurrentVer + 1}");
            if (head.Pending > 0) throw new ContractException(ContractErrors.BadState, $"agreement '{args.AgrId}' has {Money.Format(head.Pending)} of instructed payments; wait for the bank before a new version");
            // A resettlement unit handed to this agreement stays with it: a new version cannot drop or swap it.
            var liveVersion = RequireAgreement(context, head.AgrId, head.CurrentVer);
            if (liveVersion.SwapUnitId is { } assigned && context.Get<ResettlementUnit>(FundKeys.ResettlementUnit(assigned))?.AssignedTo == args.AgrId && args.SwapUnitId != assigned)
                throw new ContractException(ContractErrors.BadState, $"resettlement unit '{assigned}' is assigned to agreement '{args.AgrId}'; a new version keeps it");
        }

        // Amounts: Σ items = total; payable − receivable = total − swap unit price; the schedule pays what is left.
        long total = args.Items.Sum(i => i.Amount);
        long swapPrice = 0;
        if (args.Mode == AgreementMode.Swap)
        {
            var unit = context.Require<ResettlementUnit>(FundKeys.ResettlementUnit(args.SwapUnitId!), $"resettlement unit '{args.SwapUnitId}'");
            if (unit.ProjectId != project.ProjectId) throw new ContractException(ContractErrors.BadArgs, $"resettlement unit '{unit.ResUnitId}' belongs to project '{unit.ProjectId}'");
            if (unit.AssignedTo is not null && unit.AssignedTo != args.AgrId) throw new ContractException(FundErrors.DuplicateUnit, $"resettlement unit '{unit.ResUnitId}' is assigned to agreement '{unit.AssignedTo}'");
            if (context.GetState(FundKeys.SwapClaim(unit.ResUnitId)) is { } claim && System.Text.Encoding.UTF8.GetString(claim) != args.AgrId)
                throw new ContractException(FundErrors.DuplicateUnit, $"resettlement unit '{unit.ResUnitId}' is promised to agreement '{System.Text.Encoding.UTF8.GetString(claim)}'");
            swapPrice = unit.Price;
        }
        if (args.Payable - args.Receivable != total - swapPrice || (args.Payable > 0 && args.Receivable > 0))
            throw new ContractException(ContractErrors.BadArgs, $"payable {Money.Format(args.Payable)} and receivable {Money.Format(args.Receivable)} do not match items {Money.Format(total)}{(swapPrice > 0 ? $" minus the swap unit's {Money.Format(swapPrice)}" : "")}");
        long paidSoFar = head?.Paid ?? 0;
        if (args.Payable < paidSoFar)
            throw new ContractException(FundErrors.Instalment, $"agreement '{args.AgrId}' has paid {Money.Format(paidSoFar)} already; a new version cannot pay less ({Money.Format(args.Payable)})");
        if (args.Schedule.Sum(i => i.Amount) != args.Payable - paidSoFar)
            throw new ContractException(FundErrors.Instalment, $"the schedule adds up to {Money.Format(args.Schedule.Sum(i => i.Amount))}; it must pay {Money.Format(args.Payable - paidSoFar)} (payable {Money.Format(args.Payable)} minus {Money.Format(paidSoFar)} paid)");
        // Compensate first, move later (Art 27): only the on-time-move reward may wait for the handover, and only a small share.
        long onHandover = args.Schedule.Where(i => i.Condition == Condition.OnHandover).Sum(i => i.Amount);
        long reward = args.Items.Where(i => i.Code == ItemCode.Reward).Sum(i => i.Amount);
        long handoverCap = (long)((Int128)args.Payable * project.Parameters.HandoverCapBps / 10_000);
        if (onHandover > Math.Min(reward, handoverCap))
            throw new ContractException(FundErrors.Instalment, $"{Money.Format(onHandover)} is due on handover; only the on-time-move reward ({Money.Format(reward)}) may wait for the handover, and at most {project.Parameters.HandoverCapBps / 100m}% of the payable ({Money.Format(handoverCap)}): compensation comes before the move (Art 27)");

        // R11: the house value follows the appraisal unless a reason is given (audit co-signs every agreement anyway).
        var appraisal = context.Get<Appraisal>(FundKeys.Appraisal(args.ProjectId, args.HhId))
            ?? throw new ContractException(ContractErrors.BadState, $"household '{args.HhId}' has no appraisal yet; the appraiser records it first");
        long houseValue = args.Items.FirstOrDefault(i => i.Code == ItemCode.HouseValue)?.Amount ?? 0;
        long deviationBps = DeviationBps(houseValue, appraisal.ValueAmount);
        if (deviationBps > project.Parameters.AppraisalToleranceBps && args.DeviationReason is null)
            throw new ContractException(FundErrors.AppraisalDeviation, $"house value {Money.Format(houseValue)} differs from the appraisal {Money.Format(appraisal.ValueAmount)} by {deviationBps / 100m}% (tolerance {project.Parameters.AppraisalToleranceBps / 100m}%); give a 'deviationReason'");

        if (head is not null)
        {
            var previous = RequireAgreement(context, head.AgrId, head.CurrentVer);
            // What was paid stays committed; the rest is committed again when the new version is approved.
            if (previous.Status is AgreementStatus.Approved or AgreementStatus.Signed or AgreementStatus.Decided) project.Committed -= previous.Payable - head.Paid;
            if (previous.SwapUnitId is not null && previous.SwapUnitId != args.SwapUnitId) context.DeleteState(FundKeys.SwapClaim(previous.SwapUnitId));
            previous.Status = AgreementStatus.Superseded;
            PutAgreement(context, previous);
            context.Emit(new AgreementSuperseded(previous.AgrId, previous.Ver, args.Ver));
            head.CurrentVer = args.Ver;
            head.PaidSeqs = [];
            head.PendingSeqs = [];
        }
        head ??= new AgreementHead { AgrId = args.AgrId, ProjectId = args.ProjectId, HhId = args.HhId, CurrentVer = args.Ver };
        var agreement = new Agreement
        {
            AgrId = args.AgrId, Ver = args.Ver, ProjectId = args.ProjectId, HhId = args.HhId, Mode = args.Mode, Items = args.Items.ToList(), Total = total,
            Payable = args.Payable, Receivable = args.Receivable, Schedule = args.Schedule.OrderBy(i => i.Seq).ToList(), SwapUnitId = args.SwapUnitId,
            MoveDeadline = args.MoveDeadline, DocHash = args.DocHash, DeviationReason = args.DeviationReason, Drafter = Me(context), Status = AgreementStatus.Draft,
            CreatedAt = context.TimestampMs,
        };
        PutAgreement(context, agreement);
        context.Put(FundKeys.AgreementHead(head.AgrId), head);
        PutProject(context, project);
        if (args.SwapUnitId is not null) context.PutState(FundKeys.SwapClaim(args.SwapUnitId), System.Text.Encoding.UTF8.GetBytes(args.AgrId));
        household.AgreementId = args.AgrId;
        household.Status = HouseholdStatus.SheetDrafted;
        PutHousehold(context, household);
        RequestLog.Record(context, "DraftAgreement", $"{args.AgrId}.{args.Ver}", hash);
        Record(context, "DraftAgreement", $"{args.AgrId}/{args.Ver}");
        context.Emit(new AgreementDrafted(args.AgrId, args.Ver, args.ProjectId, args.HhId, args.Mode, total, args.Payable, args.Receivable));
        if (deviationBps > project.Parameters.AppraisalToleranceBps)
            context.Emit(new AppraisalDeviationAlert(args.AgrId, args.Ver, args.HhId, houseValue, appraisal.ValueAmount, deviationBps, args.DeviationReason));
        return null;
    }

    public static long DeviationBps(long value, long appraised) => appraised <= 0 ? (value == 0 ? 0 : 10_000) : (long)((Int128)Math.Abs(value - appraised) * 10_000 / appraised);

    /// <summary>R5: the reviewer is in the expropriation department and is not the drafter.</summary>
    private static byte[]? ReviewAgreement(ContractContext context, VersionArgs args)
    {
        var (_, agreement, project) = RequireCurrent(context, args.AgrId, args.Ver);
        RequireProjectRole(context, project, "reviewing department", project.DeptOrg);
        if (agreement.Reviewer == Me(context)) return null;
        if (agreement.Drafter == Me(context)) throw new ContractException(FundErrors.SeparationOfDuties, $"{Me(context)} drafted agreement '{agreement.AgrId}' v{agreement.Ver} and cannot review it");
        if (agreement.Status != AgreementStatus.Draft) throw BadState($"agreement '{agreement.AgrId}' v{agreement.Ver}", agreement.Status, "review it (needs Draft)");
        agreement.Reviewer = Me(context);
        agreement.Status = AgreementStatus.Reviewed;
        PutAgreement(context, agreement);
        SetHouseholdStatus(context, agreement, HouseholdStatus.Reviewed);
        Record(context, "ReviewAgreement", $"{agreement.AgrId}/{agreement.Ver}");
        context.Emit(new AgreementReviewed(agreement.AgrId, agreement.Ver, Me(context)));
        return null;
    }

    /// <summary>Synchronous audit: the audit office co-signs every agreement before approval.</summary>
    private static byte[]? AuditCheck(ContractContext context, AuditArgs args)
    {
        var (_, agreement, project) = RequireCurrent(context, args.AgrId, args.Ver);
        RequireOutsideAudit(context, project, "the audit check");
        if (agreement.Auditor == Me(context) && agreement.AuditNoteHash == args.NoteHash) return null;
        if (agreement.Drafter == Me(context) || agreement.Reviewer == Me(context))
            throw new ContractException(FundErrors.SeparationOfDuties, $"{Me(context)} already acted on agreement '{agreement.AgrId}' v{agreement.Ver} and cannot audit it");
        if (agreement.Status != AgreementStatus.Reviewed) throw BadState($"agreement '{agreement.AgrId}' v{agreement.Ver}", agreement.Status, "audit-check it (needs Reviewed)");
        agreement.Auditor = Me(context);
        agreement.AuditNoteHash = args.NoteHash;
        agreement.Status = AgreementStatus.AuditChecked;
        PutAgreement(context, agreement);
        SetHouseholdStatus(context, agreement, HouseholdStatus.AuditChecked);
        Record(context, "AuditCheck", $"{agreement.AgrId}/{agreement.Ver}");
        context.Emit(new AgreementAuditChecked(agreement.AgrId, agreement.Ver, context.Caller.Organization));
        return null;
    }

    /// <summary>R5: the approver is neither drafter nor reviewer; R3: approved payables stay within the budget.</summary>
    private static byte[]? ApproveAgreement(ContractContext context, VersionArgs args)
    {
        var (head, agreement, project) = RequireCurrent(context, args.AgrId, args.Ver);
        RequireProjectRole(context, project, "approving department", project.DeptOrg);
        if (agreement.Approver == Me(context)) return null;
        if (agreement.Drafter == Me(context) || agreement.Reviewer == Me(context) || agreement.Auditor == Me(context))
            throw new ContractException(FundErrors.SeparationOfDuties, $"{Me(context)} already acted on agreement '{agreement.AgrId}' v{agreement.Ver} and cannot approve it");
        if (agreement.Status != AgreementStatus.AuditChecked) throw BadState($"agreement '{agreement.AgrId}' v{agreement.Ver}", agreement.Status, "approve it (needs AuditChecked)");
        RequireNotHeld(context, project.ProjectId, agreement.HhId, agreement.AgrId);
        if (agreement.SwapUnitId is { } swapUnit && SwapClaimant(context, swapUnit) != agreement.AgrId)
            throw new ContractException(FundErrors.DuplicateUnit, $"resettlement unit '{swapUnit}' is no longer promised to agreement '{agreement.AgrId}'");
        // R3: approved payables stay within the budget and within what the account holds for households.
        long added = agreement.Payable - head.Paid; // what earlier versions paid is committed already
        long committed = project.Committed + added;
        long forHouseholds = project.Deposited - project.Returned - project.PendingReturns;
        if (committed > project.Budget)
            throw new ContractException(FundErrors.OverBudget, $"approving {Money.Format(agreement.Payable)} would commit {Money.Format(committed)} of project '{project.ProjectId}', above its budget {Money.Format(project.Budget)}");
        if (committed > forHouseholds)
            throw new ContractException(FundErrors.OverBudget, $"approving {Money.Format(agreement.Payable)} would commit {Money.Format(committed)} of project '{project.ProjectId}', above the {Money.Format(forHouseholds)} deposited for households (deposits minus returns)");
        project.Committed = committed;
        PutProject(context, project);
        agreement.Approver = Me(context);
        agreement.ApprovedAt = context.TimestampMs;
        agreement.Status = AgreementStatus.Approved;
        PutAgreement(context, agreement);
        SetHouseholdStatus(context, agreement, HouseholdStatus.Approved);
        Record(context, "ApproveAgreement", $"{agreement.AgrId}/{agreement.Ver}");
        context.Emit(new AgreementApproved(agreement.AgrId, agreement.Ver, agreement.Payable, project.Committed, project.Budget));
        return null;
    }

    /// <summary>The household signs with its own account, or the drafter records a witnessed paper signature; only inside the signing window.</summary>
    private static byte[]? SignAgreement(ContractContext context, SignArgs args)
    {
        var (_, agreement, project) = RequireCurrent(context, args.AgrId, args.Ver);
        var household = RequireHousehold(context, agreement.ProjectId, agreement.HhId);
        if (agreement.SignatureHash == args.SignatureHash) return null;
        bool ownAccount = household.Account is not null && household.Account == Me(context);
        if (!ownAccount)
        {
            if (!context.Caller.HasRole("drafter") || !project.ImplOrgs.Contains(context.Caller.Organization))
                throw new ContractException(ContractErrors.NotAuthorized, $"agreement '{agreement.AgrId}' is signed by household '{household.HhId}' itself or recorded by its implementing unit; caller is {context.Caller.Organization}");
            if (args.WitnessHash is null) throw new ContractException(ContractErrors.BadArgs, "a signature recorded by the implementing unit needs 'witnessHash'");
        }
        if (agreement.Status != AgreementStatus.Approved) throw BadState($"agreement '{agreement.AgrId}' v{agreement.Ver}", agreement.Status, "be signed (needs Approved)");
        RequireDecided(project, "sign agreements");
        RequireNotHeld(context, project.ProjectId, agreement.HhId, agreement.AgrId);
        if (context.TimestampMs < project.SigningFrom || context.TimestampMs > project.SigningTo)
            throw new ContractException(FundErrors.TimeLock, $"the signing window of project '{project.ProjectId}' is {Iso(project.SigningFrom)} – {Iso(project.SigningTo)}");
        agreement.SignatureHash = args.SignatureHash;
        agreement.SignedBy = Me(context);
        agreement.SignedAt = context.TimestampMs;
        agreement.Status = AgreementStatus.Signed;
        PutAgreement(context, agreement);
        household.Status = StatusAfterPayments(household, agreement, context.Require<AgreementHead>(FundKeys.AgreementHead(agreement.AgrId), $"agreement '{agreement.AgrId}'"), HouseholdStatus.Signed);
        PutHousehold(context, household);
        if (project.Status == ProjectStatus.Decided)
        {
            project.Status = ProjectStatus.Signing;
            PutProject(context, project);
        }
        Record(context, "SignAgreement", $"{agreement.AgrId}/{agreement.Ver}");
        context.Emit(new AgreementSigned(agreement.AgrId, agreement.Ver, agreement.HhId, ownAccount));
        return null;
    }

    /// <summary>Art 26: no agreement within the signing period → the government's compensation decision on the approved terms.</summary>
    private static byte[]? IssueDecision(ContractContext context, DecisionArgs args)
    {
        var (_, agreement, project) = RequireCurrent(context, args.AgrId, args.Ver);
        RequireProjectRole(context, project, "government", project.GovOrg);
        if (agreement.DecisionNo == args.DecisionNo) return null;
        if (agreement.Status != AgreementStatus.Approved) throw BadState($"agreement '{agreement.AgrId}' v{agreement.Ver}", agreement.Status, "become a compensation decision (needs Approved, unsigned)");
        RequireDecided(project, "issue compensation decisions");
        RequireNotHeld(context, project.ProjectId, agreement.HhId, agreement.AgrId);
        if (context.TimestampMs <= project.SigningTo)
            throw new ContractException(FundErrors.TimeLock, $"the signing period of project '{project.ProjectId}' runs until {Iso(project.SigningTo)}; a compensation decision comes after it");
        agreement.DecisionNo = args.DecisionNo;
        agreement.SignedAt = context.TimestampMs;
        agreement.Status = AgreementStatus.Decided;
        PutAgreement(context, agreement);
        var decided = RequireHousehold(context, agreement.ProjectId, agreement.HhId);
        decided.Status = StatusAfterPayments(decided, agreement, context.Require<AgreementHead>(FundKeys.AgreementHead(agreement.AgrId), $"agreement '{agreement.AgrId}'"), HouseholdStatus.Adjudicated);
        PutHousehold(context, decided);
        if (project.Status == ProjectStatus.Decided)
        {
            project.Status = ProjectStatus.Signing;
            PutProject(context, project);
        }
        Record(context, "IssueDecision", $"{agreement.AgrId}/{agreement.Ver}");
        context.Emit(new DecisionIssued(agreement.AgrId, agreement.Ver, agreement.HhId, args.DecisionNo));
        return null;
    }

    /// <summary>R8 (Art 12): nothing is signed, decided or paid before the expropriation decision.</summary>
    private static void RequireDecided(Project project, string attempted)
    {
        if (project.Status is not (ProjectStatus.Decided or ProjectStatus.Signing or ProjectStatus.Executing))
            throw BadState($"project '{project.ProjectId}'", project.Status, $"{attempted} (the expropriation decision comes first)");
    }

    private static void SetHouseholdStatus(ContractContext context, Agreement agreement, HouseholdStatus status)
    {
        var household = RequireHousehold(context, agreement.ProjectId, agreement.HhId);
        household.Status = status;
        PutHousehold(context, household);
    }
}
