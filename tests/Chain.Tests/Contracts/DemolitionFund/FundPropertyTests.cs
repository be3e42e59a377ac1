using Chain.Contracts.Abstractions;
using Chain.Contracts.DemolitionFund;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.DemolitionFund;

/// <summary>
/// Seeded random sequences of deposits, agreements and new versions, approvals, signatures, payment
/// instructions (some with wrong amounts or payees), bank confirmations and failures, handovers, holds and
/// leftover returns. After every step no unit is paid twice, nothing exceeds payable, budget or balance, and
/// the account balances; at the end the regulators' must-be-empty queries are empty.
/// </summary>
public sealed class FundPropertyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Sequences = 400;
    private const int StepsPerSequence = 80;

    [Fact]
    public void RandomSequences_NeverPayTwice_NeverExceedPayableBudgetOrBalance_AndBudgetStatusBalances()
    {
        int applied = 0, refused = 0, confirmed = 0;
        for (int seed = 1; seed <= Sequences; seed++)
        {
            var run = new Run(seed);
            for (int step = 0; step < StepsPerSequence; step++)
            {
                if (run.Step()) applied++; else refused++;
                run.Check($"seed {seed} step {step}");
            }
            run.CheckQueries($"seed {seed}");
            confirmed += run.Confirmed;
        }
        output.WriteLine($"{applied} steps applied, {refused} refused, {confirmed} payments confirmed; refusals: {string.Join(", ", Run.Refusals.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key}={kv.Value}"))}");
        Assert.True(applied > Sequences * StepsPerSequence / 4, $"only {applied} steps applied");
        Assert.True(refused > Sequences, $"only {refused} steps refused");
        Assert.True(confirmed > Sequences, $"only {confirmed} payments confirmed; refusals: {string.Join(", ", Run.Refusals.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key}={kv.Value}"))}");
    }

    private sealed class Run
    {
        private readonly Random _random;
        private readonly FundWorld _w = new();
        private readonly string[] _households = ["H1", "H2", "H3", "H4", "H5", "H6"];
        private readonly Dictionary<string, long> _appraised = [];
        private int _next;
        private MemoryContractHost Host => _w.Host;
        public int Confirmed { get; private set; }
        public static readonly Dictionary<string, int> Refusals = [];

        public Run(int seed)
        {
            _random = new Random(seed);
            _w.DecidedProject(budget: _random.Next(3, 8) * 1_000_000L);
            foreach (var hh in _households)
            {
                _appraised[hh] = _random.Next(5, 20) * 100_000L;
                _w.Household(hh, value: _appraised[hh]);
            }
        }

        private string Agr(string hh) => "A-" + hh;
        private AgreementHead? Head(string hh) => Host.Get<AgreementHead>(FundKeys.AgreementHead(Agr(hh)));

        public bool Step()
        {
            Host.Now += _random.Next(0, 3) * FundWorld.Day / 4;
            var withAgreements = _households.Where(h => Head(h) is not null).ToArray();
            var hh = _households[_random.Next(_households.Length)];
            int op = _random.Next(14);
            // Steps on agreements pick among households that have one, so agreements get through the chain.
            if (op is >= 3 and <= 8 && withAgreements.Length > 0) hh = withAgreements[_random.Next(withAgreements.Length)];
            var inProgress = withAgreements.Where(h => _w.Agreement(Agr(h), Head(h)!.CurrentVer).Status is AgreementStatus.Draft or AgreementStatus.Reviewed or AgreementStatus.AuditChecked or AgreementStatus.Approved).ToArray();
            if (op is 3 or 11 or 12 && inProgress.Length > 0) hh = inProgress[_random.Next(inProgress.Length)];
            var signed = withAgreements.Where(h => _w.Agreement(Agr(h), Head(h)!.CurrentVer).Status == AgreementStatus.Signed).ToArray();
            if (op is 4 or 5 or 6 or 9 && signed.Length > 0 && _random.Next(5) != 0) hh = signed[_random.Next(signed.Length)];
            var agrId = Agr(hh);
            var head = Head(hh);
            var id = $"x{++_next}";
            var before = Host.Fingerprint();
            try
            {
                switch (op)
                {
                    case 0:
                        _w.Deposit(id, _random.Next(1, 300) * 1_000L);
                        break;
                    case 1 or 2:
                    {
                        if (head is not null && _random.Next(6) != 0) return false; // new versions now and then
                        long value = _appraised[hh] + (_random.Next(4) == 0 ? _appraised[hh] / 10 : _random.Next(-20, 20) * 1_000L);
                        long paid = head?.Paid ?? 0;
                        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft(agrId, hh, houseValue: value, relocation: _random.Next(0, 100) * 1_000L, ver: (head?.CurrentVer ?? 0) + 1,
                            paidSoFar: paid, deviationReason: _random.Next(2) == 0 ? "survey correction" : null));
                        break;
                    }
                    case 3 or 11 or 12:
                        if (head is null) return false;
                        var a = _w.Agreement(agrId, head.CurrentVer);
                        switch (a.Status)
                        {
                            case AgreementStatus.Draft: Host.Invoke(_w.Reviewer, "ReviewAgreement", new { agrId, ver = a.Ver }); break;
                            case AgreementStatus.Reviewed: Host.Invoke(_w.Auditor, "AuditCheck", new { agrId, ver = a.Ver, noteHash = CharityWorld.Hash(id) }); break;
                            case AgreementStatus.AuditChecked: Host.Invoke(_w.Approver, "ApproveAgreement", new { agrId, ver = a.Ver }); break;
                            case AgreementStatus.Approved: Host.Invoke(_w.Drafter, "SignAgreement", new { agrId, ver = a.Ver, signatureHash = CharityWorld.Hash(id), witnessHash = CharityWorld.Hash("w") }); break;
                            default: return false;
                        }
                        break;
                    case 4 or 5 or 6:
                    {
                        if (head is null) return false;
                        var current = _w.Agreement(agrId, head.CurrentVer);
                        if (current.Schedule.Count == 0) return false;
                        var instalment = current.Schedule[_random.Next(current.Schedule.Count)];
                        long amount = _random.Next(8) == 0 ? instalment.Amount + 1 : instalment.Amount;
                        string? payee = _random.Next(10) == 0 ? CharityWorld.Hash("impostor") : null;
                        Host.Invoke(_w.Cashier, "InstructPayment", _w.Instruction(id, agrId, instalment.Seq, amount, head.CurrentVer, payee, hh));
                        break;
                    }
                    case 7 or 8:
                    {
                        var pending = Host.Entries(FundKeys.PaymentPrefix).Select(e => ContractJson.Deserialize<Payment>(e.Value)).Where(p => p.Status == PaymentStatus.Instructed).ToList();
                        if (pending.Count == 0) return false;
                        var payment = pending[_random.Next(pending.Count)];
                        if (_random.Next(6) == 0) Host.Invoke(_w.Teller, "FailPayment", new { payId = payment.PayId, bankTxRef = _w.NextBankRef(), reason = "AccountClosed" });
                        else { Host.Invoke(_w.Teller, "ConfirmPayment", new { payId = payment.PayId, bankTxRef = _w.NextBankRef() }); Confirmed++; }
                        break;
                    }
                    case 9:
                        if (head is null) return false;
                        Host.Invoke(_w.Drafter, "ConfirmHandover", new { projectId = FundWorld.P, hhId = hh });
                        break;
                    case 10:
                        Host.Invoke(_w.Cashier, "InstructLeftoverReturn", new { returnId = id, projectId = FundWorld.P, amount = _random.Next(1, 500) * 1_000L });
                        Host.Invoke(_w.Teller, "ConfirmLeftoverReturn", new { returnId = id, bankTxRef = _w.NextBankRef() });
                        break;
                    default:
                        var target = FundContract.HouseholdTarget(FundWorld.P, hh);
                        if (Host.Get<Hold>(Holds.Key(target)) is null && _random.Next(3) == 0) Host.Invoke(_w.Inspector, "PlaceHold", new { targetKey = target, reason = "spot check" });
                        else Host.Invoke(_w.Inspector, "ReleaseHold", new { targetKey = target });
                        break;
                }
                return true;
            }
            catch (ContractException e)
            {
                Refusals[e.Code + " " + op] = Refusals.GetValueOrDefault(e.Code + " " + op) + 1;
                Assert.True(before == Host.Fingerprint(), $"refusal {e} changed state");
                return false;
            }
        }

        public void Check(string where)
        {
            var project = _w.Project();
            var payments = Host.Entries(FundKeys.PaymentPrefix).Select(e => ContractJson.Deserialize<Payment>(e.Value)).ToList();
            long confirmed = payments.Where(p => p.Status == PaymentStatus.Confirmed).Sum(p => p.Amount);
            Assert.True(project.Paid == confirmed, $"{where}: project paid {project.Paid} != confirmed payments {confirmed}");
            Assert.True(project.Balance >= 0 && project.Balance >= project.Pending, $"{where}: balance {project.Balance}, pending {project.Pending}");
            Assert.True(project.Deposited == project.Paid + project.Returned + project.Balance, $"{where}: account does not balance");
            var budget = Host.Query("BudgetStatus", new { projectId = FundWorld.P });
            Assert.True(budget.GetProperty("balanced").GetBoolean(), $"{where}: BudgetStatus not balanced");
            Assert.True(project.Committed <= project.Budget, $"{where}: committed {project.Committed} > budget {project.Budget}");

            long committed = 0;
            foreach (var entry in Host.Entries(FundKeys.AgreementHeadPrefix))
            {
                var head = ContractJson.Deserialize<AgreementHead>(entry.Value);
                var current = _w.Agreement(head.AgrId, head.CurrentVer);
                committed += current.Status is AgreementStatus.Approved or AgreementStatus.Signed or AgreementStatus.Decided ? current.Payable : head.Paid;
                long paid = payments.Where(p => p.AgrId == head.AgrId && p.Status == PaymentStatus.Confirmed).Sum(p => p.Amount);
                Assert.True(head.Paid == paid, $"{where}: {head.AgrId} paid {head.Paid} != {paid}");
                Assert.True(head.Paid + head.Pending <= current.Payable, $"{where}: {head.AgrId} paid {head.Paid} + pending {head.Pending} > payable {current.Payable}");
            }
            Assert.True(committed == project.Committed, $"{where}: committed {project.Committed} != Σ (approved ? payable : paid) {committed}");
            long pendingReturns = project.Pending - payments.Where(p => p.Status == PaymentStatus.Instructed).Sum(p => p.Amount);
            Assert.True(project.Balance - pendingReturns >= project.Committed - project.Paid, $"{where}: the account no longer covers what approved agreements still owe");
            var unitsPaid = Host.Entries(FundKeys.PaidUnitPrefix).GroupBy(e => e.Key.Split('/')[1]);
            Assert.All(unitsPaid, g => Assert.True(g.Count() == 1, $"{where}: unit {g.Key} paid under {g.Count()} agreements"));
        }

        public void CheckQueries(string where)
        {
            Assert.True(Host.Query("HouseholdsPaidTwice", new { }).GetProperty("empty").GetBoolean(), $"{where}: HouseholdsPaidTwice is not empty");
            Assert.True(Host.Query("PaymentsWithoutApprovedAgreement", new { limit = 1000 }).GetProperty("items").GetArrayLength() == 0, $"{where}: PaymentsWithoutApprovedAgreement is not empty");
            Assert.True(Host.Query("SelfApprovedOrSameActor", new { limit = 1000 }).GetProperty("items").GetArrayLength() == 0, $"{where}: SelfApprovedOrSameActor is not empty");
        }
    }
}
