using System.CommandLine;
using System.Text.Json;
using Chain.Contracts.Abstractions;
using Chain.Contracts.DemolitionFund;
using Chain.Contracts.Domain;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;

namespace Chain.Cli.Commands.Fund;

/// <summary>
/// <c>chain fund demo</c>: loads a realistic expropriation project into a running network through ordinary
/// signed calls: a plan published 31 days before it is recorded (so its comment period is over), a budget funded
/// by two deposits, 30 households (cash and swap) with approved payee accounts and a closed survey, agreements
/// through the whole approval chain, instalments (only the on-time-move reward waits for the handover),
/// handovers, one compensation decision after the signing period, one payment frozen by discipline inspection,
/// and a published household list.
/// </summary>
internal static class FundDemo
{
    private const string Contract = "demolition-fund";

    public sealed record Summary(string ProjectId, int Households, int Agreements, int Payments, long BudgetFen, long PaidFen, string HeldPayment, string AdjudicatedHousehold);

    public static Command Build(Option<string> channel)
    {
        var prefix = new Option<string?>("--prefix") { Description = "id prefix of the scenario (default: demo-<time>, so each run adds a fresh project)" };
        var window = new Option<int>("--signing-seconds") { Description = "length of the demo's signing period; one household is adjudicated after it", DefaultValueFactory = _ => 25 };
        var command = new Command("demo", "load a demo expropriation project into a running network, signed by the sample accounts of --crypto") { prefix, window };
        command.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse);
            var summary = await RunAsync(client, parse.GetValue(channel)!, parse.GetValue(Signer.Crypto)!,
                parse.GetValue(prefix) ?? "demo-" + DateTime.UtcNow.ToString("MMddHHmmss", System.Globalization.CultureInfo.InvariantCulture), parse.GetValue(window), Console.Error, cancel);
            Output.Printer.Print(parse, summary, () =>
            {
                Console.Out.WriteLine($"loaded project {summary.ProjectId}: {summary.Households} households, {summary.Agreements} agreements, {summary.Payments} payments, {Money.Format(summary.PaidFen)} of {Money.Format(summary.BudgetFen)} yuan paid");
                Console.Out.WriteLine($"try: chain fund project status {summary.ProjectId}");
                Console.Out.WriteLine($"     chain fund household file {summary.AdjudicatedHousehold} --project {summary.ProjectId}");
                Console.Out.WriteLine($"     chain fund audit payments {summary.ProjectId}");
                Console.Out.WriteLine($"     chain fund pay show {summary.HeldPayment}   (frozen by discipline inspection)");
            });
            return 0;
        });
        return command;
    }

    private sealed record Plan(string HhId, string UnitNo, long Value, long Relocation, long Temporary, string? SwapUnit, long SwapPrice)
    {
        /// <summary>The on-time-move reward: 1% of the house value, paid on handover.</summary>
        public long Reward => Value / 100;
        public long Total => Value + Relocation + Temporary + Reward;
        public long Payable => Math.Max(0, Total - SwapPrice);
    }

    public static async Task<Summary> RunAsync(ChainClient client, string channel, string cryptoDir, string prefix, int signingSeconds, TextWriter log, CancellationToken cancel)
    {
        AccountKey Key(string account) => Signer.LoadSample(cryptoDir, account);
        var gov = Key("DistrictGovernment/official1");
        var cashier = Key("FinanceBureau/cashier1");
        var reviewer = Key("ExpropriationOffice/reviewer1");
        var approver = Key("ExpropriationOffice/approver1");
        var drafter = Key("StreetOffice/drafter1");
        var household1 = Key("StreetOffice/household1");
        var auditor = Key("AuditBureau/auditor1");
        var inspector = Key("Discipline/inspector1");
        var appraiser = Key("Appraiser/appraiser1");
        var teller = Key("Bank/teller1");
        var projectId = prefix + "-P";
        int bankRef = 0, payments = 0;
        string NextRef() => $"{prefix}-BK{Interlocked.Increment(ref bankRef):D4}";
        const long Day = 86_400_000;

        var session = new ContractSession(client, channel, Contract, "demo", cancel);
        Task Call(AccountKey signer, string function, object args) => session.CallAsync(signer, function, args);

        var random = new Random(590);
        var plans = Enumerable.Range(1, 30).Select(i =>
        {
            long value = random.Next(600, 2_400) * 100_000L; // 600,000.00 – 2,400,000.00 yuan
            bool swap = i % 5 == 0;
            return new Plan($"H{i:D2}", $"{prefix}-110105-{i:D4}", value, random.Next(5, 20) * 100_000L, random.Next(3, 12) * 100_000L,
                swap ? $"{prefix}-R{i:D2}" : null, swap ? value * 7 / 10 : 0);
        }).ToList();
        long budget = plans.Sum(p => p.Payable) / 100 * 105; // 5% reserve

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        long signingTo = now + signingSeconds * 1000L;
        log.WriteLine($"creating project {projectId} with a budget of {Money.Format(budget)} yuan");
        await Call(gov, "CreateProject", new FundContract.CreateProjectArgs(projectId, "Old town block 7 redevelopment", budget, Sha("compensation standards 2026"), "ExpropriationOffice",
            ["StreetOffice"], "FinanceBureau", "Bank", Sha("dedicated account " + projectId), SigningFrom: now - Day, signingTo));
        // The demo cannot wait the 30-day comment period: its plan notice went up 31 days ago. Recording it late raises
        // a PlanRecordedLate alert, and the period counts from the notice only once audit confirms its date.
        await Call(reviewer, "PublishPlan", new FundContract.PlanArgs(projectId, Sha("compensation plan " + projectId), PublishedAt: now - 31 * Day));
        await Call(auditor, "ConfirmPlanNotice", new FundContract.PlanNoticeArgs(projectId, Sha("photo of the notice board " + projectId)));
        await Call(teller, "ConfirmDeposit", new FundContract.DepositArgs(prefix + "-D1", projectId, budget * 6 / 10, NextRef(), FundContract.DefaultDepositSource));
        await Call(teller, "ConfirmDeposit", new FundContract.DepositArgs(prefix + "-D2", projectId, budget - budget * 6 / 10, NextRef(), FundContract.DefaultDepositSource));
        await Call(gov, "DecideProject", new FundContract.DecideArgs(projectId, "ZJ-2026-007"));

        log.WriteLine("registering resettlement units, surveying, appraising and drafting 30 agreements");
        foreach (var plan in plans.Where(p => p.SwapUnit is not null))
            await Call(reviewer, "RegisterResettlementUnit", new FundContract.ResUnitArgs(plan.SwapUnit!, projectId, Area: 7_500L, plan.SwapPrice));

        var adjudicated = plans[^1];
        var payables = new System.Collections.Concurrent.ConcurrentDictionary<string, long>();
        using var gate = new SemaphoreSlim(6);
        async Task Household(Plan plan, int index)
        {
            await gate.WaitAsync(cancel);
            try
            {
                string agrId = $"{prefix}-A-{plan.HhId}";
                var account = Sha("bank account of " + plan.UnitNo);
                await Call(drafter, "RegisterHousehold", new FundContract.RegisterHouseholdArgs(projectId, plan.HhId, plan.UnitNo, Sha("right-holder " + plan.UnitNo), LesseeHash: null, AgentHashes: [],
                    new Areas(Certified: 6_000L + index * 150, UnregisteredLegal: 0, Legacy: index % 4 == 0 ? 1_200L : 0), index % 9 == 0 ? "Business" : "Residential",
                    Sha("survey " + plan.UnitNo), index == 0 ? household1.AddressText : null, account));
                await Call(reviewer, "ApprovePayeeAccount", new FundContract.PayeeAccountArgs(projectId, plan.HhId, account, Reason: ""));
                await Call(appraiser, "RecordAppraisal", new FundContract.AppraisalArgs(projectId, plan.HhId, plan.Value * 100 / (6_000 + index * 150), plan.Value, Sha("appraisal " + plan.UnitNo)));
                bool deviates = index == 6;
                long houseValue = deviates ? plan.Value * 108 / 100 : plan.Value;
                long total = houseValue + plan.Relocation + plan.Temporary + plan.Reward;
                long payable = Math.Max(0, total - plan.SwapPrice), receivable = Math.Max(0, plan.SwapPrice - total);
                long onSign = payable - plan.Reward; // compensate first: only the reward waits for the move
                payables[plan.HhId] = payable;
                await Call(drafter, "DraftAgreement", new FundContract.DraftArgs(agrId, Ver: 1, projectId, plan.HhId, plan.SwapUnit is null ? AgreementMode.Cash : AgreementMode.Swap,
                    [new Item(ItemCode.HouseValue, houseValue), new Item(ItemCode.Relocation, plan.Relocation), new Item(ItemCode.TemporaryHousing, plan.Temporary), new Item(ItemCode.Reward, plan.Reward)],
                    payable, receivable, [new Instalment(1, onSign, Condition.OnSign, DueAt: null), new Instalment(2, payable - onSign, Condition.OnHandover, DueAt: null)],
                    plan.SwapUnit, MoveDeadline: now + 60 * Day, Sha("agreement " + agrId), deviates ? "ground-floor shop front certified in 2019" : null));
                await Call(reviewer, "ReviewAgreement", new FundContract.VersionArgs(agrId, Ver: 1));
                await Call(auditor, "AuditCheck", new FundContract.AuditArgs(agrId, Ver: 1, Sha("synchronous audit " + agrId)));
                await Call(approver, "ApproveAgreement", new FundContract.VersionArgs(agrId, Ver: 1));
                if (plan == adjudicated) return;
                if (index == 0) await Call(household1, "SignAgreement", new FundContract.SignArgs(agrId, Ver: 1, Sha("e-signature " + agrId), WitnessHash: null));
                else await Call(drafter, "SignAgreement", new FundContract.SignArgs(agrId, Ver: 1, Sha("signed paper " + agrId), Sha("witness " + agrId)));
                if (plan.SwapUnit is not null) await Call(reviewer, "AssignResettlementUnit", new FundContract.AssignArgs(plan.SwapUnit, agrId));

                var holder = Sha("right-holder " + plan.UnitNo);
                await Call(cashier, "InstructPayment", new FundContract.InstructArgs($"{agrId}-1", agrId, Ver: 1, Seq: 1, onSign, account, holder));
                if (index == 12)
                {
                    // Discipline inspection freezes this one before the bank executes it.
                    await Call(inspector, "PlaceHold", new FundContract.HoldArgs($"payment:{agrId}-1", "letter of complaint about the area survey"));
                    return;
                }
                await Call(teller, "ConfirmPayment", new FundContract.ConfirmArgs($"{agrId}-1", NextRef()));
                Interlocked.Increment(ref payments);
                if (index >= 20) return; // these households have not moved out yet
                await Call(drafter, "ConfirmHandover", new FundContract.HouseholdArgs(projectId, plan.HhId));
                await Call(cashier, "InstructPayment", new FundContract.InstructArgs($"{agrId}-2", agrId, Ver: 1, Seq: 2, payable - onSign, account, holder));
                await Call(teller, "ConfirmPayment", new FundContract.ConfirmArgs($"{agrId}-2", NextRef()));
                Interlocked.Increment(ref payments);
            }
            finally { gate.Release(); }
        }
        await Task.WhenAll(plans.Select((plan, index) => Household(plan, index)));
        await Call(reviewer, "CloseSurvey", new FundContract.CloseSurveyArgs(projectId, plans.Count, Sha("survey results " + projectId)));

        var paidHouseholds = plans.Take(20).Where((_, i) => i != 12).Select(p => p.HhId).ToArray();
        var lines = paidHouseholds.Select(h => $"{h}|{plans.First(x => x.HhId == h).UnitNo}|{Money.Format(payables[h])}");
        await Call(reviewer, "PublishHouseholdList", new FundContract.ListArgs(projectId, Round: 1, Sha(string.Join("\n", lines)), paidHouseholds));

        var wait = signingTo - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1_500;
        if (wait > 0)
        {
            log.WriteLine($"waiting {wait / 1000} s for the signing period to end");
            await Task.Delay(TimeSpan.FromMilliseconds(wait), cancel);
        }
        log.WriteLine($"household {adjudicated.HhId} did not sign: the government issues a compensation decision");
        string adjAgr = $"{prefix}-A-{adjudicated.HhId}";
        await Call(gov, "IssueDecision", new FundContract.DecisionArgs(adjAgr, Ver: 1, "BCJD-2026-031"));
        if (adjudicated.SwapUnit is not null) await Call(reviewer, "AssignResettlementUnit", new FundContract.AssignArgs(adjudicated.SwapUnit, adjAgr));
        long adjOnSign = payables[adjudicated.HhId] - adjudicated.Reward;
        await Call(cashier, "InstructPayment", new FundContract.InstructArgs($"{adjAgr}-1", adjAgr, Ver: 1, Seq: 1, adjOnSign, Sha("bank account of " + adjudicated.UnitNo), Sha("right-holder " + adjudicated.UnitNo)));
        await Call(teller, "ConfirmPayment", new FundContract.ConfirmArgs($"{adjAgr}-1", NextRef()));
        payments++;

        var status = await session.QueryAsync("BudgetStatus", new { projectId });
        return new Summary(projectId, plans.Count, plans.Count, payments, budget, status.GetProperty("paid").GetInt64(), $"{prefix}-A-{plans[12].HhId}-1", adjudicated.HhId);
    }

    private static string Sha(string text) => ContractSession.Sha(text);
}
