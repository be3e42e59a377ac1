using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;
using Chain.Contracts.DemolitionFund;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.DemolitionFund;

/// <summary>
/// Model-based property test of the demolition-fund contract: seeded random sequences of every function,
/// called by every role, checked after every step against a reference model of the dedicated account,
/// commitments, agreements, instalments, payee accounts, holds and close-out, and against the contract's own
/// invariant query. The model predicts the refusals the rules demand (leftover returns before close-out,
/// approvals above the budget or the deposits, swap units on cash agreements, handover before compensation,
/// payments to an account the department did not approve, held targets, stale audit attestations, comment
/// periods under 30 days, amounts out of range); any such call the contract applies fails the test.
/// </summary>
public sealed class FundPropertyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Sequences = 120;
    private const int StepsPerSequence = 160;

    [Fact]
    public void RandomSequences_OfEveryFunctionByEveryRole_MatchTheModel_AndKeepTheLaws()
    {
        var tried = new HashSet<(string, string)>();
        var calls = new Dictionary<string, int>();
        var refusals = new Dictionary<string, int>();
        var applied = new Dictionary<string, int>();
        int predicted = 0, confirmed = 0, returned = 0, settled = 0;
        for (int seed = 1; seed <= Sequences; seed++)
        {
            var run = new Run(seed, calls);
            for (int step = 0; step < StepsPerSequence; step++) run.Step();
            if (seed <= 10) run.CheckFieldUnits();
            tried.UnionWith(run.Tried);
            foreach (var (code, n) in run.RefusalsByFunction) refusals[code] = refusals.GetValueOrDefault(code) + n;
            foreach (var (f, n) in run.AppliedByFunction) applied[f] = applied.GetValueOrDefault(f) + n;
            predicted += run.PredictedRefusals;
            confirmed += run.Confirmed;
            returned += run.Returned ? 1 : 0;
            settled += run.Settled ? 1 : 0;
        }
        output.WriteLine($"{confirmed} payments confirmed, {returned} sequences returned a leftover, {settled} settled; {predicted} refusals predicted by the model");
        output.WriteLine("applied: " + string.Join(", ", applied.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));
        output.WriteLine("refused: " + string.Join(", ", refusals.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));
        var missing = Run.Access.Keys.SelectMany(f => Run.Roles.Select(r => (f, r))).Where(p => !tried.Contains(p)).ToList();
        Assert.True(missing.Count == 0, $"never tried: {string.Join(", ", missing.Take(20))}");
        Assert.True(confirmed > Sequences * 2, $"only {confirmed} payments confirmed");
        Assert.True(returned > Sequences / 10 && settled > Sequences / 20, $"close-out reached too rarely: {returned} returns, {settled} settlements");
        Assert.True(predicted > Sequences, $"only {predicted} predicted refusals");
    }

    private sealed class Run : ModelRun
    {
        private sealed class AgreementM(string id, string hh)
        {
            public string Id = id; public string Hh = hh; public int Ver;
            public AgreementStatus Status; public AgreementMode Mode; public string? SwapUnit;
            public long Payable; public List<(int Seq, long Amount, Condition Condition, long? DueAt)> Schedule = [];
            public HashSet<int> PaidSeqs = [], PendingSeqs = [];
            public long Paid, Pending;
            public readonly HashSet<string> Actors = [];
            public long? SignedAt;
            public bool Live => Status is AgreementStatus.Approved or AgreementStatus.Signed or AgreementStatus.Decided;
        }

        private sealed class HouseholdM(string id)
        {
            public string Id = id; public long Paid; public long? HandedOverAt; public bool Closed; public string? Agreement;
            public string? Approved; public string? Proposed; public string? ProposedBy; public long? LastPaidAt; public long? ListedAt;
        }

        private sealed record PaymentM(string Id, string Agr, int Ver, int Seq, long Amount, string Hh)
        {
            public PaymentStatus Status = PaymentStatus.Instructed;
        }

        private readonly FundWorld _w = new();
        private readonly Dictionary<string, HouseholdM> _households = [];
        private readonly Dictionary<string, AgreementM> _agreements = [];
        private readonly List<PaymentM> _payments = [];
        private readonly Dictionary<string, (long Amount, int State)> _returns = []; // 0 instructed, 1 confirmed, 2 failed
        private readonly Dictionary<string, string> _holds = [];
        private readonly Dictionary<string, string> _claims = [];   // resettlement unit → agreement
        private readonly Dictionary<string, string> _assigned = []; // resettlement unit → agreement
        private readonly Dictionary<string, long> _appraised = [];
        private long _budget, _deposited, _paid, _returned, _pendingPayments, _pendingReturns, _signingTo;
        // The plan notice went up 31 days before it was recorded; until audit confirms it, comment runs from the record.
        private long _recordedAt;
        private bool _noticeConfirmed;
        // Ledger order of the events close-out depends on (each call is its own block).
        private long? _attestedAt, _lastPaymentAt, _surveyClosedAt;
        private long _order;
        private ProjectStatus _status;
        private int _next, _round, _published;
        public int Confirmed => _payments.Count(p => p.Status == PaymentStatus.Confirmed);
        public bool Returned => _returns.Values.Any(r => r.State == 1);
        public bool Settled => _status == ProjectStatus.Settled;
        private const string P = FundWorld.P;

        public static readonly IReadOnlyDictionary<string, string[]> Access = new Dictionary<string, string[]>
        {
            ["CreateProject"] = ["government"], ["DecideProject"] = ["government"], ["IssueDecision"] = ["government"], ["SettleProject"] = ["government"],
            ["PublishPlan"] = ["reviewer", "approver"], ["PublishHouseholdList"] = ["reviewer", "approver"], ["RegisterResettlementUnit"] = ["reviewer", "approver"],
            ["AssignResettlementUnit"] = ["reviewer", "approver"], ["CloseHousehold"] = ["reviewer", "approver"], ["CloseSurvey"] = ["reviewer", "approver"],
            ["ApprovePayeeAccount"] = ["reviewer", "approver"],
            ["ReviewAgreement"] = ["reviewer"], ["ApproveAgreement"] = ["approver"],
            ["RegisterHousehold"] = ["drafter"], ["DraftAgreement"] = ["drafter"], ["ConfirmHandover"] = ["drafter"], ["ProposePayeeAccount"] = ["drafter"],
            ["SignAgreement"] = ["household", "drafter"], ["RecordAppraisal"] = ["appraiser"],
            ["AuditCheck"] = ["auditor"], ["Attest"] = ["auditor"], ["ConfirmPlanNotice"] = ["auditor"],
            ["InstructPayment"] = ["finance"], ["InstructLeftoverReturn"] = ["finance"],
            ["ConfirmDeposit"] = ["bank"], ["ConfirmPayment"] = ["bank"], ["FailPayment"] = ["bank"], ["ConfirmLeftoverReturn"] = ["bank"], ["FailLeftoverReturn"] = ["bank"],
            ["PlaceHold"] = ["auditor", "inspector"], ["ReleaseHold"] = ["auditor", "inspector"], ["RaiseAlerts"] = ["auditor", "inspector", "finance"],
        };

        public static readonly string[] Roles = ["government", "finance", "reviewer", "approver", "drafter", "household", "auditor", "inspector", "appraiser", "bank", "member"];

        protected override IReadOnlyList<Actor> Actors { get; }
        protected override IReadOnlyDictionary<string, string[]> AccessRoles => Access;
        protected override MemoryContractHost Host => _w.Host;

        public Run(int seed, Dictionary<string, int> calls) : base(seed, calls)
        {
            Actors =
            [
                new("gov", "government", _w.Gov), new("cashier", "finance", _w.Cashier), new("reviewer", "reviewer", _w.Reviewer), new("approver", "approver", _w.Approver),
                new("drafter", "drafter", _w.Drafter), new("household", "household", _w.HouseholdAccount), new("auditor", "auditor", _w.Auditor),
                new("inspector", "inspector", _w.Inspector), new("appraiser", "appraiser", _w.Appraiser), new("teller", "bank", _w.Teller),
                new("outsider", "member", CharityWorld.Account("Bank", "clerk9")),
            ];
            _budget = Random.Next(3, 8) * 1_000_000L;
            _signingTo = Host.Now + Random.Next(4, 10) * FundWorld.Day;
            Host.Invoke(_w.Gov, "CreateProject", new
            {
                projectId = P, name = "Block " + seed, budget = _budget, standardsHash = CharityWorld.Hash("standards"), deptOrg = "ExpropriationOffice", implOrgs = new[] { "StreetOffice" },
                financeOrg = "FinanceBureau", bankId = "Bank", accountHash = CharityWorld.Hash("account"), signingFrom = Host.Now - FundWorld.Day, signingTo = _signingTo,
            });
            Host.Invoke(_w.Reviewer, "PublishPlan", new { projectId = P, planHash = CharityWorld.Hash("plan"), publishedAt = Host.Now - 31 * FundWorld.Day });
            _recordedAt = Host.Now;
            // One sequence in four leaves the late notice unconfirmed, so the decision meets the comment time lock.
            if (seed % 4 != 1) ConfirmNotice();
            _status = ProjectStatus.PlanPublished;
            // One sequence in three starts unfunded and undecided, so approvals meet a budget not yet deposited.
            long first = seed % 3 == 0 ? _budget / 2 : _budget;
            Host.Invoke(_w.Teller, "ConfirmDeposit", new { depositId = "D0", projectId = P, amount = first, bankTxRef = _w.NextBankRef() });
            _deposited = first;
            if (first == _budget && _noticeConfirmed)
            {
                Host.Invoke(_w.Gov, "DecideProject", new { projectId = P, decisionNo = "DEC" });
                _status = ProjectStatus.Decided;
            }
            else _status = first == _budget ? ProjectStatus.Funded : ProjectStatus.PlanPublished;
            for (int i = 1; i <= 3; i++) AddHousehold("H" + i, approveAccount: i != 3);
            foreach (var unit in new[] { "R1", "R2" })
                Host.Invoke(_w.Reviewer, "RegisterResettlementUnit", new { resUnitId = unit, projectId = P, area = 6_000L, price = 300_000L });
        }

        private void AddHousehold(string hh, bool approveAccount)
        {
            long value = Random.Next(5, 20) * 100_000L;
            Host.Invoke(_w.Drafter, "RegisterHousehold", new
            {
                projectId = P, hhId = hh, unitNo = $"U{Seed}-{hh}", rightHolderHash = FundWorld.Holder(hh), areas = new { certified = 8_000L }, use = "Residential",
                surveyHash = CharityWorld.Hash("survey " + hh), payeeAcctHash = FundWorld.PayeeAccount(hh),
            });
            Host.Invoke(_w.Appraiser, "RecordAppraisal", new { projectId = P, hhId = hh, unitPrice = value / 80, valueAmount = value, reportHash = CharityWorld.Hash("appraisal " + hh) });
            var model = new HouseholdM(hh) { Proposed = FundWorld.PayeeAccount(hh), ProposedBy = _w.Drafter.Address };
            if (approveAccount)
            {
                Host.Invoke(_w.Reviewer, "ApprovePayeeAccount", new { projectId = P, hhId = hh, payeeAcctHash = FundWorld.PayeeAccount(hh) });
                (model.Approved, model.Proposed) = (model.Proposed, null);
            }
            _households[hh] = model;
            _appraised[hh] = value;
        }

        // ---- the model's view ----

        private long Balance => _deposited - _paid - _returned;
        private long Committed => _agreements.Values.Sum(a => a.Live ? a.Payable : a.Paid);
        private long Owed => Committed - _paid;
        private bool Held(params string?[] targets) => targets.Any(t => t is not null && _holds.ContainsKey(t));
        private static string HhTarget(string hh) => $"household:{P}/{hh}";
        private bool Decided => _status is ProjectStatus.Decided or ProjectStatus.Signing or ProjectStatus.Executing;
        private string Id() => $"x{++_next}";

        private bool PaidInFull(HouseholdM h) => h.Agreement is { } a && _agreements[a] is var agr && agr.Live && agr.Status != AgreementStatus.Approved
            && agr.Schedule.All(i => agr.PaidSeqs.Contains(i.Seq)) && h.HandedOverAt is not null;

        /// <summary>Why the project is not at close-out, or null (survey closed, every household done, audited after the last payment).</summary>
        private string? CloseOutProblem()
        {
            if (_surveyClosedAt is null) return "survey open";
            if (_households.Values.Any(h => !h.Closed && !PaidInFull(h))) return "a household is not done";
            if (_attestedAt is not { } at || at <= (_lastPaymentAt ?? 0) || at <= _surveyClosedAt) return "no audit attestation after the last payment";
            return null;
        }

        // ---- one step ----

        protected override void Next()
        {
            Host.Now += Random.Next(0, 4) * 3_600_000L;
            // Half the steps take the project forward along its normal path, so close-out is reached.
            if (_status != ProjectStatus.Settled && Chance(2)) { Progress(); return; }
            switch (Random.Next(100))
            {
                case < 4: Deposit(); break;
                case < 6: Decide(); break;
                case < 16: Draft(); break;
                case < 30: Advance(); break;
                case < 44: Instruct(); break;
                case < 56: ConfirmOrFail(); break;
                case < 62: Handover(); break;
                case < 64: CloseHousehold(); break;
                case < 68: PayeeAccount(); break;
                case < 71: Resettlement(); break;
                case < 74: Hold(); break;
                case < 77: NewHouseholdOrSurvey(); break;
                case < 85: CloseOut(); break;
                default: Other(); break;
            }
        }

        /// <summary>The next step of the project's normal path: a household's next step, or close-out once every household is done.</summary>
        private void Progress()
        {
            if (_holds.Count > 0) { Hold(); return; }
            if (!Decided && _status != ProjectStatus.Settled)
            {
                if (Balance < _budget) Deposit();
                else if (Host.Now < CommentEnds && Chance(2)) ConfirmNotice();
                else Decide();
                return;
            }
            foreach (var hh in _households.Values.Where(h => !h.Closed && !PaidInFull(h)))
            {
                if (hh.Approved is null) { PayeeAccount(hh); return; }
                if (hh.Agreement is null) { Draft(hh); return; }
                var a = _agreements[hh.Agreement];
                if (a.Status is not (AgreementStatus.Signed or AgreementStatus.Decided)) { Advance(a); return; }
                if (_payments.FirstOrDefault(x => x.Agr == a.Id && x.Status == PaymentStatus.Instructed) is { } pending) { ConfirmOrFail(pending); return; }
                bool beforeMove = a.Schedule.Any(i => i.Condition != Condition.OnHandover && !a.PaidSeqs.Contains(i.Seq));
                if (!beforeMove && hh.HandedOverAt is null) { Handover(hh); return; }
                Instruct(a);
                return;
            }
            if (_surveyClosedAt is null) { NewHouseholdOrSurvey(); return; }
            if (_households.Values.Any(h => h.Paid > 0 && (h.ListedAt is null || h.ListedAt <= h.LastPaidAt))) { CloseOut(0); return; }
            if (_attestedAt is null || _attestedAt <= _lastPaymentAt || _attestedAt <= _surveyClosedAt)
            {
                // Now and then finance tries the return on an attestation older than the last payment first.
                CloseOut(_attestedAt is not null && Chance(3) ? 2 : 1);
                return;
            }
            if (_returns.Values.Any(r => r.State == 0)) { CloseOut(3); return; }
            CloseOut(Balance - _pendingReturns - Math.Max(0, Owed) > 0 ? 2 : 5);
        }

        private void Deposit()
        {
            long amount = Chance(30) ? Money.MaxFen + 1 : Random.Next(1, 20) * 100_000L;
            var p = new Prediction();
            p.Refuse(amount > Money.MaxFen, "amount above the maximum");
            p.Refuse(_status == ProjectStatus.Settled, "settled");
            Attempt("ConfirmDeposit", Who("ConfirmDeposit", Named("teller")), new { depositId = Id(), projectId = P, amount, bankTxRef = _w.NextBankRef() }, p, () =>
            {
                _deposited += amount;
                if (_status == ProjectStatus.PlanPublished && Balance >= _budget) _status = ProjectStatus.Funded;
            });
        }

        private long CommentEnds => (_noticeConfirmed ? _recordedAt - 31 * FundWorld.Day : _recordedAt) + 30 * FundWorld.Day;

        private void ConfirmNotice() =>
            Attempt("ConfirmPlanNotice", Who("ConfirmPlanNotice", Named("auditor")), new { projectId = P, evidenceHash = CharityWorld.Hash("notice board photo") }, null,
                () => _noticeConfirmed = true);

        private void Decide()
        {
            var p = new Prediction();
            bool repeat = Decided || _status == ProjectStatus.Settled;
            p.Refuse(!repeat && Balance < _budget, "underfunded");
            p.Refuse(!repeat && Host.Now < CommentEnds, "open for comment (late notice not confirmed)");
            p.Refuse(!repeat && Held("project:" + P), "held");
            Attempt("DecideProject", Who("DecideProject", Named("gov")), new { projectId = P, decisionNo = "DEC" }, p, () => { if (!repeat) _status = ProjectStatus.Decided; });
        }

        private void Draft(HouseholdM? chosen = null)
        {
            var open = _households.Values.Where(h => !h.Closed).ToList();
            if (open.Count == 0) return;
            var hh = chosen ?? Pick(open);
            if (chosen is null && hh.Agreement is not null && !Chance(8)) return; // new versions now and then
            var agrId = hh.Agreement ?? "A-" + hh.Id;
            _agreements.TryGetValue(agrId, out var agreement);
            int ver = (agreement?.Ver ?? 0) + 1;
            long paidSoFar = agreement?.Paid ?? 0;
            bool swap = Chance(5);
            string? unit = swap || Chance(12) ? Pick(new[] { "R1", "R2" }) : null;
            long value = _appraised[hh.Id], relocation = Random.Next(0, 10) * 10_000L, reward = Random.Next(0, 5) * 10_000L;
            long total = value + relocation + reward;
            long payable = swap ? total - 300_000 : total;
            long left = payable - paidSoFar;
            if (left < 0) return;
            long onHandover = Chance(10) ? Math.Min(left, reward + 10_000) : Math.Min(reward, left);
            var schedule = new List<(int Seq, long Amount, Condition Condition, long? DueAt)>();
            long rest = left - onHandover;
            if (rest > 0 && Chance(4))
            {
                schedule.Add((1, rest / 2, Condition.OnSign, null));
                schedule.Add((2, rest - rest / 2, Condition.Date, Host.Now + FundWorld.Day));
            }
            else if (rest > 0) schedule.Add((1, rest, Condition.OnSign, null));
            if (onHandover > 0) schedule.Add((schedule.Count + 1, onHandover, Condition.OnHandover, null));
            var p = new Prediction();
            p.Refuse(!swap && unit is not null, "a resettlement unit on a cash agreement");
            p.Refuse(onHandover > Math.Min(reward, payable / 10), "more than the on-time-move reward waits for the handover");
            p.Refuse(Held("project:" + P, HhTarget(hh.Id), "agreement:" + agrId), "held");
            p.Refuse(_status == ProjectStatus.Settled, "settled");
            p.Refuse(agreement?.Pending > 0, "instructed payments are with the bank");
            p.Refuse(swap && _claims.TryGetValue(unit!, out var claimant) && claimant != agrId, "a unit promised to another agreement");
            p.Refuse(swap && _assigned.TryGetValue(unit!, out var owner) && owner != agrId, "a unit assigned to another agreement");
            p.Refuse(agreement?.SwapUnit is { } given && _assigned.GetValueOrDefault(given) == agrId && unit != given, "dropping the unit assigned to this agreement");
            var actor = Who("DraftAgreement", Named("drafter"));
            Attempt("DraftAgreement", actor, new
            {
                agrId, ver, projectId = P, hhId = hh.Id, mode = swap ? "Swap" : "Cash",
                items = new[] { new { code = "HouseValue", amount = value }, new { code = "Relocation", amount = relocation }, new { code = "Reward", amount = reward } },
                payable, schedule = schedule.Select(i => new { seq = i.Seq, amount = i.Amount, condition = i.Condition.ToString(), dueAt = i.DueAt }).ToArray(),
                swapUnitId = unit, moveDeadline = Host.Now + 30 * FundWorld.Day, docHash = CharityWorld.Hash($"{agrId} {ver}"),
            }, p, () =>
            {
                if (agreement is null) _agreements[agrId] = agreement = new AgreementM(agrId, hh.Id);
                else
                {
                    if (agreement.SwapUnit is { } old && old != unit) _claims.Remove(old);
                    agreement.PaidSeqs.Clear();
                    agreement.PendingSeqs.Clear();
                    agreement.Actors.Clear();
                }
                agreement.Ver = ver;
                agreement.Status = AgreementStatus.Draft;
                agreement.Mode = swap ? AgreementMode.Swap : AgreementMode.Cash;
                agreement.SwapUnit = unit;
                agreement.Payable = payable;
                agreement.Schedule = schedule;
                agreement.SignedAt = null;
                agreement.Actors.Add(actor.Caller.Address.ToLowerInvariant());
                if (unit is not null) _claims[unit] = agrId;
                hh.Agreement = agrId;
            });
        }

        private AgreementM? PickAgreement(Func<AgreementM, bool> where)
        {
            var candidates = _agreements.Values.Where(a => a.Status != AgreementStatus.Cancelled && where(a)).ToList();
            return candidates.Count == 0 ? null : Pick(candidates);
        }

        /// <summary>The next step of an agreement's approval chain: review, audit check, approval, signature or decision.</summary>
        private void Advance(AgreementM? chosen = null)
        {
            if ((chosen ?? PickAgreement(a => a.Status is not (AgreementStatus.Signed or AgreementStatus.Decided))) is not { } a) return;
            var args = new { agrId = a.Id, ver = a.Ver };
            bool held = Held("project:" + P, HhTarget(a.Hh), "agreement:" + a.Id);
            switch (a.Status)
            {
                case AgreementStatus.Draft:
                {
                    var actor = Who("ReviewAgreement", Named("reviewer"));
                    Attempt("ReviewAgreement", actor, args, null, () => { a.Status = AgreementStatus.Reviewed; a.Actors.Add(actor.Caller.Address.ToLowerInvariant()); });
                    break;
                }
                case AgreementStatus.Reviewed:
                {
                    var actor = Who("AuditCheck", Named("auditor"));
                    Attempt("AuditCheck", actor, new { agrId = a.Id, ver = a.Ver, noteHash = CharityWorld.Hash("audit " + a.Id) }, null,
                        () => { a.Status = AgreementStatus.AuditChecked; a.Actors.Add(actor.Caller.Address.ToLowerInvariant()); });
                    break;
                }
                case AgreementStatus.AuditChecked:
                {
                    long committed = Committed - a.Paid + a.Payable;
                    var p = new Prediction();
                    p.Refuse(committed > _budget, "commits more than the budget");
                    p.Refuse(committed > _deposited - _returned - _pendingReturns, "commits more than was deposited");
                    p.Refuse(held, "held");
                    p.Refuse(a.SwapUnit is { } unit && _claims.GetValueOrDefault(unit) != a.Id, "its unit is promised to another agreement");
                    var actor = Who("ApproveAgreement", Named("approver"));
                    Attempt("ApproveAgreement", actor, args, p, () => { a.Status = AgreementStatus.Approved; a.Actors.Add(actor.Caller.Address.ToLowerInvariant()); });
                    break;
                }
                default:
                {
                    var p = new Prediction();
                    p.Refuse(held, "held");
                    p.Refuse(!Decided, "before the expropriation decision");
                    if (Host.Now > _signingTo)
                    {
                        Attempt("IssueDecision", Who("IssueDecision", Named("gov")), new { agrId = a.Id, ver = a.Ver, decisionNo = "BCJD-" + a.Id }, p, () => Signed(a, AgreementStatus.Decided));
                    }
                    else
                        Attempt("SignAgreement", Who("SignAgreement", Named("drafter")), new { agrId = a.Id, ver = a.Ver, signatureHash = CharityWorld.Hash("sig " + a.Id + a.Ver), witnessHash = CharityWorld.Hash("w") },
                            p, () => Signed(a, AgreementStatus.Signed));
                    break;
                }
            }
        }

        private void Signed(AgreementM a, AgreementStatus status)
        {
            a.Status = status;
            a.SignedAt = Host.Now;
            if (_status == ProjectStatus.Decided) _status = ProjectStatus.Signing;
        }

        private void Instruct(AgreementM? chosen = null)
        {
            // Mostly an unpaid instalment of a signed agreement.
            var signed = PickAgreement(a => a.Status is AgreementStatus.Signed or AgreementStatus.Decided && a.Schedule.Any(i => !a.PaidSeqs.Contains(i.Seq) && !a.PendingSeqs.Contains(i.Seq)));
            if ((chosen ?? (signed is not null && !Chance(5) ? signed : PickAgreement(a => a.Schedule.Count > 0))) is not { } a) return;
            var open = a.Schedule.Where(i => !a.PaidSeqs.Contains(i.Seq) && !a.PendingSeqs.Contains(i.Seq)).ToList();
            var (seq, amount, condition, dueAt) = open.Count > 0 && !Chance(5) ? Pick(open) : Pick(a.Schedule);
            var hh = _households[a.Hh];
            long sent = Chance(15) ? amount + 1 : amount;
            string account = Chance(12) ? CharityWorld.Hash("some other account") : FundWorld.PayeeAccount(a.Hh);
            var p = new Prediction();
            p.Refuse(sent != amount, "not the scheduled amount");
            p.Refuse(hh.Approved is null || account != hh.Approved, "not the approved payee account");
            p.Refuse(Held("project:" + P, HhTarget(a.Hh), "agreement:" + a.Id), "held");
            p.Refuse(a.Status is not (AgreementStatus.Signed or AgreementStatus.Decided), $"agreement is {a.Status}");
            p.Refuse(a.PaidSeqs.Contains(seq) || a.PendingSeqs.Contains(seq), "instalment paid or instructed");
            p.Refuse(condition == Condition.OnHandover && hh.HandedOverAt is null, "due on handover");
            p.Refuse(condition == Condition.Date && Host.Now < dueAt, "due later");
            p.Refuse(!Decided, "before the decision");
            var id = Id();
            Attempt("InstructPayment", Who("InstructPayment", Named("cashier")), new
            {
                payId = id, agrId = a.Id, ver = a.Ver, seq, amount = sent, payeeAcctHash = account, payeeIdHash = FundWorld.Holder(a.Hh),
            }, p, () =>
            {
                _payments.Add(new PaymentM(id, a.Id, a.Ver, seq, amount, a.Hh));
                a.PendingSeqs.Add(seq);
                a.Pending += amount;
                _pendingPayments += amount;
            });
        }

        private void ConfirmOrFail(PaymentM? chosen = null)
        {
            var pending = _payments.Where(x => x.Status == PaymentStatus.Instructed).ToList();
            var payment = chosen ?? (pending.Count > 0 && !Chance(6) ? Pick(pending) : _payments.Count > 0 ? Pick(_payments) : null);
            if (payment is null) return;
            var a = _agreements[payment.Agr];
            var p = new Prediction();
            p.Refuse(payment.Status != PaymentStatus.Instructed, $"payment is {payment.Status}");
            if (Chance(7))
            {
                Attempt("FailPayment", Who("FailPayment", Named("teller")), new { payId = payment.Id, bankTxRef = _w.NextBankRef(), reason = "AccountClosed" }, p, () =>
                {
                    payment.Status = PaymentStatus.Failed;
                    a.Pending -= payment.Amount;
                    a.PendingSeqs.Remove(payment.Seq);
                    _pendingPayments -= payment.Amount;
                });
                return;
            }
            p.Refuse(Held("project:" + P, HhTarget(payment.Hh), "agreement:" + payment.Agr, "payment:" + payment.Id), "held");
            Attempt("ConfirmPayment", Who("ConfirmPayment", Named("teller")), new { payId = payment.Id, bankTxRef = _w.NextBankRef() }, p, () =>
            {
                payment.Status = PaymentStatus.Confirmed;
                a.Pending -= payment.Amount;
                a.Paid += payment.Amount;
                a.PendingSeqs.Remove(payment.Seq);
                if (payment.Ver == a.Ver) a.PaidSeqs.Add(payment.Seq);
                _pendingPayments -= payment.Amount;
                _paid += payment.Amount;
                _lastPaymentAt = ++_order;
                var hh = _households[payment.Hh];
                hh.Paid += payment.Amount;
                hh.LastPaidAt = _order;
                if (_status is ProjectStatus.Signing or ProjectStatus.Decided) _status = ProjectStatus.Executing;
            });
        }

        private void Handover(HouseholdM? chosen = null)
        {
            var candidates = _households.Values.Where(h => h.Agreement is not null && !h.Closed).ToList();
            if (candidates.Count == 0) return;
            var ready = candidates.Where(h => h.HandedOverAt is null && _agreements[h.Agreement!] is { Status: AgreementStatus.Signed or AgreementStatus.Decided } a
                && a.Schedule.All(i => i.Condition == Condition.OnHandover || a.PaidSeqs.Contains(i.Seq))).ToList();
            var hh = chosen ?? (ready.Count > 0 && !Chance(4) ? Pick(ready) : Pick(candidates));
            // Now and then discipline freezes the household just before its handover.
            if (chosen is null && ready.Contains(hh) && Chance(4)) PlaceHoldOn(HhTarget(hh.Id));
            var a = _agreements[hh.Agreement!];
            bool repeat = hh.HandedOverAt is not null;
            var p = new Prediction();
            p.Refuse(!repeat && a.Status is not (AgreementStatus.Signed or AgreementStatus.Decided), $"agreement is {a.Status}");
            p.Refuse(!repeat && a.Schedule.Any(i => i.Condition != Condition.OnHandover && !a.PaidSeqs.Contains(i.Seq)), "compensation comes before the move");
            p.Refuse(!repeat && Held("project:" + P, HhTarget(hh.Id), "agreement:" + a.Id), "held");
            Attempt("ConfirmHandover", Who("ConfirmHandover", Named("drafter")), new { projectId = P, hhId = hh.Id }, p, () => hh.HandedOverAt ??= Host.Now);
        }

        private void CloseHousehold()
        {
            if (!Chance(3)) return;
            var hh = Pick(_households.Values.ToList());
            var a = hh.Agreement is null ? null : _agreements[hh.Agreement];
            var p = new Prediction();
            p.Refuse(!hh.Closed && (hh.Paid > 0 || a?.Live == true), "approved or paid");
            p.Refuse(!hh.Closed && Held("project:" + P, HhTarget(hh.Id), a is null ? null : "agreement:" + a.Id), "held");
            Attempt("CloseHousehold", Who("CloseHousehold", Named("reviewer")), new { projectId = P, hhId = hh.Id, reason = "duplicate record" }, p, () =>
            {
                if (hh.Closed) return;
                hh.Closed = true;
                if (a is null) return;
                a.Status = AgreementStatus.Cancelled;
                if (a.SwapUnit is { } unit) _claims.Remove(unit);
                hh.Agreement = null;
            });
        }

        private void PayeeAccount(HouseholdM? chosen = null)
        {
            var hh = chosen ?? Pick(_households.Values.ToList());
            if (hh.Proposed is null || Chance(4))
            {
                var account = CharityWorld.Hash($"new account {hh.Id} {Random.Next(3)}");
                var p = new Prediction();
                bool noOp = hh.Proposed == account || (hh.Proposed is null && hh.Approved == account);
                p.Refuse(!noOp && hh.Closed, "closed");
                p.Refuse(!noOp && Held("project:" + P, HhTarget(hh.Id)), "held");
                var actor = Who("ProposePayeeAccount", Named("drafter"));
                Attempt("ProposePayeeAccount", actor, new { projectId = P, hhId = hh.Id, payeeAcctHash = account, reason = "household changed banks" }, p, () =>
                {
                    if (noOp) return;
                    hh.Proposed = account;
                    hh.ProposedBy = actor.Caller.Address;
                });
                return;
            }
            var approving = Chance(6) ? CharityWorld.Hash("not the proposed one") : hh.Proposed;
            var q = new Prediction();
            q.Refuse(approving != hh.Proposed, "approving another account than the proposed one");
            q.Refuse(Held("project:" + P, HhTarget(hh.Id)), "held");
            Attempt("ApprovePayeeAccount", Who("ApprovePayeeAccount", Named(Chance(2) ? "reviewer" : "approver")), new { projectId = P, hhId = hh.Id, payeeAcctHash = approving }, q,
                () => (hh.Approved, hh.Proposed) = (hh.Proposed, null));
        }

        private void Resettlement()
        {
            var unit = Pick(new[] { "R1", "R2" });
            var a = PickAgreement(_ => true);
            if (a is null) return;
            bool repeat = _assigned.GetValueOrDefault(unit) == a.Id;
            var p = new Prediction();
            p.Refuse(!repeat && a.Mode != AgreementMode.Swap, "a unit for a cash agreement");
            p.Refuse(!repeat && a.SwapUnit != unit, "the agreement does not name the unit");
            p.Refuse(!repeat && _assigned.ContainsKey(unit), "assigned already");
            p.Refuse(!repeat && _claims.GetValueOrDefault(unit) != a.Id, "promised to another agreement");
            p.Refuse(!repeat && a.Status is not (AgreementStatus.Signed or AgreementStatus.Decided), $"agreement is {a.Status}");
            p.Refuse(!repeat && Held("project:" + P, HhTarget(a.Hh), "agreement:" + a.Id), "held");
            Attempt("AssignResettlementUnit", Who("AssignResettlementUnit", Named("reviewer")), new { resUnitId = unit, agrId = a.Id }, p, () => _assigned[unit] = a.Id);
        }

        private void Hold()
        {
            var targets = new List<string> { "project:" + P };
            targets.AddRange(_households.Keys.Select(HhTarget));
            targets.AddRange(_agreements.Keys.Select(a => "agreement:" + a));
            targets.AddRange(_payments.Select(x => "payment:" + x.Id));
            var target = _holds.Count > 0 && !Chance(4) ? Pick(_holds.Keys.ToList()) : Pick(targets);
            var actor = Who("PlaceHold", _holds.TryGetValue(target, out var holder) && !Chance(5) ? Named(holder == "AuditBureau" ? "auditor" : "inspector") : Named(Chance(2) ? "auditor" : "inspector"));
            var p = new Prediction();
            if (_holds.TryGetValue(target, out var by))
            {
                p.Refuse(by != actor.Caller.Organization, "released by another organisation");
                Attempt("ReleaseHold", actor, new { targetKey = target }, p, () => _holds.Remove(target));
                return;
            }
            Attempt("PlaceHold", actor, new { targetKey = target, reason = "spot check" }, p, () => _holds[target] = actor.Caller.Organization);
        }

        private void PlaceHoldOn(string target)
        {
            if (_holds.ContainsKey(target)) return;
            Attempt("PlaceHold", Named("inspector"), new { targetKey = target, reason = "spot check" }, null, () => _holds[target] = "Discipline");
        }

        private void NewHouseholdOrSurvey()
        {
            if (_surveyClosedAt is null && _households.Count < 5 && Chance(3))
            {
                var hh = "H" + (_households.Count + 1);
                long value = Random.Next(5, 20) * 100_000L;
                var p = new Prediction();
                p.Refuse(_status == ProjectStatus.Settled, "settled");
                Attempt("RegisterHousehold", Who("RegisterHousehold", Named("drafter")), new
                {
                    projectId = P, hhId = hh, unitNo = $"U{Seed}-{hh}", rightHolderHash = FundWorld.Holder(hh), areas = new { certified = 8_000L }, use = "Residential",
                    surveyHash = CharityWorld.Hash("survey " + hh), payeeAcctHash = FundWorld.PayeeAccount(hh),
                }, p, () =>
                {
                    _households[hh] = new HouseholdM(hh) { Proposed = FundWorld.PayeeAccount(hh), ProposedBy = _w.Drafter.Address };
                    _appraised[hh] = value;
                    Host.Invoke(_w.Appraiser, "RecordAppraisal", new { projectId = P, hhId = hh, unitPrice = value / 80, valueAmount = value, reportHash = CharityWorld.Hash("appraisal " + hh) });
                });
                return;
            }
            if (_surveyClosedAt is not null)
            {
                // After the survey is closed no household can be added.
                var p = new Prediction();
                p.Refuse(true, "the survey is closed");
                Attempt("RegisterHousehold", Who("RegisterHousehold", Named("drafter")), new
                {
                    projectId = P, hhId = "late" + _next++, unitNo = $"U{Seed}-late{_next}", rightHolderHash = FundWorld.Holder("late"), areas = new { certified = 8_000L }, use = "Residential",
                    surveyHash = CharityWorld.Hash("late"), payeeAcctHash = FundWorld.PayeeAccount("late"),
                }, p);
            }
            int count = Chance(6) ? _households.Count + 1 : _households.Count;
            var q = new Prediction();
            bool repeat = _surveyClosedAt is not null;
            q.Refuse(!repeat && count < 1, "at least one household");
            q.Refuse(!repeat && count != _households.Count, "the survey list does not match the households");
            q.Refuse(!repeat && _status == ProjectStatus.Settled, "settled");
            Attempt("CloseSurvey", Who("CloseSurvey", Named("reviewer")), new { projectId = P, households = count, surveyListHash = CharityWorld.Hash("survey list") }, q,
                () => _surveyClosedAt ??= ++_order);
        }

        /// <summary>Steps toward close-out: list, attest, return the leftover, settle.</summary>
        private void CloseOut(int? step = null)
        {
            switch (step ?? Random.Next(6))
            {
                case 0:
                {
                    var paid = _households.Values.Where(h => h.Paid > 0).Select(h => h.Id).ToArray();
                    if (paid.Length == 0) return;
                    int round = ++_round;
                    Attempt("PublishHouseholdList", Who("PublishHouseholdList", Named("reviewer")), new { projectId = P, round, listHash = CharityWorld.Hash("list " + round), hhIds = paid }, null,
                        () => { ++_order; foreach (var h in paid) _households[h].ListedAt = _order; _published = round; });
                    break;
                }
                case 1:
                    Attempt("Attest", Who("Attest", Named("auditor")), new { projectId = P, reportHash = CharityWorld.Hash("audit " + Id()) }, null, () => _attestedAt = ++_order);
                    break;
                case 2:
                {
                    long free = Balance - _pendingReturns - Math.Max(0, Owed);
                    long amount = Chance(4) ? free + 1 : Math.Max(1, free);
                    var p = new Prediction();
                    p.Refuse(CloseOutProblem() is not null, "before close-out: " + CloseOutProblem());
                    p.Refuse(Held("project:" + P), "held");
                    p.Refuse(amount > free, "more than the leftover");
                    var id = Id();
                    Attempt("InstructLeftoverReturn", Who("InstructLeftoverReturn", Named("cashier")), new { returnId = id, projectId = P, amount }, p, () =>
                    {
                        _returns[id] = (amount, 0);
                        _pendingReturns += amount;
                    });
                    break;
                }
                case 3 or 4:
                {
                    if (_returns.Count == 0) return;
                    var (id, (amount, state)) = Pick(_returns.ToList());
                    var p = new Prediction();
                    p.Refuse(state != 0, "not instructed");
                    if (Chance(3))
                    {
                        Attempt("FailLeftoverReturn", Who("FailLeftoverReturn", Named("teller")), new { returnId = id, bankTxRef = _w.NextBankRef() }, p, () =>
                        {
                            _returns[id] = (amount, 2);
                            _pendingReturns -= amount;
                        });
                        return;
                    }
                    // Now and then discipline freezes the project just before the bank returns the leftover.
                    if (state == 0 && !_holds.ContainsKey("project:" + P) && Chance(4)) PlaceHoldOn("project:" + P);
                    p.Refuse(Held("project:" + P), "held");
                    Attempt("ConfirmLeftoverReturn", Who("ConfirmLeftoverReturn", Named("teller")), new { returnId = id, bankTxRef = _w.NextBankRef() }, p, () =>
                    {
                        _returns[id] = (amount, 1);
                        _pendingReturns -= amount;
                        _returned += amount;
                    });
                    break;
                }
                default:
                {
                    var p = new Prediction();
                    bool repeat = _status == ProjectStatus.Settled;
                    p.Refuse(!repeat && _status is not (ProjectStatus.Signing or ProjectStatus.Executing), $"project is {_status}");
                    p.Refuse(!repeat && Held("project:" + P), "held");
                    p.Refuse(!repeat && CloseOutProblem() is not null, "before close-out: " + CloseOutProblem());
                    p.Refuse(!repeat && (Balance != 0 || _pendingPayments + _pendingReturns != 0), "money left in the account");
                    p.Refuse(!repeat && _households.Values.Any(h => h.Paid > 0 && (h.ListedAt is null || h.ListedAt <= h.LastPaidAt)), "a paid household is not published");
                    Attempt("SettleProject", Who("SettleProject", Named("gov")), new { projectId = P }, p, () => _status = ProjectStatus.Settled);
                    break;
                }
            }
        }

        private void Other()
        {
            switch (Random.Next(5))
            {
                case 0:
                {
                    int days = Pick(new[] { 0, 10, 29, 30, 45 });
                    var p = new Prediction();
                    p.Refuse(days < FundParameters.MinCommentPeriodDays, "a comment period under 30 days (Art 10)");
                    Attempt("CreateProject", Who("CreateProject", Named("gov")), new
                    {
                        projectId = "Q" + Id(), name = "Other block", budget = 1_000_000L, standardsHash = CharityWorld.Hash("s"), deptOrg = "ExpropriationOffice", implOrgs = new[] { "StreetOffice" },
                        financeOrg = "FinanceBureau", bankId = "Bank", accountHash = CharityWorld.Hash("a2"), signingFrom = Host.Now, signingTo = Host.Now + FundWorld.Day, commentPeriodDays = days,
                    }, p);
                    break;
                }
                case 1:
                    if (Chance(2)) ConfirmNotice();
                    else Attempt("PublishPlan", Who("PublishPlan", Named("reviewer")), new { projectId = P, planHash = CharityWorld.Hash("plan") }, null);
                    break;
                case 2:
                {
                    var hh = Pick(_households.Keys.ToList());
                    Attempt("RecordAppraisal", Who("RecordAppraisal", Named("appraiser")), new { projectId = P, hhId = hh, unitPrice = _appraised[hh] / 80, valueAmount = _appraised[hh], reportHash = CharityWorld.Hash("appraisal " + hh) }, null);
                    break;
                }
                case 3:
                    Attempt("RegisterResettlementUnit", Who("RegisterResettlementUnit", Named("reviewer")), new { resUnitId = "R" + Random.Next(1, 4), projectId = P, area = 6_000L, price = 300_000L }, null);
                    break;
                default:
                    Attempt("RaiseAlerts", Who("RaiseAlerts", Named("auditor")), new { limit = 10 }, null);
                    break;
            }
        }

        /// <summary>Every query answers, and every integer field of state, events and answers has a declared unit.</summary>
        public void CheckFieldUnits()
        {
            var answers = new List<(string, System.Text.Json.JsonElement)>();
            var asked = new HashSet<string>();
            void Ask(string function, object args)
            {
                asked.Add(function);
                answers.Add((function, Host.Query(function, args)));
            }
            var hh = _households.Keys.First();
            Ask("GetProject", new { projectId = P });
            Ask("GetHousehold", new { projectId = P, hhId = hh });
            Ask("BudgetStatus", new { projectId = P });
            Ask("PaymentsOfProject", new { projectId = P });
            Ask("HouseholdFile", new { projectId = P, hhId = hh });
            Ask("HouseholdsPaidTwice", new { });
            Ask("PaymentsWithoutApprovedAgreement", new { });
            Ask("SelfApprovedOrSameActor", new { });
            Ask("IdleFunds", new { asOf = Host.Now + 400 * FundWorld.Day });
            Ask("OverduePayments", new { asOf = Host.Now + 400 * FundWorld.Day });
            Ask("AppraisalDeviations", new { toleranceBps = 0 });
            Ask("UnpublishedPaidHouseholds", new { projectId = P });
            Ask("PayeeMismatches", new { });
            Ask("ActorActivity", new { address = _w.Cashier.Address });
            Ask("CheckInvariants", new { });
            Ask("FieldUnits", new { });
            if (_agreements.Count > 0) Ask("GetAgreement", new { agrId = _agreements.Keys.First() });
            if (_payments.Count > 0) Ask("GetPayment", new { payId = _payments[0].Id });
            if (_published > 0) Ask("PublishedList", new { projectId = P, round = _published });
            if (_agreements.Count > 0 && _payments.Count > 0 && _published > 0)
                Assert.Empty(Host.Contract.Functions.Values.Where(f => f.Kind == FunctionKind.Query).Select(f => f.Name).Except(asked));
            FieldUnitCheck.AssertDeclared(FundContract.FieldUnits, Host, answers);
        }

        // ---- after every step ----

        protected override void AfterStep()
        {
            AssertSound(new { projectId = P });
            var project = _w.Project();
            Assert.True(project.Deposited == _deposited && project.Paid == _paid && project.Returned == _returned && project.PendingPayments == _pendingPayments
                && project.PendingReturns == _pendingReturns, $"{Where}: account differs from the model");
            Assert.True(project.Committed == Committed, $"{Where}: committed {project.Committed}, the model says {Committed}");
            Assert.True(project.Status == _status, $"{Where}: project is {project.Status}, the model says {_status}");
            foreach (var a in _agreements.Values)
            {
                var head = Host.Get<AgreementHead>(FundKeys.AgreementHead(a.Id))!;
                Assert.True(head.Paid == a.Paid && head.Pending == a.Pending && head.CurrentVer == a.Ver, $"{Where}: agreement {a.Id} differs from the model");
                Assert.True(_w.Agreement(a.Id, a.Ver).Status == a.Status, $"{Where}: agreement {a.Id} is {_w.Agreement(a.Id, a.Ver).Status}, the model says {a.Status}");
            }
            foreach (var hh in _households.Values)
                Assert.True(_w.HouseholdOf(hh.Id).Paid == hh.Paid && _w.HouseholdOf(hh.Id).PayeeAccount == hh.Approved, $"{Where}: household {hh.Id} differs from the model");
            var budget = Host.Query("BudgetStatus", new { projectId = P });
            Assert.True(budget.GetProperty("idle").GetInt64() == Balance - _pendingReturns - Math.Max(0, Owed), $"{Where}: idle {budget.GetProperty("idle")} is not balance − returns instructed − owed");
            string? after = null;
            do
            {
                var page = Host.Query("HouseholdsPaidTwice", new { after, limit = 2 });
                Assert.True(page.GetProperty("empty").GetBoolean(), $"{Where}: HouseholdsPaidTwice {page}");
                after = page.TryGetProperty("next", out var next) && next.ValueKind == System.Text.Json.JsonValueKind.String ? next.GetString() : null;
            }
            while (after is not null);
            Assert.Empty(Host.Query("PaymentsWithoutApprovedAgreement", new { limit = 1000 }).GetProperty("items").EnumerateArray());
            Assert.Empty(Host.Query("SelfApprovedOrSameActor", new { limit = 1000 }).GetProperty("items").EnumerateArray());
        }
    }
}
