using Chain.Contracts.Domain;
using System.CommandLine;
using System.Text.Json.Nodes;
using Chain.Cli.Output;
using Chain.Contracts.DemolitionFund;
using static Chain.Cli.Commands.DomainCli;

namespace Chain.Cli.Commands.Fund;

/// <summary>
/// <c>chain fund …</c>: the expropriation compensation fund's work for government, finance, the expropriation
/// department, the implementing unit, the appraiser, the bank, households, audit and discipline. Amounts are
/// yuan, areas square metres, both with up to two decimals.
/// </summary>
internal static partial class FundCommands
{
    private const string Contract = FundContract.ContractName;
    private static readonly Option<string> Channel = new("--channel", "-c") { Description = "channel running the demolition-fund contract", DefaultValueFactory = _ => "demolition-fund", Recursive = true };

    public static Command Build()
    {
        var fund = new Command("fund", "expropriation compensation funds: projects, dedicated account, households, agreements, payments, audit");
        fund.Options.Add(Channel);
        Signer.AddTo(fund);
        foreach (var command in new[]
        {
            BuildProject(), BuildDeposit(), BuildHousehold(), BuildAppraise(), BuildAgreement(), BuildPay(), BuildHandover(), BuildResettlement(),
            BuildHold(), BuildRelease(), BuildList(), BuildAttest(), BuildLeftover(), BuildAudit(), BuildRaiseAlerts(), FundDemo.Build(Channel),
            BuildCheck(),
        })
            fund.Subcommands.Add(command);
        return fund;
    }

    /// <summary>Square metres with up to two decimals → hundredths of a square metre.</summary>
    private static long Area(string text, string name) =>
        Chain.Contracts.Domain.Money.TryParse(text, out var hundredths, out _) ? hundredths : throw new UsageException($"{name}: '{text}' is not an area in square metres (e.g. 85.50)");

    private static Command BuildProject()
    {
        var project = new Command("project", "create, publish, decide, show and settle projects");
        var id = Id("project-id", "project id");
        var name = Text("--name", "project name");
        var budget = Amount("--budget", "approved budget");
        var standards = Text("--standards", "compensation standards document: file or SHA-256");
        var dept = Text("--dept", "expropriation department (organisation)");
        var impl = new Option<string[]>("--impl") { Description = "implementing unit (organisation; repeat)", Required = true };
        var finance = Text("--finance", "finance bureau (organisation)");
        var bank = Text("--bank", "bank holding the dedicated account (organisation)");
        var account = Text("--account", "dedicated account number: its SHA-256, or a file holding it");
        var from = Time("--signing-from", "start of the signing period");
        var to = Time("--signing-to", "end of the signing period");
        from.Required = true;
        to.Required = true;
        var comment = new Option<int?>("--comment-days") { Description = "comment period after the plan is published (default and minimum 30, Decree 590 Art 10)" };
        var cooling = new Option<int?>("--cooling-days") { Description = "no payment until this long after signing (default 0)" };
        var due = new Option<int?>("--payment-due-days") { Description = "an on-signing instalment is overdue after this (default 30)" };
        var idle = new Option<int?>("--idle-days") { Description = "no outflow for this long while money is owed raises IdleFunds (default 30)" };
        var tolerance = new Option<int?>("--tolerance-bps") { Description = "house value may differ from the appraisal by this much without a reason (default 500 = 5%)" };
        var handoverCap = new Option<int?>("--handover-cap-bps") { Description = "at most this share of an agreement's payable may wait for the handover, and only as the on-time-move reward (default 1000 = 10%)" };
        project.Subcommands.Add(Invoke("create", "create a project (government)", Channel, Contract, "CreateProject", p => new FundContract.CreateProjectArgs(p.GetValue(id)!, p.GetValue(name)!, Fen(p, budget), HashArgument(p.GetValue(standards)!, "--standards"), p.GetValue(dept)!,
            p.GetValue(impl)!, p.GetValue(finance)!, p.GetValue(bank)!, HashArgument(p.GetValue(account)!, "--account"), Millis(p, from)!.Value, Millis(p, to)!.Value,
            p.GetValue(comment), p.GetValue(cooling), p.GetValue(due), p.GetValue(idle), p.GetValue(tolerance), p.GetValue(handoverCap)), id, name, budget, standards, dept, impl, finance, bank, account, from, to, comment, cooling, due, idle, tolerance, handoverCap));

        var publishId = Id("project-id", "project id");
        var plan = Text("--plan", "compensation plan: file or SHA-256");
        var publishedAt = Time("--published-at", "when the plan's public notice went up (default now; never in the future; recorded late it raises an alert)");
        project.Subcommands.Add(Invoke("publish", "record the compensation plan's publication for comment (expropriation department)", Channel, Contract, "PublishPlan",
            p => new FundContract.PlanArgs(p.GetValue(publishId)!, HashArgument(p.GetValue(plan)!, "--plan"), Millis(p, publishedAt)), publishId, plan, publishedAt));
        var noticeId = Id("project-id", "project id");
        var notice = Text("--evidence", "audit's own evidence of the notice (photo, newspaper page): file or SHA-256");
        project.Subcommands.Add(Invoke("confirm-notice", "confirm the date of a plan notice recorded late, so its comment period counts from it (audit)", Channel, Contract, "ConfirmPlanNotice",
            p => new FundContract.PlanNoticeArgs(p.GetValue(noticeId)!, HashArgument(p.GetValue(notice)!, "--evidence")), noticeId, notice));
        var decideId = Id("project-id", "project id");
        var decision = Text("--decision-no", "number of the expropriation decision");
        project.Subcommands.Add(Invoke("decide", "issue the expropriation decision; needs the full budget in the account (government)", Channel, Contract, "DecideProject",
            p => new FundContract.DecideArgs(p.GetValue(decideId)!, p.GetValue(decision)!), decideId, decision));
        var surveyId = Id("project-id", "project id");
        var surveyCount = new Option<int>("--households") { Description = "number of households in the published survey", Required = true };
        var surveyList = Text("--survey-list", "the published survey results: file or SHA-256");
        project.Subcommands.Add(Invoke("close-survey", "close the survey: the registered households are all there are (expropriation department)", Channel, Contract, "CloseSurvey",
            p => new FundContract.CloseSurveyArgs(p.GetValue(surveyId)!, p.GetValue(surveyCount), HashArgument(p.GetValue(surveyList)!, "--survey-list")), surveyId, surveyCount, surveyList));
        var settleId = Id("project-id", "project id");
        project.Subcommands.Add(Invoke("settle", "close the project out (government)", Channel, Contract, "SettleProject", p => new FundContract.ProjectIdArgs(p.GetValue(settleId)!), settleId));
        var statusId = Id("project-id", "project id");
        project.Subcommands.Add(Query("status", "budget, deposited, committed, paid, idle", Channel, Contract, "BudgetStatus", p => new { projectId = p.GetValue(statusId) }, ShowBudget, statusId));
        var showId = Id("project-id", "project id");
        project.Subcommands.Add(Query("show", "the project record", Channel, Contract, "GetProject", p => new { projectId = p.GetValue(showId) }, null, showId));
        return project;
    }

