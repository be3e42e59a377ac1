using System.CommandLine;
using System.Text.Json;
using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;

namespace Chain.Cli.Commands;

/// <summary>
/// <c>chain fund demo</c>: loads a realistic expropriation project into a running network through ordinary
/// signed calls: a plan published 31 days before it is recorded (so its comment period is over), a budget funded
/// by two deposits, 30 households (cash and swap) with approved payee accounts and a closed survey, agreements
/// through the whole approval chain, instalments (only the on-time-move reward waits for the handover),
/// handovers, one compensation decision after the signing period, one payment frozen by discipline inspection,
/// and a published household list.
/// </summary>
public static class FundDemo
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
                parse.GetValue(prefix) ?? "demo-" + DateTime.UtcNow.ToString("MMddHHmmss", System.Globalization.CultureInfo.InvariantCulture), parse.GetValue(window), Console.Out, cancel);
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
        await Call(gov, "CreateProject", new
        {
            projectId, name = "Old town block 7 redevelopment", budget, standardsHash = Sha("compensation standards 2026"), deptOrg = "ExpropriationOffice", implOrgs = new[] { "StreetOffice" },
            financeOrg = "FinanceBureau", bankId = "Bank", accountHash = Sha("dedicated account " + projectId), signingFrom = now - Day, signingTo,
        });
        // The demo cannot wait the 30-day comment period: its plan notice went up 31 days ago. Recording it late raises
        // a PlanRecordedLate alert, and the period counts from the notice only once audit confirms its date.
        await Call(reviewer, "PublishPlan", new { projectId, planHash = Sha("compensation plan " + projectId), publishedAt = now - 31 * Day });
        await Call(auditor, "ConfirmPlanNotice", new { projectId, evidenceHash = Sha("photo of the notice board " + projectId) });
        await Call(teller, "ConfirmDeposit", new { depositId = prefix + "-D1", projectId, amount = budget * 6 / 10, bankTxRef = NextRef() });
        await Call(teller, "ConfirmDeposit", new { depositId = prefix + "-D2", projectId, amount = budget - budget * 6 / 10, bankTxRef = NextRef() });
        await Call(gov, "DecideProject", new { projectId, decisionNo = "ZJ-2026-007" });

        log.WriteLine("registering resettlement units, surveying, appraising and drafting 30 agreements");
        foreach (var plan in plans.Where(p => p.SwapUnit is not null))
            await Call(reviewer, "RegisterResettlementUnit", new { resUnitId = plan.SwapUnit, projectId, area = 7_500L, price = plan.SwapPrice });

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
                await Call(drafter, "RegisterHousehold", new
                {
                    projectId, hhId = plan.HhId, unitNo = plan.UnitNo, rightHolderHash = Sha("right-holder " + plan.UnitNo), areas = new { certified = 6_000L + index * 150, legacy = index % 4 == 0 ? 1_200L : 0 },
                    use = index % 9 == 0 ? "Business" : "Residential", surveyHash = Sha("survey " + plan.UnitNo), account = index == 0 ? household1.AddressText : null,
                    payeeAcctHash = account,
                });
                await Call(reviewer, "ApprovePayeeAccount", new { projectId, hhId = plan.HhId, payeeAcctHash = account });
                await Call(appraiser, "RecordAppraisal", new { projectId, hhId = plan.HhId, unitPrice = plan.Value * 100 / (6_000 + index * 150), valueAmount = plan.Value, reportHash = Sha("appraisal " + plan.UnitNo) });
                bool deviates = index == 6;
                long houseValue = deviates ? plan.Value * 108 / 100 : plan.Value;
                long total = houseValue + plan.Relocation + plan.Temporary + plan.Reward;
                long payable = Math.Max(0, total - plan.SwapPrice), receivable = Math.Max(0, plan.SwapPrice - total);
                long onSign = payable - plan.Reward; // compensate first: only the reward waits for the move
                payables[plan.HhId] = payable;
                await Call(drafter, "DraftAgreement", new
                {
                    agrId, projectId, hhId = plan.HhId, mode = plan.SwapUnit is null ? "Cash" : "Swap",
                    items = new[] { new { code = "HouseValue", amount = houseValue }, new { code = "Relocation", amount = plan.Relocation }, new { code = "TemporaryHousing", amount = plan.Temporary }, new { code = "Reward", amount = plan.Reward } },
                    payable, receivable, schedule = new[] { new { seq = 1, amount = onSign, condition = "OnSign" }, new { seq = 2, amount = payable - onSign, condition = "OnHandover" } },
                    swapUnitId = plan.SwapUnit, moveDeadline = now + 60 * Day, docHash = Sha("agreement " + agrId),
                    deviationReason = deviates ? "ground-floor shop front certified in 2019" : null,
                });
                await Call(reviewer, "ReviewAgreement", new { agrId, ver = 1 });
                await Call(auditor, "AuditCheck", new { agrId, ver = 1, noteHash = Sha("synchronous audit " + agrId) });
                await Call(approver, "ApproveAgreement", new { agrId, ver = 1 });
                if (plan == adjudicated) return;
                if (index == 0) await Call(household1, "SignAgreement", new { agrId, ver = 1, signatureHash = Sha("e-signature " + agrId) });
                else await Call(drafter, "SignAgreement", new { agrId, ver = 1, signatureHash = Sha("signed paper " + agrId), witnessHash = Sha("witness " + agrId) });
                if (plan.SwapUnit is not null) await Call(reviewer, "AssignResettlementUnit", new { resUnitId = plan.SwapUnit, agrId });

                var holder = Sha("right-holder " + plan.UnitNo);
                await Call(cashier, "InstructPayment", new { payId = $"{agrId}-1", agrId, ver = 1, seq = 1, amount = onSign, payeeAcctHash = account, payeeIdHash = holder });
                if (index == 12)
                {
                    // Discipline inspection freezes this one before the bank executes it.
                    await Call(inspector, "PlaceHold", new { targetKey = $"payment:{agrId}-1", reason = "letter of complaint about the area survey" });
                    return;
                }
                await Call(teller, "ConfirmPayment", new { payId = $"{agrId}-1", bankTxRef = NextRef() });
                Interlocked.Increment(ref payments);
                if (index >= 20) return; // these households have not moved out yet
                await Call(drafter, "ConfirmHandover", new { projectId, hhId = plan.HhId });
                await Call(cashier, "InstructPayment", new { payId = $"{agrId}-2", agrId, ver = 1, seq = 2, amount = payable - onSign, payeeAcctHash = account, payeeIdHash = holder });
                await Call(teller, "ConfirmPayment", new { payId = $"{agrId}-2", bankTxRef = NextRef() });
                Interlocked.Increment(ref payments);
            }
            finally { gate.Release(); }
        }
        await Task.WhenAll(plans.Select((plan, index) => Household(plan, index)));
        await Call(reviewer, "CloseSurvey", new { projectId, households = plans.Count, surveyListHash = Sha("survey results " + projectId) });

        var paidHouseholds = plans.Take(20).Where((_, i) => i != 12).Select(p => p.HhId).ToArray();
        var lines = paidHouseholds.Select(h => $"{h}|{plans.First(x => x.HhId == h).UnitNo}|{Money.Format(payables[h])}");
        await Call(reviewer, "PublishHouseholdList", new { projectId, round = 1, listHash = Sha(string.Join("\n", lines)), hhIds = paidHouseholds });

        var wait = signingTo - DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 1_500;
        if (wait > 0)
        {
            log.WriteLine($"waiting {wait / 1000} s for the signing period to end");
            await Task.Delay(TimeSpan.FromMilliseconds(wait), cancel);
        }
        log.WriteLine($"household {adjudicated.HhId} did not sign: the government issues a compensation decision");
        string adjAgr = $"{prefix}-A-{adjudicated.HhId}";
        await Call(gov, "IssueDecision", new { agrId = adjAgr, ver = 1, decisionNo = "BCJD-2026-031" });
        if (adjudicated.SwapUnit is not null) await Call(reviewer, "AssignResettlementUnit", new { resUnitId = adjudicated.SwapUnit, agrId = adjAgr });
        long adjOnSign = payables[adjudicated.HhId] - adjudicated.Reward;
        await Call(cashier, "InstructPayment", new { payId = $"{adjAgr}-1", agrId = adjAgr, ver = 1, seq = 1, amount = adjOnSign, payeeAcctHash = Sha("bank account of " + adjudicated.UnitNo), payeeIdHash = Sha("right-holder " + adjudicated.UnitNo) });
        await Call(teller, "ConfirmPayment", new { payId = $"{adjAgr}-1", bankTxRef = NextRef() });
        payments++;

        var status = await session.QueryAsync("BudgetStatus", new { projectId });
        return new Summary(projectId, plans.Count, plans.Count, payments, budget, status.GetProperty("paid").GetInt64(), $"{prefix}-A-{plans[12].HhId}-1", adjudicated.HhId);
    }

    private static string Sha(string text) => ContractSession.Sha(text);
}
