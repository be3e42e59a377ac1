using Chain.Contracts.Abstractions;

namespace Chain.Contracts.DemolitionFund;

public sealed partial class FundContract
{
    public sealed record CreateProjectArgs(string ProjectId, string Name, long Budget, string StandardsHash, string DeptOrg, IReadOnlyList<string> ImplOrgs,
        string FinanceOrg, string BankId, string AccountHash, long SigningFrom, long SigningTo, FundParameters Parameters);
    public sealed record PlanArgs(string ProjectId, string PlanHash);
    public sealed record DepositArgs(string DepositId, string ProjectId, long Amount, string BankTxRef, string Source);
    public sealed record DecideArgs(string ProjectId, string DecisionNo);
    public sealed record ProjectIdArgs(string ProjectId);
    public sealed record ReturnArgs(string ReturnId, string ProjectId, long Amount);
    public sealed record ConfirmReturnArgs(string ReturnId, string BankTxRef);

    private void RegisterProjects()
    {
        Invoke("CreateProject", GovernmentAccess, args =>
        {
            var parsed = new CreateProjectArgs(args.RequiredId("projectId"), args.RequiredString("name", MaxText), args.RequiredLong("budget", 1), args.RequiredHash("standardsHash"),
                args.RequiredId("deptOrg"), args.List("implOrgs", (e, n) => { var id = e.ValueKind == System.Text.Json.JsonValueKind.String ? e.GetString()! : ""; ContractArgs.ValidateId(n, id); return id; }, 16, required: true),
                args.RequiredId("financeOrg"), args.RequiredId("bankId"), args.RequiredHash("accountHash"), args.RequiredLong("signingFrom", 0), args.RequiredLong("signingTo", 0),
                new FundParameters
                {
                    CommentPeriodDays = args.OptionalInt("commentPeriodDays", 30, 0, 365), CoolingDays = args.OptionalInt("coolingDays", 0, 0, 90),
                    PaymentDueDays = args.OptionalInt("paymentDueDays", 30, 1, 365), IdleDays = args.OptionalInt("idleDays", 30, 1, 3650),
                    AppraisalToleranceBps = args.OptionalInt("appraisalToleranceBps", 500, 0, 10_000),
                });
            if (parsed.SigningTo <= parsed.SigningFrom) throw new ContractException(ContractErrors.BadArgs, "'signingTo' must be after 'signingFrom'");
            if (parsed.ImplOrgs.Count == 0) throw new ContractException(ContractErrors.BadArgs, "'implOrgs' must name at least one implementing unit");
            return parsed;
        }, CreateProject);
        Invoke("PublishPlan", DeptAccess, args => new PlanArgs(args.RequiredId("projectId"), args.RequiredHash("planHash")), PublishPlan);
        Invoke("ConfirmDeposit", BankAccess, args => new DepositArgs(args.RequiredId("depositId"), args.RequiredId("projectId"), args.RequiredLong("amount", 1), args.RequiredId("bankTxRef"),
            args.OptionalId("source") ?? "Finance"), ConfirmDeposit);
        Invoke("DecideProject", GovernmentAccess, args => new DecideArgs(args.RequiredId("projectId"), args.RequiredId("decisionNo")), DecideProject);
        Invoke("InstructLeftoverReturn", FinanceAccess, args => new ReturnArgs(args.RequiredId("returnId"), args.RequiredId("projectId"), args.RequiredLong("amount", 1)), InstructLeftoverReturn);
        Invoke("ConfirmLeftoverReturn", BankAccess, args => new ConfirmReturnArgs(args.RequiredId("returnId"), args.RequiredId("bankTxRef")), ConfirmLeftoverReturn);
        Invoke("FailLeftoverReturn", BankAccess, args => new ConfirmReturnArgs(args.RequiredId("returnId"), args.RequiredId("bankTxRef")), FailLeftoverReturn);
        Invoke("SettleProject", GovernmentAccess, args => new ProjectIdArgs(args.RequiredId("projectId")), SettleProject);
    }