    private static Command BuildDeposit()
    {
        var id = Id("deposit-id", "deposit id");
        var project = Text("--project", "project id");
        var amount = Amount("--amount", "amount received");
        var bankRef = Text("--bank-ref", "the bank's transaction reference");
        var source = OptionalText("--source", "where the money came from (default Finance)");
        return Invoke("deposit", "confirm a deposit into the dedicated account (bank)", Channel, Contract, "ConfirmDeposit",
            p => new FundContract.DepositArgs(p.GetValue(id)!, p.GetValue(project)!, Fen(p, amount), p.GetValue(bankRef)!, p.GetValue(source) ?? FundContract.DefaultDepositSource), id, project, amount, bankRef, source);
    }

    private static Command BuildHousehold()
    {
        var household = new Command("household", "register, close and inspect households");
        var id = Id("household-id", "household id");
        var project = Text("--project", "project id");
        var unit = Text("--unit", "property unit number (不动产单元号)");
        var holder = Text("--right-holder-ref", "hashed reference of the right-holder (see 'chain charity ref'); never an ID number");
        var lessee = OptionalText("--lessee-ref", "hashed reference of a lessee of public housing");
        var agents = new Option<string[]>("--agent-ref") { Description = "hashed reference of a recorded heir or agent (repeat)" };
        var certified = Text("--certified", "certified area in m² (e.g. 85.50)");
        var unregistered = OptionalText("--unregistered", "unregistered but legal area in m²");
        var legacy = OptionalText("--legacy", "historical legacy area in m²");
        var use = Text("--use", "use, e.g. Residential or Business");
        var survey = Text("--survey", "survey record: file or SHA-256");
        var account = OptionalText("--account", "the household's chain account, so it can sign its agreement itself");
        var payeeAccount = Text("--payee-account", "the bank account payments go to: its keyed hash (see 'chain charity ref'), or a file holding it; the department approves it");
        household.Subcommands.Add(Invoke("register", "register a surveyed household (implementing unit)", Channel, Contract, "RegisterHousehold", p => new FundContract.RegisterHouseholdArgs(p.GetValue(project)!, p.GetValue(id)!, p.GetValue(unit)!, p.GetValue(holder)!, p.GetValue(lessee), p.GetValue(agents) ?? [],
            new Areas(Area(p.GetValue(certified)!, "--certified"), p.GetValue(unregistered) is { } u ? Area(u, "--unregistered") : 0, p.GetValue(legacy) is { } l ? Area(l, "--legacy") : 0),
            p.GetValue(use)!, HashArgument(p.GetValue(survey)!, "--survey"), p.GetValue(account), HashArgument(p.GetValue(payeeAccount)!, "--payee-account")), id, project, unit, holder, lessee, agents, certified, unregistered, legacy, use, survey, account, payeeAccount));

        var proposeId = Id("household-id", "household id");
        var proposeProject = Text("--project", "project id");
        var proposeAccount = Text("--payee-account", "the new payee account: its keyed hash, or a file holding it");
        var proposeReason = Text("--reason", "why the account changes");
        household.Subcommands.Add(Invoke("propose-account", "propose a new payee account for a household (implementing unit)", Channel, Contract, "ProposePayeeAccount", p => new FundContract.PayeeAccountArgs(p.GetValue(proposeProject)!, p.GetValue(proposeId)!, HashArgument(p.GetValue(proposeAccount)!, "--payee-account"), p.GetValue(proposeReason)!), proposeId, proposeProject, proposeAccount, proposeReason));
        var approveId = Id("household-id", "household id");
        var approveProject = Text("--project", "project id");
        var approveAccount = Text("--payee-account", "the proposed payee account being approved: its keyed hash, or a file holding it");
        household.Subcommands.Add(Invoke("approve-account", "approve the proposed payee account; payments go only there (expropriation department, not the proposer)", Channel, Contract, "ApprovePayeeAccount", p => new FundContract.PayeeAccountArgs(p.GetValue(approveProject)!, p.GetValue(approveId)!, HashArgument(p.GetValue(approveAccount)!, "--payee-account"), Reason: ""), approveId, approveProject, approveAccount));

        var closeId = Id("household-id", "household id");
        var closeProject = Text("--project", "project id");
        var reason = Text("--reason", "why");
        household.Subcommands.Add(Invoke("close", "close a household record that gets no agreement (expropriation department)", Channel, Contract, "CloseHousehold",
            p => new FundContract.CloseHouseholdArgs(p.GetValue(closeProject)!, p.GetValue(closeId)!, p.GetValue(reason)!), closeId, closeProject, reason));
        var fileId = Id("household-id", "household id");
        var fileProject = Text("--project", "project id");
        household.Subcommands.Add(Query("file", "the household's whole file: survey, appraisal, every agreement version, payments, list, holds", Channel, Contract, "HouseholdFile",
            p => new { projectId = p.GetValue(fileProject), hhId = p.GetValue(fileId) }, null, fileId, fileProject));
        return household;
    }

