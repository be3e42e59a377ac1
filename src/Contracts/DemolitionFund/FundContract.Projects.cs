using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.DemolitionFund;

public sealed partial class FundContract
{
    /// <summary>A project; a parameter left null takes its <see cref="FundParameters"/> default.</summary>
    public sealed record CreateProjectArgs(string ProjectId, string Name, long Budget, string StandardsHash, string DeptOrg, IReadOnlyList<string> ImplOrgs,
        string FinanceOrg, string BankId, string AccountHash, long SigningFrom, long SigningTo, int? CommentPeriodDays = null, int? CoolingDays = null,
        int? PaymentDueDays = null, int? IdleDays = null, int? AppraisalToleranceBps = null, int? HandoverCapBps = null)
    {
        public FundParameters Parameters()
        {
            var defaults = new FundParameters();
            return new FundParameters
            {
                CommentPeriodDays = CommentPeriodDays ?? defaults.CommentPeriodDays, CoolingDays = CoolingDays ?? defaults.CoolingDays,
                PaymentDueDays = PaymentDueDays ?? defaults.PaymentDueDays, IdleDays = IdleDays ?? defaults.IdleDays,
                AppraisalToleranceBps = AppraisalToleranceBps ?? defaults.AppraisalToleranceBps, HandoverCapBps = HandoverCapBps ?? defaults.HandoverCapBps,
            };
        }
    }
    public sealed record PlanArgs(string ProjectId, string PlanHash, long? PublishedAt);
    public sealed record DepositArgs(string DepositId, string ProjectId, long Amount, string BankTxRef, string Source);
    public sealed record DecideArgs(string ProjectId, string DecisionNo);
    public sealed record ProjectIdArgs(string ProjectId);
    public sealed record ReturnArgs(string ReturnId, string ProjectId, long Amount);
    public sealed record ConfirmReturnArgs(string ReturnId, string BankTxRef);
    public sealed record CloseSurveyArgs(string ProjectId, int Households, string SurveyListHash);

    public const string DefaultDepositSource = "Finance";

    private void RegisterProjects()
    {
        Invoke("CreateProject", GovernmentAccess, args =>
        {
            var parsed = new CreateProjectArgs(args.RequiredId("projectId"), args.RequiredString("name", MaxText), args.RequiredAmount("budget"), args.RequiredHash("standardsHash"),
                args.RequiredId("deptOrg"), args.List("implOrgs", (e, n) => { var id = e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString()! : ""; ContractArgs.ValidateId(n, id); return id; }, 16, required: true),
                args.RequiredId("financeOrg"), args.RequiredId("bankId"), args.RequiredHash("accountHash"), args.RequiredTime("signingFrom"), args.RequiredTime("signingTo"),
                Range(args, "commentPeriodDays", FundParameters.MinCommentPeriodDays, 365), Range(args, "coolingDays", 0, 90), Range(args, "paymentDueDays", 1, 365),
                Range(args, "idleDays", 1, 3650), Range(args, "appraisalToleranceBps", 0, 10_000), Range(args, "handoverCapBps", 0, 3000));
            if (parsed.SigningTo <= parsed.SigningFrom) throw new ContractException(ContractErrors.BadArgs, "'signingTo' must be after 'signingFrom'");
            if (parsed.ImplOrgs.Count == 0) throw new ContractException(ContractErrors.BadArgs, "'implOrgs' must name at least one implementing unit");
            return parsed;
        }, CreateProject);
        Invoke("PublishPlan", DeptAccess, args => new PlanArgs(args.RequiredId("projectId"), args.RequiredHash("planHash"), args.OptionalTime("publishedAt")), PublishPlan);
        Invoke("ConfirmDeposit", BankAccess, args => new DepositArgs(args.RequiredId("depositId"), args.RequiredId("projectId"), args.RequiredAmount("amount"), args.RequiredId("bankTxRef"),
            args.OptionalId("source") ?? DefaultDepositSource), ConfirmDeposit);
        Invoke("DecideProject", GovernmentAccess, args => new DecideArgs(args.RequiredId("projectId"), args.RequiredId("decisionNo")), DecideProject);
        Invoke("InstructLeftoverReturn", FinanceAccess, args => new ReturnArgs(args.RequiredId("returnId"), args.RequiredId("projectId"), args.RequiredAmount("amount")), InstructLeftoverReturn);
        Invoke("ConfirmLeftoverReturn", BankAccess, args => new ConfirmReturnArgs(args.RequiredId("returnId"), args.RequiredId("bankTxRef")), ConfirmLeftoverReturn);
        Invoke("FailLeftoverReturn", BankAccess, args => new ConfirmReturnArgs(args.RequiredId("returnId"), args.RequiredId("bankTxRef")), FailLeftoverReturn);
        Invoke("SettleProject", GovernmentAccess, args => new ProjectIdArgs(args.RequiredId("projectId")), SettleProject);
        // At least one household: a survey closed on an empty set would make "every household is done" true at once.
        Invoke("CloseSurvey", DeptAccess, args => new CloseSurveyArgs(args.RequiredId("projectId"), (int)args.RequiredLong("households", 1, 100_000), args.RequiredHash("surveyListHash")), CloseSurvey);
    }