    private static byte[]? CreateProject(IContractContext context, CreateProjectArgs args)
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
            SigningTo = args.SigningTo, Status = ProjectStatus.Draft, Parameters = args.Parameters, CreatedAt = context.TimestampMs,
        };
        PutProject(context, project);
        RequestLog.Record(context, "CreateProject", args.ProjectId, hash);
        Record(context, "CreateProject", project.ProjectId);
        context.Emit("ProjectCreated", new { project.ProjectId, project.Name, project.Budget, project.GovOrg, project.DeptOrg, project.ImplOrgs, project.FinanceOrg, project.BankId });
        return null;
    }

    private static byte[]? PublishPlan(IContractContext context, PlanArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "expropriation department", project.DeptOrg);
        if (project.PlanHash == args.PlanHash) return null;
        if (project.Status != ProjectStatus.Draft) throw BadState($"project '{project.ProjectId}'", project.Status, "publish its plan (needs Draft)");
        project.PlanHash = args.PlanHash;
        project.PlanPublishedAt = context.TimestampMs;
        project.Status = project.Balance >= project.Budget ? ProjectStatus.Funded : ProjectStatus.PlanPublished;
        PutProject(context, project);
        Record(context, "PublishPlan", project.ProjectId);
        context.Emit("PlanPublished", new { project.ProjectId, args.PlanHash, commentUntil = context.TimestampMs + project.Parameters.CommentPeriodDays * DayMs });
        return null;
    }

    private static byte[]? ConfirmDeposit(IContractContext context, DepositArgs args)
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
        context.Emit("DepositConfirmed", new { args.DepositId, project.ProjectId, args.Amount, deposited = project.Deposited, balance = project.Balance, project.Budget });
        return null;
    }

    /// <summary>R8 (Art 12): the decision only when the dedicated account holds the full budget and the comment period is over.</summary>
    private static byte[]? DecideProject(IContractContext context, DecideArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "government", project.GovOrg);
        if (project.DecisionNo == args.DecisionNo) return null;
        if (project.Status is ProjectStatus.Draft) throw BadState($"project '{project.ProjectId}'", project.Status, "decide it (the compensation plan must be published first)");
        if (project.Status is not (ProjectStatus.PlanPublished or ProjectStatus.Funded)) throw BadState($"project '{project.ProjectId}'", project.Status, "decide it again");
        if (project.Balance < project.Budget)
            throw new ContractException(FundErrors.Underfunded, $"the dedicated account of project '{project.ProjectId}' holds {Money.Format(project.Balance)} of the budget {Money.Format(project.Budget)}; the full budget must be in place before the decision (Art 12)");
        long commentEnds = project.PlanPublishedAt!.Value + project.Parameters.CommentPeriodDays * DayMs;
        if (context.TimestampMs < commentEnds)
            throw new ContractException(FundErrors.TimeLock, $"the plan of project '{project.ProjectId}' is open for comment until {Iso(commentEnds)}");
        project.Status = ProjectStatus.Decided;
        project.DecisionNo = args.DecisionNo;
        project.DecidedAt = context.TimestampMs;
        PutProject(context, project);
        Record(context, "DecideProject", project.ProjectId);
        context.Emit("ProjectDecided", new { project.ProjectId, args.DecisionNo, balance = project.Balance, project.Budget });
        return null;
    }

    /// <summary>Finance asks the bank to return money to it; what stays must cover what approved agreements still owe.</summary>
    private static byte[]? InstructLeftoverReturn(IContractContext context, ReturnArgs args)
    {
        if (RequestLog.AlreadyApplied(context, "InstructLeftoverReturn", args.ReturnId, args, out var hash)) return null;
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "finance bureau", project.FinanceOrg);
        Holds.RequireNone(context, $"project:{project.ProjectId}");
        // Art 12: the budget stays in the account until close-out; only money above it, or the leftover once
        // every household is paid in full or closed, goes back. What approved agreements still owe always stays.
        long stillOwed = Math.Max(0, project.Committed - project.Paid);
        long keep = AllHouseholdsDone(context, project) ? stillOwed : Math.Max(stillOwed, project.Budget - project.Paid);
        long free = project.Balance - project.Pending - keep;
        if (args.Amount > free)
            throw new ContractException(FundErrors.Overdraft, $"project '{project.ProjectId}' holds {Money.Format(project.Balance)}, of which {Money.Format(project.Pending)} is instructed and {Money.Format(keep)} must stay ({(keep == stillOwed ? "owed under approved agreements" : "the unpaid budget, until every household is paid or closed")}); at most {Money.Format(Math.Max(0, free))} can be returned");
        if (context.Exists(FundKeys.Return(args.ReturnId))) throw new ContractException(ContractErrors.Conflict, $"return '{args.ReturnId}' already exists");
        project.Pending += args.Amount;
        PutProject(context, project);
        context.Put(FundKeys.Return(args.ReturnId), new LeftoverReturn { ReturnId = args.ReturnId, ProjectId = project.ProjectId, Amount = args.Amount, InstructedBy = Me(context) });
        RequestLog.Record(context, "InstructLeftoverReturn", args.ReturnId, hash);
        Record(context, "InstructLeftoverReturn", args.ReturnId);
        context.Emit("LeftoverReturnInstructed", new { args.ReturnId, project.ProjectId, args.Amount });
        return null;
    }

    private static byte[]? ConfirmLeftoverReturn(IContractContext context, ConfirmReturnArgs args)
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
        var bankRef = BankReferences.RequireUnused(context, project.BankId, args.BankTxRef);
        if (leftover.Amount > project.Balance)
            throw new ContractException(FundErrors.Overdraft, $"the dedicated account of project '{project.ProjectId}' holds {Money.Format(project.Balance)}; returning {Money.Format(leftover.Amount)} would overdraw it");
        project.Pending -= leftover.Amount;
        project.Returned += leftover.Amount;
        project.LastOutflowAt = context.TimestampMs;
        PutProject(context, project);
        leftover.Confirmed = true;
        leftover.BankTxRef = args.BankTxRef;
        context.Put(FundKeys.Return(args.ReturnId), leftover);
        BankReferences.Record(context, bankRef, "return/" + args.ReturnId);
        Record(context, "ConfirmLeftoverReturn", args.ReturnId);
        context.Emit("LeftoverReturned", new { args.ReturnId, project.ProjectId, leftover.Amount, balance = project.Balance });
        return null;
    }

    private static byte[]? FailLeftoverReturn(IContractContext context, ConfirmReturnArgs args)
    {
        var leftover = context.Require<LeftoverReturn>(FundKeys.Return(args.ReturnId), $"return '{args.ReturnId}'");
        var project = RequireProject(context, leftover.ProjectId);
        RequireProjectRole(context, project, "account bank", project.BankId);
        if (leftover.Failed && leftover.BankTxRef == args.BankTxRef) return null;
        if (leftover.Confirmed || leftover.Failed) throw BadState($"return '{args.ReturnId}'", leftover.Confirmed ? "Confirmed" : "Failed", "fail");
        var bankRef = BankReferences.RequireUnused(context, project.BankId, args.BankTxRef);
        project.Pending -= leftover.Amount;
        PutProject(context, project);
        leftover.Failed = true;
        leftover.BankTxRef = args.BankTxRef;
        context.Put(FundKeys.Return(args.ReturnId), leftover);
        BankReferences.Record(context, bankRef, "return/" + args.ReturnId);
        Record(context, "FailLeftoverReturn", args.ReturnId);
        context.Emit("LeftoverReturnFailed", new { args.ReturnId, project.ProjectId, leftover.Amount });
        return null;
    }

    /// <summary>Every registered household is paid in full (and handed over) or closed.</summary>
    private static bool AllHouseholdsDone(IContractContext context, Project project) =>
        context.GetStateByPrefix(FundKeys.HouseholdPrefix(project.ProjectId)).Select(e => ContractJson.Deserialize<Household>(e.Value))
            .All(h => h.Status == HouseholdStatus.Closed || (h.Status == HouseholdStatus.PaidInFull && h.HandedOverAt is not null));

    /// <summary>R9: a household counts as published when a list that names it came out after its last payment.</summary>
    private static bool PublishedAfterLastPayment(IContractContext context, Household household)
    {
        if (household.Paid == 0) return true;
        if (context.GetState(FundKeys.Listed(household.ProjectId, household.HhId)) is null) return false;
        var list = context.Get<PublicList>(FundKeys.List(household.ProjectId, (int)context.GetLong(FundKeys.Listed(household.ProjectId, household.HhId))));
        return list is not null && list.PublishedAt >= (household.LastPaidAt ?? 0);
    }

    /// <summary>Close-out: every household paid and handed over (or closed), every paid one published (R9), audited, nothing left in the account.</summary>
    private static byte[]? SettleProject(IContractContext context, ProjectIdArgs args)
    {
        var project = RequireProject(context, args.ProjectId);
        RequireProjectRole(context, project, "government", project.GovOrg);
        if (project.Status == ProjectStatus.Settled) return null;
        if (project.Status is not (ProjectStatus.Signing or ProjectStatus.Executing)) throw BadState($"project '{project.ProjectId}'", project.Status, "settle it");
        foreach (var entry in context.GetStateByPrefix(FundKeys.HouseholdPrefix(project.ProjectId)))
        {
            var household = ContractJson.Deserialize<Household>(entry.Value);
            if (household.Status == HouseholdStatus.Closed) continue;
            if (household.Status != HouseholdStatus.PaidInFull || household.HandedOverAt is null)
                throw new ContractException(ContractErrors.BadState, $"household '{household.HhId}' is {household.Status}{(household.HandedOverAt is null ? ", not handed over" : "")}; every household must be paid in full and handed over (or closed)");
            if (!PublishedAfterLastPayment(context, household))
                throw new ContractException(FundErrors.Unpublished, $"household '{household.HhId}' was paid {Money.Format(household.Paid)} but appears in no household list published after its last payment (Art 29)");
        }
        if (project.AttestedAt is null) throw new ContractException(ContractErrors.BadState, $"project '{project.ProjectId}' has no audit attestation");
        if (project.Balance != 0 || project.Pending != 0)
            throw new ContractException(ContractErrors.BadState, $"project '{project.ProjectId}' still holds {Money.Format(project.Balance)} ({Money.Format(project.Pending)} instructed); return the leftover to finance first");
        project.Status = ProjectStatus.Settled;
        project.SettledAt = context.TimestampMs;
        PutProject(context, project);
        Record(context, "SettleProject", project.ProjectId);
        context.Emit("ProjectSettled", new { project.ProjectId, project.Deposited, project.Paid, project.Returned });
        return null;
    }
}