    private static Command BuildAppraise()
    {
        var id = Id("household-id", "household id");
        var project = Text("--project", "project id");
        var unitPrice = Amount("--unit-price", "appraised price per m²");
        var value = Amount("--value", "appraised house value");
        var report = Text("--report", "appraisal report: file or SHA-256");
        return Invoke("appraise", "record the appraisal of a household's house (appraiser)", Channel, Contract, "RecordAppraisal", p => new FundContract.AppraisalArgs(p.GetValue(project)!, p.GetValue(id)!, Fen(p, unitPrice), Fen(p, value), HashArgument(p.GetValue(report)!, "--report")), id, project, unitPrice, value, report);
    }

    private static Command BuildHandover()
    {
        var id = Id("household-id", "household id");
        var project = Text("--project", "project id");
        return Invoke("handover", "confirm the household handed the house over; only after it was paid (implementing unit)", Channel, Contract, "ConfirmHandover",
            p => new FundContract.HouseholdArgs(p.GetValue(project)!, p.GetValue(id)!), id, project);
    }

    private static Command BuildResettlement()
    {
        var resettlement = new Command("resettlement", "resettlement units for swap agreements");
        var id = Id("unit-id", "resettlement unit id");
        var project = Text("--project", "project id");
        var area = Text("--area", "area in m²");
        var price = Amount("--price", "price credited against the compensation");
        resettlement.Subcommands.Add(Invoke("register", "register a resettlement unit (expropriation department)", Channel, Contract, "RegisterResettlementUnit",
            p => new FundContract.ResUnitArgs(p.GetValue(id)!, p.GetValue(project)!, Area(p.GetValue(area)!, "--area"), Fen(p, price)), id, project, area, price));
        var assignId = Id("unit-id", "resettlement unit id");
        var agreement = Text("--agreement", "the signed swap agreement naming the unit");
        resettlement.Subcommands.Add(Invoke("assign", "assign a unit to its swap agreement, once (expropriation department)", Channel, Contract, "AssignResettlementUnit",
            p => new FundContract.AssignArgs(p.GetValue(assignId)!, p.GetValue(agreement)!), assignId, agreement));
        return resettlement;
    }