    private static int? Range(ContractArgs args, string name, int min, int max) => args.Has(name) ? args.OptionalInt(name, min, min, max) : null;

    private static byte[]? CreateProject(ContractContext context, CreateProjectArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "CreateProject", args.ProjectId, args, out var hash)) return null;
        if (context.Exists(FundKeys.Project(args.ProjectId))) throw new ContractException(ContractErrors.Conflict, $"project '{args.ProjectId}' already exists");
        var gov = context.Caller.Organization;
        // R5: the implementing units draft; the department reviews and approves; finance instructs: never the same organisation.
        if (args.ImplOrgs.Contains(args.DeptOrg) || args.ImplOrgs.Contains(args.FinanceOrg) || args.DeptOrg == args.FinanceOrg)
            throw new ContractException(FundErrors.SeparationOfDuties, "the implementing units, the expropriation department and the finance bureau must be different organisations");
        var project = new Project
        {
            ProjectId = args.ProjectId, Name = args.Name, GovOrg = gov, DeptOrg = args.DeptOrg, ImplOrgs = args.ImplOrgs.ToList(), FinanceOrg = args.FinanceOrg,
            BankId = args.BankId, AccountHash = args.AccountHash, Budget = args.Budget, StandardsHash = args.StandardsHash, SigningFrom = args.SigningFrom,
            SigningTo = args.SigningTo, Status = ProjectStatus.Draft, Parameters = args.Parameters(), CreatedAt = context.TimestampMs,
        };
        PutProject(context, project);
        RequestLog.Record(context, "CreateProject", args.ProjectId, hash);
        Record(context, "CreateProject", project.ProjectId);
        context.Emit(new ProjectCreated(project.ProjectId, project.Name, project.Budget, project.GovOrg, project.DeptOrg, project.ImplOrgs, project.FinanceOrg, project.BankId));
        return null;
    }

    /// <summary>
    /// The department records the compensation plan's publication (Art 10). The public notice itself happens off
    /// the ledger; <c>publishedAt</c> says when (default: now), never in the future. A notice recorded more than a day
    /// after it went up raises an Alert (PlanRecordedLate), and its comment period counts from the record until audit
    /// confirms the notice's date (ConfirmPlanNotice): the department alone cannot shorten the period.
    /// </summary>
    private static byte[]? PublishPlan(ContractContext context, PlanArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "expropriation department", project.DeptOrg);
        if (project.PlanHash == args.PlanHash) return null;
        if (project.Status != ProjectStatus.Draft) throw BadState($"project '{project.ProjectId}'", project.Status, "publish its plan (needs Draft)");
        long publishedAt = args.PublishedAt ?? context.TimestampMs;
        if (publishedAt > context.TimestampMs)
            throw new ContractException(ContractErrors.BadArgs, $"'publishedAt' ({Iso(publishedAt)}) is in the future; record a plan once it is published");
        project.PlanHash = args.PlanHash;
        project.PlanPublishedAt = publishedAt;
        project.PlanRecordedAt = context.TimestampMs;
        project.Status = project.Balance >= project.Budget ? ProjectStatus.Funded : ProjectStatus.PlanPublished;
        PutProject(context, project);
        Record(context, "PublishPlan", project.ProjectId);
        long commentUntil = project.CommentFrom!.Value + project.Parameters.CommentPeriodDays * DayMs;
        context.Emit(new PlanPublished(project.ProjectId, args.PlanHash, publishedAt, commentUntil));
        if (context.TimestampMs - publishedAt > DayMs)
            context.Emit(new PlanRecordedLateAlert(project.ProjectId, publishedAt, context.TimestampMs, commentUntil));
        return null;
    }

    private static byte[]? ConfirmDeposit(ContractContext context, DepositArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "ConfirmDeposit", args.DepositId, args, out var hash)) return null;
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "account bank", project.BankId);
        if (project.Status == ProjectStatus.Settled) throw BadState($"project '{project.ProjectId}'", project.Status, "receive deposits");
        var bankRef = BankReferences.RequireUnused(context, project.BankId, args.BankTxRef);
        if (context.Exists(FundKeys.Deposit(args.DepositId))) throw new ContractException(ContractErrors.Conflict, $"deposit '{args.DepositId}' already exists");
        project.Deposited = checked(project.Deposited + args.Amount);
        if (project.Status == ProjectStatus.PlanPublished && project.Balance >= project.Budget) project.Status = ProjectStatus.Funded;
        PutProject(context, project);
        context.Put(FundKeys.Deposit(args.DepositId), new Deposit(args.DepositId, project.ProjectId, args.Amount, args.BankTxRef, args.Source, context.TimestampMs));
        BankReferences.Record(context, bankRef, "deposit/" + args.DepositId);
        RequestLog.Record(context, "ConfirmDeposit", args.DepositId, hash);
        Record(context, "ConfirmDeposit", args.DepositId);
        context.Emit(new DepositConfirmed(args.DepositId, project.ProjectId, args.Amount, project.Deposited, project.Balance, project.Budget));
        return null;
    }

    /// <summary>R8 (Art 12): the decision only when the dedicated account holds the full budget and the comment period is over.</summary>
    private static byte[]? DecideProject(ContractContext context, DecideArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "government", project.GovOrg);
        if (project.DecisionNo == args.DecisionNo) return null;
        RequireNotHeld(context, project.ProjectId);
        if (project.Status is ProjectStatus.Draft) throw BadState($"project '{project.ProjectId}'", project.Status, "decide it (the compensation plan must be published first)");
        if (project.Status is not (ProjectStatus.PlanPublished or ProjectStatus.Funded)) throw BadState($"project '{project.ProjectId}'", project.Status, "decide it again");
        if (project.Balance < project.Budget)
            throw new ContractException(FundErrors.Underfunded, $"the dedicated account of project '{project.ProjectId}' holds {Money.Format(project.Balance)} of the budget {Money.Format(project.Budget)}; the full budget must be in place before the decision (Art 12)");
        long commentEnds = project.CommentFrom!.Value + project.Parameters.CommentPeriodDays * DayMs;
        if (context.TimestampMs < commentEnds)
            throw new ContractException(FundErrors.TimeLock, $"the plan of project '{project.ProjectId}' is open for comment until {Iso(commentEnds)}"
                + (project.CommentFrom != project.PlanPublishedAt ? $" (its notice of {Iso(project.PlanPublishedAt!.Value)} was recorded late and audit has not confirmed it: ConfirmPlanNotice)" : ""));
        project.Status = ProjectStatus.Decided;
        project.DecisionNo = args.DecisionNo;
        project.DecidedAt = context.TimestampMs;
        PutProject(context, project);
        Record(context, "DecideProject", project.ProjectId);
        context.Emit(new ProjectDecided(project.ProjectId, args.DecisionNo, project.Balance, project.Budget));
        return null;
    }

    /// <summary>
    /// Finance asks the bank to return the leftover. Art 12 keeps the money in the account until close-out, so a
    /// return needs the settlement conditions (<see cref="CloseOutProblem"/>); and what approved agreements still
    /// owe always stays.
    /// </summary>
    private static byte[]? InstructLeftoverReturn(ContractContext context, ReturnArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "InstructLeftoverReturn", args.ReturnId, args, out var hash)) return null;
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "finance bureau", project.FinanceOrg);
        RequireNotHeld(context, project.ProjectId);
        if (CloseOutProblem(context, project) is { } problem)
            throw new ContractException(ContractErrors.BadState, $"the leftover of project '{project.ProjectId}' goes back only at close-out: {problem}");
        // What approved agreements still owe (instructed payments included) and returns already instructed stay.
        long free = project.Balance - project.PendingReturns - Math.Max(0, project.Owed);
        if (args.Amount > free)
            throw new ContractException(FundErrors.Overdraft, $"project '{project.ProjectId}' holds {Money.Format(project.Balance)}, of which {Money.Format(Math.Max(0, project.Owed))} is owed under approved agreements and {Money.Format(project.PendingReturns)} is already instructed to go back; at most {Money.Format(Math.Max(0, free))} can be returned");
        if (context.Exists(FundKeys.Return(args.ReturnId))) throw new ContractException(ContractErrors.Conflict, $"return '{args.ReturnId}' already exists");
        project.PendingReturns += args.Amount;
        PutProject(context, project);
        context.Put(FundKeys.Return(args.ReturnId), new LeftoverReturn { ReturnId = args.ReturnId, ProjectId = project.ProjectId, Amount = args.Amount, InstructedBy = Me(context) });
        RequestLog.Record(context, "InstructLeftoverReturn", args.ReturnId, hash);
        Record(context, "InstructLeftoverReturn", args.ReturnId);
        context.Emit(new LeftoverReturnInstructed(args.ReturnId, project.ProjectId, args.Amount));
        return null;
    }

    private static byte[]? ConfirmLeftoverReturn(ContractContext context, ConfirmReturnArgs args)
    {
        var leftover = context.Require<LeftoverReturn>(FundKeys.Return(args.ReturnId), $"return '{args.ReturnId}'");
        var project = RequireProject(context, leftover.ProjectId);
        RequireProjectRole(context, project, "account bank", project.BankId);
        if (leftover.Confirmed)
        {
            if (leftover.BankTxRef == args.BankTxRef) return null;
            throw new ContractException(ContractErrors.Conflict, $"return '{args.ReturnId}' was already confirmed with bank reference {leftover.BankTxRef}");
        }
        if (leftover.Failed) throw BadState($"return '{args.ReturnId}'", "Failed", "be confirmed");
        RequireNotHeld(context, project.ProjectId);
        var bankRef = BankReferences.RequireUnused(context, project.BankId, args.BankTxRef);
        if (leftover.Amount > project.Balance - Math.Max(0, project.Owed) - (project.PendingReturns - leftover.Amount))
            throw new ContractException(FundErrors.Overdraft, $"the dedicated account of project '{project.ProjectId}' holds {Money.Format(project.Balance)}, {Money.Format(Math.Max(0, project.Owed))} of it owed to households; returning {Money.Format(leftover.Amount)} would touch it");
        project.PendingReturns -= leftover.Amount;
        project.Returned += leftover.Amount;
        project.LastOutflowAt = context.TimestampMs;
        PutProject(context, project);
        leftover.Confirmed = true;
        leftover.BankTxRef = args.BankTxRef;
        context.Put(FundKeys.Return(args.ReturnId), leftover);
        BankReferences.Record(context, bankRef, "return/" + args.ReturnId);
        Record(context, "ConfirmLeftoverReturn", args.ReturnId);
        context.Emit(new LeftoverReturned(args.ReturnId, project.ProjectId, leftover.Amount, project.Balance));
        return null;
    }

    private static byte[]? FailLeftoverReturn(ContractContext context, ConfirmReturnArgs args)
    {
        var leftover = context.Require<LeftoverReturn>(FundKeys.Return(args.ReturnId), $"return '{args.ReturnId}'");
        var project = RequireProject(context, leftover.ProjectId);
        RequireProjectRole(context, project, "account bank", project.BankId);
        if (leftover.Failed && leftover.BankTxRef == args.BankTxRef) return null;
        if (leftover.Confirmed || leftover.Failed) throw BadState($"return '{args.ReturnId}'", leftover.Confirmed ? "Confirmed" : "Failed", "fail");
        var bankRef = BankReferences.RequireUnused(context, project.BankId, args.BankTxRef);
        project.PendingReturns -= leftover.Amount;
        PutProject(context, project);
        leftover.Failed = true;
        leftover.BankTxRef = args.BankTxRef;
        context.Put(FundKeys.Return(args.ReturnId), leftover);
        BankReferences.Record(context, bankRef, "return/" + args.ReturnId);
        Record(context, "FailLeftoverReturn", args.ReturnId);
        context.Emit(new LeftoverReturnFailed(args.ReturnId, project.ProjectId, leftover.Amount));
        return null;
    }

    /// <summary>
    /// Why the project cannot be closed out yet, or null: the survey must be closed (so "every household" is a
    /// known set), every household of it paid in full and handed over or closed, and an audit attestation made
    /// after the last payment to a household.
    /// </summary>
    private static string? CloseOutProblem(ContractContext context, Project project)
    {
        if (project.SurveyClosedAt is null) return "the survey is not closed yet (CloseSurvey), so the set of households is not final";
        foreach (var (_, household) in context.Objects<Household>(FundKeys.HouseholdPrefix(project.ProjectId)))
        {
            if (household.Status == HouseholdStatus.Closed) continue;
            if (household.Status != HouseholdStatus.PaidInFull || household.HandedOverAt is null)
                return $"household '{household.HhId}' is {household.Status}{(household.HandedOverAt is null ? ", not handed over" : "")}; every household must be paid in full and handed over (or closed)";
        }
        if (project.AttestedAt is not { } attested || project.AttestedBlock is not { } attestedBlock) return "the project has no audit attestation";
        // Ledger order decides: the attestation must come in a later block than the last payment and the survey's close.
        if (attestedBlock <= (project.LastPaymentBlock ?? 0) || attestedBlock <= project.SurveyClosedBlock)
            return $"the audit attestation (block {attestedBlock}, {Iso(attested)}) is older than the last payment (block {project.LastPaymentBlock}) or the survey's close (block {project.SurveyClosedBlock}); audit attests again";
        return null;
    }

    /// <summary>R9: a household counts as published when a list that names it came out after its last payment.</summary>
    private static bool PublishedAfterLastPayment(ContractContext context, Household household)
    {
        if (household.Paid == 0) return true;
        if (context.GetState(FundKeys.Listed(household.ProjectId, household.HhId)) is null) return false;
        var list = context.Get<PublicList>(FundKeys.List(household.ProjectId, (int)context.GetLong(FundKeys.Listed(household.ProjectId, household.HhId))));
        // Ledger order decides: the list must come in a later block than the last payment it covers.
        return list is not null && list.PublishedBlock > (household.LastPaidBlock ?? 0);
    }

    /// <summary>Close-out: every household paid and handed over (or closed), every paid one published (R9), audited, nothing left in the account.</summary>
    private static byte[]? SettleProject(ContractContext context, ProjectIdArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "government", project.GovOrg);
        if (project.Status == ProjectStatus.Settled) return null;
        if (project.Status is not (ProjectStatus.Signing or ProjectStatus.Executing)) throw BadState($"project '{project.ProjectId}'", project.Status, "settle it");
        RequireNotHeld(context, project.ProjectId);
        if (CloseOutProblem(context, project) is { } problem)
            throw new ContractException(ContractErrors.BadState, $"project '{project.ProjectId}' cannot be settled: {problem}");
        foreach (var (_, household) in context.Objects<Household>(FundKeys.HouseholdPrefix(project.ProjectId)))
            if (!PublishedAfterLastPayment(context, household))
                throw new ContractException(FundErrors.Unpublished, $"household '{household.HhId}' was paid {Money.Format(household.Paid)} but appears in no household list published after its last payment (Art 29)");
        if (project.Balance != 0 || project.Pending != 0)
            throw new ContractException(ContractErrors.BadState, $"project '{project.ProjectId}' still holds {Money.Format(project.Balance)} ({Money.Format(project.Pending)} instructed); return the leftover to finance first");
        project.Status = ProjectStatus.Settled;
        project.SettledAt = context.TimestampMs;
        PutProject(context, project);
        Record(context, "SettleProject", project.ProjectId);
        context.Emit(new ProjectSettled(project.ProjectId, project.Deposited, project.Paid, project.Returned));
        return null;
    }

    /// <summary>
    /// The department closes the survey (Art 15: its results are published): the households registered are all
    /// there are, so close-out ("every household paid or closed") is judged over a final set.
    /// </summary>
    private static byte[]? CloseSurvey(ContractContext context, CloseSurveyArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "expropriation department", project.DeptOrg);
        if (project.SurveyClosedAt is not null)
        {
            if (project.SurveyListHash == args.SurveyListHash) return null;
            throw new ContractException(ContractErrors.Conflict, $"the survey of project '{project.ProjectId}' was already closed with another list");
        }
        if (project.Status == ProjectStatus.Settled) throw BadState($"project '{project.ProjectId}'", project.Status, "close its survey");
        int registered = context.GetStateByPrefix(FundKeys.HouseholdPrefix(project.ProjectId)).Count;
        if (registered != args.Households)
            throw new ContractException(ContractErrors.BadArgs, $"project '{project.ProjectId}' has {registered} registered households; the survey list names {args.Households}");
        project.SurveyClosedAt = context.TimestampMs;
        project.SurveyClosedBlock = context.BlockNumber;
        project.SurveyListHash = args.SurveyListHash;
        PutProject(context, project);
        Record(context, "CloseSurvey", project.ProjectId);
        context.Emit(new SurveyClosed(project.ProjectId, registered, args.SurveyListHash));
        return null;
    }
}
