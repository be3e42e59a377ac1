using System.CommandLine;
using Chain.Contracts.DemolitionFund;
using Chain.Contracts.Domain;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;

namespace Chain.Cli.Commands.Bench;

/// <summary>
/// <c>chain bench pay</c>: the demolition-fund payment chain for many households of one funded project. Every household
/// goes through the same ten steps (register, approve the payee account, appraise, draft, review, audit, approve, sign,
/// instruct the payment, confirm it); each step is loaded for all households at once, after the step before has committed,
/// because a household's steps depend on each other. Reports each step's rate and the whole chain's.
/// </summary>
internal static class BenchPay
{
    private const string Contract = "demolition-fund";

    public static Command Build(BenchWorkloads.LoadRunner run)
    {
        var command = new Command("pay", "the demolition-fund payment chain (ten steps per household, each step loaded for every household at once)");
        var load = new BenchWorkloads.LoadOptions(command, "demolition-fund", 2_000);
        load.Txs.Description = "households (each gets ten transactions)";
        command.SetHandler((parse, cancel) => run(parse, "pay", load, 1, cancel, target => Signer.LoadSample(target.CryptoDir, "Bank/teller1"),
            (client, settings, target, _) =>
            {
                var households = settings.Txs;
                return Task.FromResult(new BenchWorkloads.Prepared(_ => throw new InvalidOperationException("pay runs in phases"),
                    Phases: () => RunPhasesAsync(client, settings, target.CryptoDir, households, cancel)));
            }));
        return command;
    }

    private static async Task<IReadOnlyList<BenchWorkloads.PhaseResult>> RunPhasesAsync(Chain.Sdk.Client.ChainClient client, BenchCommands.Settings settings, string cryptoDir,
        int households, CancellationToken cancel)
    {
        var Key = Signer.SampleAccounts(cryptoDir);
        var run = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var projectId = run + "-P";
        const long Day = 86_400_000;
        const long HouseValue = 100_000_000, Relocation = 1_000_000, Temporary = 500_000, Reward = 2_000_000; // fen: 1,000,000.00 yuan and allowances
        const long Payable = HouseValue + Relocation + Temporary + Reward;
        long budget = Payable * households / 100 * 105;
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        static string Sha(string text) => ContractSession.Sha(text);

        var session = new ContractSession(client, settings.Channel, Contract, "benchmark setup", cancel);
        await session.CallAsync(Key("DistrictGovernment/official1"), "CreateProject", new FundContract.CreateProjectArgs(projectId, "benchmark " + run, budget,
            Sha("standards"), "ExpropriationOffice", ["StreetOffice"], "FinanceBureau", "Bank", Sha("account " + projectId), SigningFrom: now - Day, SigningTo: now + 30 * Day));
        await session.CallAsync(Key("ExpropriationOffice/reviewer1"), "PublishPlan", new FundContract.PlanArgs(projectId, Sha("plan " + projectId), PublishedAt: now - 31 * Day));
        await session.CallAsync(Key("AuditBureau/auditor1"), "ConfirmPlanNotice", new FundContract.PlanNoticeArgs(projectId, Sha("notice " + projectId)));
        await session.CallAsync(Key("Bank/teller1"), "ConfirmDeposit", new FundContract.DepositArgs(run + "-D1", projectId, budget, run + "-BKD1", FundContract.DefaultDepositSource));
        await session.CallAsync(Key("DistrictGovernment/official1"), "DecideProject", new FundContract.DecideArgs(projectId, "ZJ-" + run));

        string Hh(int i) => $"H{i:D6}";
        string Unit(int i) => $"{run}-U{i:D6}";
        string Agr(int i) => $"{run}-A{i:D6}";
        string Account(int i) => Sha("bank account " + Unit(i));
        string Holder(int i) => Sha("right-holder " + Unit(i));
        var steps = new (string Signer, string Function, Func<int, object> Args)[]
        {
            ("StreetOffice/drafter1", "RegisterHousehold", i => new FundContract.RegisterHouseholdArgs(projectId, Hh(i), Unit(i), Holder(i), LesseeHash: null, AgentHashes: [],
                new Areas(Certified: 8_000L, UnregisteredLegal: 0, Legacy: 0), "Residential", Sha("survey " + Unit(i)), null, Account(i))),
            ("ExpropriationOffice/reviewer1", "ApprovePayeeAccount", i => new FundContract.PayeeAccountArgs(projectId, Hh(i), Account(i), Reason: "")),
            ("Appraiser/appraiser1", "RecordAppraisal", i => new FundContract.AppraisalArgs(projectId, Hh(i), HouseValue / 80, HouseValue, Sha("appraisal " + Unit(i)))),
            ("StreetOffice/drafter1", "DraftAgreement", i => new FundContract.DraftArgs(Agr(i), Ver: 1, projectId, Hh(i), AgreementMode.Cash,
                [new Item(ItemCode.HouseValue, HouseValue), new Item(ItemCode.Relocation, Relocation), new Item(ItemCode.TemporaryHousing, Temporary), new Item(ItemCode.Reward, Reward)],
                Payable, 0, [new Instalment(1, Payable, Condition.OnSign, DueAt: null)], null, MoveDeadline: now + 60 * Day, Sha("agreement " + Agr(i)), null)),
            ("ExpropriationOffice/reviewer1", "ReviewAgreement", i => new FundContract.VersionArgs(Agr(i), Ver: 1)),
            ("AuditBureau/auditor1", "AuditCheck", i => new FundContract.AuditArgs(Agr(i), Ver: 1, Sha("audit " + Agr(i)))),
            ("ExpropriationOffice/approver1", "ApproveAgreement", i => new FundContract.VersionArgs(Agr(i), Ver: 1)),
            ("StreetOffice/drafter1", "SignAgreement", i => new FundContract.SignArgs(Agr(i), Ver: 1, Sha("signed paper " + Agr(i)), Sha("witness " + Agr(i)))),
            ("FinanceBureau/cashier1", "InstructPayment", i => new FundContract.InstructArgs($"{Agr(i)}-1", Agr(i), Ver: 1, Seq: 1, Payable, Account(i), Holder(i))),
            ("Bank/teller1", "ConfirmPayment", i => new FundContract.ConfirmArgs($"{Agr(i)}-1", $"{run}-BK{i:D6}")),
        };
        var results = new List<BenchWorkloads.PhaseResult>();
        foreach (var (signer, function, args) in steps)
        {
            var key = Key(signer);
            var result = await BenchCommands.RunAsync(client, settings with { Txs = households }, i => TransactionFactory.Create(key, settings.Channel, Contract, function,
                DomainCli.Serialize(args(i))), cancel);
            results.Add(new BenchWorkloads.PhaseResult(function, result.Committed, result.Valid, result.TxPerSecond, result.LatencyP99Ms));
            if (result.Valid != households) // the next step needs this one
                throw new CommandFailedException($"pay: {households - result.Valid} of {households} {function} transactions did not commit as VALID");
        }
        return results;
    }
}