    private static Command BuildHold()
    {
        var target = Id("target", "project:P1, household:P1/H7, agreement:A7 or payment:PAY9");
        var reason = Text("--reason", "why");
        return Invoke("hold", "freeze a project, household, agreement or payment (audit or discipline)", Channel, Contract, "PlaceHold",
            p => new FundContract.HoldArgs(p.GetValue(target)!, p.GetValue(reason)!), target, reason);
    }

    private static Command BuildRelease()
    {
        var target = Id("target", "the held target");
        return Invoke("release", "release a hold (the organisation that placed it)", Channel, Contract, "ReleaseHold", p => new FundContract.TargetArgs(p.GetValue(target)!), target);
    }

    private static Command BuildList()
    {
        var list = new Command("list", "per-household compensation lists (Art 29)");
        var project = Id("project-id", "project id");
        var round = new Option<int>("--round") { Description = "publication round", Required = true };
        var file = Text("--list", "the published list: file or SHA-256");
        var households = new Option<string[]>("--household") { Description = "household in the list (repeat)", Required = true, AllowMultipleArgumentsPerToken = true };
        list.Subcommands.Add(Invoke("publish", "publish a round of the list; its hash goes on the ledger (expropriation department)", Channel, Contract, "PublishHouseholdList",
            p => new FundContract.ListArgs(p.GetValue(project)!, p.GetValue(round), HashArgument(p.GetValue(file)!, "--list"), p.GetValue(households)!), project, round, file, households));
        var showProject = Id("project-id", "project id");
        var showRound = new Option<int>("--round") { Description = "publication round", Required = true };
        list.Subcommands.Add(Query("show", "a published round", Channel, Contract, "PublishedList", p => new { projectId = p.GetValue(showProject), round = p.GetValue(showRound) }, null, showProject, showRound));
        return list;
    }

    private static Command BuildAttest()
    {
        var project = Id("project-id", "project id");
        var report = Text("--report", "audit report: file or SHA-256");
        return Invoke("attest", "sign the audit attestation of a project (audit)", Channel, Contract, "Attest",
            p => new FundContract.AttestArgs(p.GetValue(project)!, HashArgument(p.GetValue(report)!, "--report")), project, report);
    }

    private static Command BuildLeftover()
    {
        var leftover = new Command("leftover", "return money the project no longer needs to finance");
        var id = Id("return-id", "return id");
        var project = Text("--project", "project id");
        var amount = Amount("--amount", "amount to return");
        leftover.Subcommands.Add(Invoke("instruct", "instruct a return (finance)", Channel, Contract, "InstructLeftoverReturn",
            p => new FundContract.ReturnArgs(p.GetValue(id)!, p.GetValue(project)!, Fen(p, amount)), id, project, amount));
        var confirmId = Id("return-id", "return id");
        var bankRef = Text("--bank-ref", "the bank's transaction reference");
        leftover.Subcommands.Add(Invoke("confirm", "confirm the return was paid (bank)", Channel, Contract, "ConfirmLeftoverReturn",
            p => new FundContract.ConfirmReturnArgs(p.GetValue(confirmId)!, p.GetValue(bankRef)!), confirmId, bankRef));
        return leftover;
    }

    private static Command BuildCheck()
    {
        var project = OptionalText("--project", "check one project (default: every project)");
        return Check("check", "recompute the contract's conservation laws from state and list every violation (exit 1 if any)", Channel, Contract,
            p => new FundContract.CheckArgs(p.GetValue(project)), project);
    }

    private static Command BuildRaiseAlerts()
    {
        var limit = new Option<int?>("--limit") { Description = "at most this many alerts of each kind (default 100)" };
        return Invoke("raise-alerts", "sweep for overdue instalments and idle accounts and emit Alert events (audit, discipline or finance)", Channel, Contract, "RaiseAlerts",
            p => new FundContract.SweepArgs(p.GetValue(limit) ?? Paging.DefaultLimit), limit);
    }

    private static void ShowBudget(JsonNode b) => Printer.Pairs(("project", b["projectId"]), ("status", b["status"]), ("budget", b["budget"]),
        ("deposited", $"{b["deposited"]} ({b["fundedBps"]!.GetValue<long>() / 100m}% of budget)"), ("committed", $"{b["committed"]} ({b["committedBps"]!.GetValue<long>() / 100m}%)"),
        ("paid", $"{b["paid"]} ({b["paidBps"]!.GetValue<long>() / 100m}%)"), ("instructed", $"{b["pendingPayments"]} to households, {b["pendingReturns"]} back to finance"),
        ("returned", b["returned"]), ("balance", b["balance"]), ("owed", $"{b["owed"]} (approved agreements, unpaid)"),
        ("idle", $"{b["idle"]} (balance neither owed nor instructed back)"), ("check", b["balanced"]!.GetValue<bool>() ? "deposited = paid + returned + balance" : "DOES NOT BALANCE"));
}
