using System.Text.Json;
using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;
using Chain.Contracts.Charity;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.Charity;

/// <summary>
/// Model-based property test of the charity contract: seeded random sequences of every function, called by
/// every role, checked after every step against a reference model (money in and out, statuses, holds, related
/// parties, payee totals) and against the contract's own invariant query. The model predicts the refusals the
/// rules demand (same-campaign purpose changes, rejections after approval, refunds by another bank or for a
/// campaign that is not cancelled, leftovers to a target the plan did not name, investing money that may not
/// be invested, payments to related parties, held targets, identity numbers, amounts out of range); any such
/// call the contract applies fails the test with the call that slipped through.
/// </summary>
public sealed class CharityPropertyTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const int Sequences = 200;
    private const int StepsPerSequence = 90;

    [Fact]
    public void RandomSequences_OfEveryFunctionByEveryRole_MatchTheModel_KeepTheLaws_AndTracesAgree()
    {
        var tried = new HashSet<(string, string)>();
        var calls = new Dictionary<string, int>();
        var refusals = new Dictionary<string, int>();
        var byFunction = new Dictionary<string, int>();
        var appliedByFunction = new Dictionary<string, int>();
        int applied = 0, predicted = 0, paid = 0;
        for (int seed = 1; seed <= Sequences; seed++)
        {
            var run = new Run(seed, calls);
            for (int step = 0; step < StepsPerSequence; step++) run.Step();
            run.CheckEnd();
            if (seed <= 10) run.CheckFieldUnits();
            tried.UnionWith(run.Tried);
            foreach (var (code, n) in run.Refusals) refusals[code] = refusals.GetValueOrDefault(code) + n;
            foreach (var (code, n) in run.RefusalsByFunction) byFunction[code] = byFunction.GetValueOrDefault(code) + n;
            foreach (var (code, n) in run.AppliedByFunction) appliedByFunction[code] = appliedByFunction.GetValueOrDefault(code) + n;
            applied += run.Applied;
            predicted += run.PredictedRefusals;
            paid += run.Paid;
        }
        output.WriteLine($"{paid} payments confirmed; {applied} calls applied, {refusals.Values.Sum()} refused ({predicted} as the model predicted): {string.Join(", ", refusals.OrderByDescending(kv => kv.Value).Select(kv => $"{kv.Key}={kv.Value}"))}");
        output.WriteLine("applied: " + string.Join(", ", appliedByFunction.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));
        output.WriteLine("refused: " + string.Join(", ", byFunction.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")));
        // Every function met every actor, and both paths were exercised enough to mean something.
        var missing = Run.Access.Keys.SelectMany(f => Run.Roles.Select(r => (f, r))).Where(p => !tried.Contains(p)).ToList();
        Assert.True(missing.Count == 0, $"never tried: {string.Join(", ", missing.Take(20))}");
        Assert.True(applied > Sequences * StepsPerSequence / 3, $"only {applied} calls applied");
        Assert.True(predicted > Sequences, $"only {predicted} predicted refusals");
        Assert.True(paid > Sequences / 2, $"only {paid} payments confirmed");
    }

    private sealed class Run : ModelRun
    {
        private sealed class DonationM(string id, long amount, string? campaign, string charity, string bank, string bankRef, bool unrestricted)
        {
            public string Id = id; public long Amount = amount; public string? Campaign = campaign; public string Charity = charity; public string Bank = bank;
            public string BankRef = bankRef;
            /// <summary>Unrestricted money can be allocated to any campaign of its charity.</summary>
            public bool Unrestricted = unrestricted;
            public long Refunded;
            /// <summary>Campaigns whose pool may hold some of this donation's money (its own, purpose-change and leftover targets).</summary>
            public readonly HashSet<string> MayBeIn = campaign is null ? [] : [campaign];
        }

        private sealed class DisbM(string id, string pool, string owner, string? campaign, long amount, PayeeType payeeType, string payee, string proposer, int required)
        {
            public string Id = id; public string Pool = pool; public string Owner = owner; public string? Campaign = campaign; public long Amount = amount;
            public PayeeType PayeeType = payeeType; public string Payee = payee; public string Proposer = proposer; public int Required = required;
            public DisbursementStatus Status = DisbursementStatus.Proposed;
            public readonly HashSet<string> Approvers = [];
            public long PaidOrder;
        }

        private sealed class CampaignM(string id, string charity, bool restricted, string purpose, long endAt, LeftoverRule rule, string? target, bool noInvest)
        {
            public string Id = id; public string Charity = charity; public bool Restricted = restricted; public string Purpose = purpose; public long EndAt = endAt;
            public LeftoverRule Rule = rule; public string? Target = target; public bool NoInvest = noInvest;
            public CampaignStatus Status = CampaignStatus.Draft;
            public string? SettledWith;
            public bool Initial;
        }

        private readonly CharityWorld _w = new(dualApprovalThreshold: 40_000);
        private readonly Caller _teller2 = CharityWorld.Account("Bank2", "teller1", "bank");
        private readonly List<DonationM> _donations = [];
        private readonly List<DisbM> _disbursements = [];
        private readonly List<CampaignM> _campaigns = [];
        private readonly Dictionary<string, string> _holds = [];          // target → organisation that placed it
        private readonly Dictionary<(string Org, string Hash), long> _related = []; // in force: → model order of the declaration
        private readonly List<(string Org, string Hash, long Order)> _declarations = [];
        private readonly HashSet<string> _frozen = [];
        private readonly Dictionary<(string Donation, int Seq), (string Purpose, bool Used)> _consents = [];
        private readonly Dictionary<(string Payee, string Org), (int Count, long Amount)> _payeeTotals = [];
        private long _donated, _refunded, _paidOut, _order;
        public int Paid => _disbursements.Count(d => d.Status == DisbursementStatus.Paid);
        private int _next;

        private static readonly string[] Payees = ["supplier-a", "supplier-b", "family-c", "staff-d"];
        private static readonly string[] Purposes = ["EDU", "HEALTH"];

        public static readonly IReadOnlyDictionary<string, string[]> Access = new Dictionary<string, string[]>
        {
            ["RegisterOrg"] = ["regulator"], ["SetOrgStatus"] = ["regulator"], ["AcknowledgeFiling"] = ["regulator"], ["EndRelatedParty"] = ["regulator"],
            ["ConfirmDonation"] = ["bank"], ["ConfirmPayment"] = ["bank"], ["FailPayment"] = ["bank"], ["ConfirmRefund"] = ["bank"],
            ["CreateCampaign"] = ["charity-officer"], ["OpenCampaign"] = ["charity-officer"], ["CloseCampaign"] = ["charity-officer"], ["SettleLeftover"] = ["charity-officer"],
            ["IssueReceipt"] = ["charity-officer"], ["WaiveReceipt"] = ["charity-officer"], ["Allocate"] = ["charity-officer"], ["ChangePurpose"] = ["charity-officer"],
            ["PublishAnnual"] = ["charity-officer"], ["DeclareRelatedParties"] = ["charity-officer"],
            ["CancelCampaign"] = ["charity-officer", "regulator"],
            ["ProposeDisbursement"] = ["charity-officer", "executor"], ["ApproveDisbursement"] = ["charity-officer", "executor"],
            ["AcknowledgeReceipt"] = ["charity-officer", "executor"], ["PublishDisclosure"] = ["charity-officer", "executor"],
            ["RejectDisbursement"] = ["charity-officer", "bank"],
            ["Pledge"] = ["donor", "charity-officer"], ["GiveConsent"] = ["donor", "bank"],
            ["PlaceHold"] = ["regulator", "auditor"], ["ReleaseHold"] = ["regulator", "auditor"], ["RaiseAlerts"] = ["regulator", "auditor"],
            ["Attest"] = ["auditor"],
        };

        /// <summary>The kinds of caller: each role of the network, and an enrolled member with none.</summary>
        public static readonly string[] Roles = ["regulator", "bank", "donor", "charity-officer", "executor", "auditor", "member"];

        protected override IReadOnlyList<Actor> Actors { get; }
        protected override IReadOnlyDictionary<string, string[]> AccessRoles => Access;
        protected override MemoryContractHost Host => _w.Host;

        public Run(int seed, Dictionary<string, int> calls) : base(seed, calls)
        {
            Actors =
            [
                new("regulator", "regulator", _w.Regulator), new("teller", "bank", _w.Teller), new("teller2", "bank", _teller2), new("donor", "donor", _w.Donor),
                new("officer1", "charity-officer", _w.Officer1), new("officer2", "charity-officer", _w.Officer2), new("officer3", "charity-officer", _w.Officer3),
                new("small1", "charity-officer", _w.SmallOfficer), new("small2", "charity-officer", _w.SmallOfficer2), new("clerk1", "executor", _w.Clerk),
                new("clerk2", "executor", _w.Clerk2), new("auditor", "auditor", _w.Auditor), new("outsider", "member", CharityWorld.Account("SupplierCo", "clerk1")),
            ];
            Host.Invoke(_w.Regulator, "RegisterOrg", new { orgId = "Bank2", type = "Bank", name = "Second bank", uscc = "91110000BANK00002X" });
            Host.Invoke(_w.Regulator, "RegisterOrg", new { orgId = "SupplierCo", type = "Supplier", name = "Supplier", uscc = "91110000SUPP00001Y" });
            // Three long campaigns, and two that end during the run so their leftovers are settled (one names its target).
            foreach (var (id, charity, restricted, purpose, noInvest, days, rule, target) in new[]
            {
                ("C1", CharityWorld.Foundation, true, "EDU", false, 365, LeftoverRule.SimilarProject, (string?)null),
                ("C2", CharityWorld.Foundation, false, "EDU", false, 365, LeftoverRule.SimilarProject, null),
                ("S1", CharityWorld.Small, true, "HEALTH", true, 365, LeftoverRule.SimilarProject, null),
                ("C3", CharityWorld.Foundation, true, "HEALTH", false, 2, LeftoverRule.Named, "C1"),
                ("S2", CharityWorld.Small, true, "HEALTH", false, 3, LeftoverRule.Refund, null),
            })
            {
                var endAt = Host.Now + days * CharityWorld.Day;
                Host.Invoke(_w.OfficerOf(charity), "CreateCampaign", CampaignArgs(id, charity, restricted, purpose, endAt, rule, target, noInvest));
                Host.Invoke(_w.Regulator, "AcknowledgeFiling", new { campaignId = id, filingNo = "F-" + id });
                Host.Invoke(_w.OfficerOf(charity), "OpenCampaign", new { campaignId = id });
                _campaigns.Add(new CampaignM(id, charity, restricted, purpose, endAt, rule, target, noInvest) { Status = CampaignStatus.Open, Initial = days > 300 });
            }
        }

        // ---- the model's view ----

        private bool Held(params string[] targets) => targets.Any(t => t.Length > 0 && _holds.ContainsKey(t));
        private CampaignM? Campaign(string? id) => id is null ? null : _campaigns.FirstOrDefault(c => c.Id == id);
        private Actor Officer(string org, int n = 1) => Named(org switch
        {
            CharityWorld.Small => n == 1 ? "small1" : "small2",
            CharityWorld.Executor => n == 1 ? "clerk1" : "clerk2",
            _ => n switch { 1 => "officer1", 2 => "officer2", _ => "officer3" },
        });
        private Actor Bank(string org) => Named(org == "Bank2" ? "teller2" : "teller");
        private bool NoInvest(string pool) => pool.StartsWith("G:", StringComparison.Ordinal) || (pool.StartsWith("C:", StringComparison.Ordinal) && Campaign(pool[2..])!.NoInvest);
        private static string PayeeHash(string payee) => CharityWorld.Hash(payee);
        private string Id() => $"x{++_next}";

        private IReadOnlyList<string> Pools()
        {
            var pools = new List<string> { "U:" + CharityWorld.Foundation, "U:" + CharityWorld.Small };
            pools.AddRange(_campaigns.Select(c => "C:" + c.Id));
            pools.AddRange(Host.Entries("pool/G:").Select(e => e.Key["pool/".Length..]));
            return pools;
        }

        private static object CampaignArgs(string id, string charity, bool restricted, string purpose, long endAt, LeftoverRule rule, string? target, bool noInvest) => new
        {
            campaignId = id, charityId = charity, title = "Campaign " + id, purposeCode = purpose, restricted, @public = charity == CharityWorld.Foundation, target = 100_000_000L,
            startAt = 0L, endAt, planHash = CharityWorld.Hash("plan " + id), leftoverRule = rule.ToString(), leftoverTarget = target, noInvest,
        };

        // ---- one step ----

        protected override void Next()
        {
            Host.Now += Random.Next(0, 4) * 3_600_000L;
            if (_frozen.Count > 0 && Chance(5))
            {
                Freeze(); // freezes are short, so money keeps moving
                return;
            }
            switch (Random.Next(100))
            {
                case < 18: Donate(); break;
                case < 21: Allocate(); break;
                case < 30: Propose(); break;
                case < 42: Approve(); break;
                case < 52: Pay(); break;
                case < 53: Fail(); break;
                case < 55: Reject(); break;
                case < 60: Refund(); break;
                case < 62: CreateCampaign(); break;
                case < 68: CampaignStep(); break;
                case < 69: Cancel(); break;
                case < 72: Settle(); break;
                case < 76: ConsentOrChangePurpose(); break;
                case < 79: RelatedParties(); break;
                case < 85: Hold(); break;
                case < 86: Freeze(); break;
                default: Other(); break;
            }
        }

        private void Donate()
        {
            var campaign = Chance(5) ? null : Pick(_campaigns);
            var charity = campaign?.Charity ?? (Chance(2) ? CharityWorld.Foundation : CharityWorld.Small);
            var actor = Who("ConfirmDonation", Bank(Chance(3) ? "Bank2" : "Bank"));
            var bank = actor.Caller.Organization;
            long amount = Chance(40) ? Money.MaxFen + 1 : Random.Next(1, 60_000);
            bool anonymous = Chance(3);
            string? name = anonymous ? null : Chance(30) ? IdNumberVariant(Random) : "Zhang San";
            var id = Id();
            var bankRef = _w.NextBankRef();
            var p = new Prediction();
            p.Refuse(amount > Money.MaxFen, "amount above the maximum");
            p.Refuse(name is not null && name != "Zhang San", "an identity number in the display name");
            p.Refuse(campaign is not null && (campaign.Status != CampaignStatus.Open || Host.Now >= campaign.EndAt), "campaign not open");
            p.Refuse(_frozen.Contains(charity) || _frozen.Contains(bank), "frozen organisation");
            Attempt("ConfirmDonation", actor, new
            {
                donationId = id, donorRef = CharityWorld.Hash("donor" + Random.Next(4)), displayName = name, anonymous, donorAccount = Chance(2) ? _w.Donor.Address : null,
                charityId = charity, campaignId = campaign?.Id, amount, bankTxRef = bankRef, valueDate = Host.Now,
            }, p, () =>
            {
                _donations.Add(new DonationM(id, amount, campaign?.Id, charity, bank, bankRef, campaign is not { Restricted: true }));
                _donated += amount;
            });
        }

        private void Allocate()
        {
            var campaign = Pick(_campaigns);
            var p = new Prediction();
            p.Refuse(campaign.Status is CampaignStatus.Closed or CampaignStatus.Settled or CampaignStatus.Cancelled, "campaign does not take allocations");
            p.Refuse(Held("pool:U:" + campaign.Charity, "org:" + campaign.Charity, "campaign:" + campaign.Id), "held");
            p.Refuse(_frozen.Contains(campaign.Charity), "frozen");
            Attempt("Allocate", Who("Allocate", Officer(campaign.Charity)), new { allocId = Id(), fromPoolId = "U:" + campaign.Charity, toCampaignId = campaign.Id, amount = Random.Next(1, 30_000) }, p);
        }

        private void Propose()
        {
            // Mostly from pools that hold money, so approvals and payments happen.
            var funded = Pools().Where(p => Host.Get<Pool>(CharityKeys.Pool(p)) is { } pool && pool.Balance - pool.Reserved > 0).ToList();
            var pool = funded.Count > 0 && !Chance(5) ? Pick(funded) : Pick(Pools());
            var owner = Host.Get<Pool>(CharityKeys.Pool(pool))!.Owner;
            var payeeType = owner == CharityWorld.Executor ? Pick(new[] { PayeeType.Supplier, PayeeType.Beneficiary }) : Pick(Enum.GetValues<PayeeType>());
            var payee = payeeType == PayeeType.Executor ? CharityWorld.Executor : PayeeHash(Pick(Payees));
            var category = payeeType == PayeeType.Investment ? Category.Other : Chance(5) ? Category.Management : Category.Charitable;
            string? campaignId = Chance(6) ? Pick(_campaigns).Id : null;
            var campaign = Campaign(campaignId ?? (pool.StartsWith("C:", StringComparison.Ordinal) ? pool[2..] : null));
            long free = Host.Get<Pool>(CharityKeys.Pool(pool))!.Balance;
            long amount = Chance(50) ? Money.MaxFen + 1 : Random.Next(1, (int)Math.Clamp(free, 2, 50_000));
            var actor = Who("ProposeDisbursement", Officer(owner));
            var id = Id();
            var p = new Prediction();
            p.Refuse(amount > Money.MaxFen, "amount above the maximum");
            p.Refuse(payeeType == PayeeType.Investment && NoInvest(pool), "investing money that may not be invested (Art 54)");
            p.Refuse(_related.ContainsKey((owner, payee)), "payee is a related party in force");
            p.Refuse(campaign is { Status: CampaignStatus.Cancelled or CampaignStatus.Settled }, "campaign closed for spending");
            p.Refuse(_frozen.Contains(owner), "frozen");
            Attempt("ProposeDisbursement", actor, new
            {
                disbId = id, poolId = pool, campaignId, payeeType = payeeType.ToString(), payeeRef = payee, amount, category = category.ToString(),
                evidence = new[] { new { kind = "Invoice", hash = CharityWorld.Hash("invoice " + id) }, new { kind = "Contract", hash = CharityWorld.Hash("contract " + id) } },
            }, p, () =>
            {
                var stored = _w.Disbursement(id);
                _disbursements.Add(new DisbM(id, pool, owner, stored.CampaignId, amount, payeeType, payee, actor.Caller.Address.ToLowerInvariant(), amount >= 40_000 ? 2 : 1));
            });
        }

        private DisbM? PickDisbursement(params DisbursementStatus[] statuses)
        {
            var candidates = _disbursements.Where(d => statuses.Length == 0 || statuses.Contains(d.Status)).ToList();
            return candidates.Count == 0 ? null : Pick(candidates);
        }

        private void Approve()
        {
            if ((Chance(5) ? PickDisbursement() : PickDisbursement(DisbursementStatus.Proposed)) is not { } disb) return;
            var actor = Who("ApproveDisbursement", Officer(disb.Owner, Chance(5) ? 1 : Random.Next(2, 4)));
            var address = actor.Caller.Address.ToLowerInvariant();
            bool repeat = disb.Approvers.Contains(address);
            bool ownerOfficer = actor.Caller.Organization == disb.Owner;
            var p = new Prediction();
            p.Refuse(!repeat && disb.Status != DisbursementStatus.Proposed, "not proposed");
            p.Refuse(!repeat && address == disb.Proposer, "the proposer approving");
            p.Refuse(!repeat && Held("disb:" + disb.Id, "pool:" + disb.Pool, "org:" + disb.Owner, disb.Campaign is null ? "" : "campaign:" + disb.Campaign), "held");
            p.Refuse(!repeat && _related.ContainsKey((disb.Owner, disb.Payee)), "payee is a related party in force");
            p.Refuse(!repeat && !ownerOfficer, "an approver of another organisation");
            p.Refuse(!repeat && Campaign(disb.Campaign) is { Status: CampaignStatus.Cancelled or CampaignStatus.Settled }, "its campaign is over");
            Attempt("ApproveDisbursement", actor, new { disbId = disb.Id }, p, () =>
            {
                if (repeat) return;
                disb.Approvers.Add(address);
                if (disb.Approvers.Count >= disb.Required) disb.Status = DisbursementStatus.Approved;
            });
        }

        private void Pay()
        {
            if ((Chance(5) ? PickDisbursement() : PickDisbursement(DisbursementStatus.Approved)) is not { } disb) return;
            var actor = Who("ConfirmPayment", Bank(Chance(6) ? "Bank2" : "Bank"));
            var p = new Prediction();
            p.Refuse(disb.Status != DisbursementStatus.Approved, $"disbursement is {disb.Status}");
            p.Refuse(Held("disb:" + disb.Id, "pool:" + disb.Pool, "org:" + disb.Owner, disb.Campaign is null ? "" : "campaign:" + disb.Campaign), "held");
            p.Refuse(_related.ContainsKey((disb.Owner, disb.Payee)), "payee is a related party in force");
            p.Refuse(_frozen.Contains(disb.Owner) || _frozen.Contains(actor.Caller.Organization), "frozen");
            p.Refuse(actor.Caller.Organization != "Bank", "not the owner's account bank");
            Attempt("ConfirmPayment", actor, new { disbId = disb.Id, bankTxRef = _w.NextBankRef(), paidAt = Host.Now }, p, () =>
            {
                disb.Status = DisbursementStatus.Paid;
                disb.PaidOrder = ++_order;
                if (disb.PayeeType == PayeeType.Executor) return;
                _paidOut += disb.Amount;
                var (count, amount) = _payeeTotals.GetValueOrDefault((disb.Payee, disb.Owner));
                _payeeTotals[(disb.Payee, disb.Owner)] = (count + 1, amount + disb.Amount);
            });
        }

        private void Fail()
        {
            if (PickDisbursement() is not { } disb) return;
            var actor = Who("FailPayment", Bank("Bank"));
            var p = new Prediction();
            p.Refuse(disb.Status != DisbursementStatus.Approved, $"disbursement is {disb.Status}");
            p.Refuse(_frozen.Contains(actor.Caller.Organization), "frozen bank");
            p.Refuse(actor.Caller.Organization != "Bank", "not the owner's account bank");
            Attempt("FailPayment", actor, new { disbId = disb.Id, bankTxRef = _w.NextBankRef(), reason = "account closed" }, p, () => disb.Status = DisbursementStatus.Failed);
        }

        private void Reject()
        {
            if (PickDisbursement() is not { } disb) return;
            var actor = Who("RejectDisbursement", Chance(4) ? Named(Chance(3) ? "teller2" : "teller") : Officer(disb.Owner == CharityWorld.Executor ? CharityWorld.Foundation : disb.Owner));
            var p = new Prediction();
            p.Refuse(actor.Caller.Organization == "Bank2" && disb.Status == DisbursementStatus.Proposed, "a bank that does not hold the owner's accounts");
            // After approval only the bank closes a disbursement.
            p.Refuse(disb.Status is not (DisbursementStatus.Proposed or DisbursementStatus.Rejected), $"disbursement is {disb.Status}");
            Attempt("RejectDisbursement", actor, new { disbId = disb.Id, reason = "changed plan" }, p, () => disb.Status = DisbursementStatus.Rejected);
        }

        private void Refund()
        {
            if (_donations.Count == 0) return;
            var donation = Pick(_donations);
            var campaign = Campaign(donation.Campaign);
            var actor = Who("ConfirmRefund", Bank(Chance(4) ? (donation.Bank == "Bank" ? "Bank2" : "Bank") : donation.Bank));
            var bank = actor.Caller.Organization;
            var reason = Pick(Enum.GetValues<RefundReason>());
            var p = new Prediction();
            var mayBeIn = donation.Unrestricted ? _campaigns.Where(c => c.Charity == donation.Charity).ToList() : donation.MayBeIn.Select(c => Campaign(c)!).ToList();
            bool wrongOriginal = reason is RefundReason.BankError or RefundReason.PaymentReversal && Chance(8);
            p.Refuse(bank != donation.Bank, "refund by a bank that did not confirm the donation");
            p.Refuse(wrongOriginal, "not the donation's own bank reference");
            p.Refuse(reason == RefundReason.CampaignCancelled && !mayBeIn.Any(c => c.Status == CampaignStatus.Cancelled), "none of its money is in a cancelled campaign");
            p.Refuse(reason == RefundReason.LeftoverReturn && !mayBeIn.Any(c => c is { Status: CampaignStatus.Settled, Rule: LeftoverRule.Refund }), "none of its money is in a leftover to return");
            p.Refuse(Held("donation:" + donation.Id, "org:" + donation.Charity, campaign is null ? "" : "campaign:" + campaign.Id), "held");
            p.Refuse(_frozen.Contains(donation.Charity) || _frozen.Contains(bank), "frozen");
            long amount = Random.Next(1, 20_000);
            Attempt("ConfirmRefund", actor, new
            {
                refundId = Id(), donationId = donation.Id, amount, reasonCode = reason.ToString(), bankTxRef = _w.NextBankRef(),
                originalBankTxRef = reason is RefundReason.BankError or RefundReason.PaymentReversal ? (wrongOriginal ? "BK-WRONG" : donation.BankRef) : null,
            }, p, () =>
            {
                donation.Refunded += amount;
                _refunded += amount;
            });
        }

        private void CreateCampaign()
        {
            if (_campaigns.Count >= 9) return;
            var charity = Chance(3) ? CharityWorld.Small : CharityWorld.Foundation;
            var rule = Pick(Enum.GetValues<LeftoverRule>());
            var sameCharity = _campaigns.Where(c => c.Charity == charity).ToList();
            string? target = rule == LeftoverRule.Named && !Chance(5) ? Pick(sameCharity).Id : Chance(12) ? Pick(_campaigns).Id : null;
            var id = "K" + _next++;
            var purpose = Pick(Purposes);
            bool noInvest = Chance(2);
            var endAt = Host.Now + Random.Next(1, 6) * CharityWorld.Day;
            var p = new Prediction();
            p.Refuse(rule == LeftoverRule.Named && target is null, "Named without a target");
            p.Refuse(rule != LeftoverRule.Named && target is not null, "a target without the Named rule");
            p.Refuse(target is not null && Campaign(target)!.Charity != charity, "a target of another charity");
            p.Refuse(_frozen.Contains(charity), "frozen");
            Attempt("CreateCampaign", Who("CreateCampaign", Officer(charity)), CampaignArgs(id, charity, restricted: !Chance(4), purpose, endAt, rule, target, noInvest), p,
                () => _campaigns.Add(new CampaignM(id, charity, Host.Get<Campaign>(CharityKeys.Campaign(id))!.Restricted, purpose, endAt, rule, target, noInvest)));
        }

        private void CampaignStep()
        {
            // Mostly a campaign that can move on: to be filed, opened, or closed after its end.
            var movable = _campaigns.Where(c => c.Status is CampaignStatus.Draft or CampaignStatus.Filed || (c.Status == CampaignStatus.Open && Host.Now >= c.EndAt)).ToList();
            var campaign = movable.Count > 0 && !Chance(4) ? Pick(movable) : Pick(_campaigns);
            var p = new Prediction();
            switch (campaign.Status)
            {
                case CampaignStatus.Draft:
                    Attempt("AcknowledgeFiling", Who("AcknowledgeFiling", Named("regulator")), new { campaignId = campaign.Id, filingNo = "F-" + campaign.Id }, p, () => campaign.Status = CampaignStatus.Filed);
                    break;
                case CampaignStatus.Filed:
                    p.Refuse(_frozen.Contains(campaign.Charity), "frozen");
                    Attempt("OpenCampaign", Who("OpenCampaign", Officer(campaign.Charity)), new { campaignId = campaign.Id }, p, () => campaign.Status = CampaignStatus.Open);
                    break;
                default:
                    p.Refuse(campaign.Status != CampaignStatus.Open && campaign.Status != CampaignStatus.Closed, $"campaign is {campaign.Status}");
                    p.Refuse(campaign.Status == CampaignStatus.Open && Host.Now < campaign.EndAt, "before its end");
                    Attempt("CloseCampaign", Who("CloseCampaign", Officer(campaign.Charity)), new { campaignId = campaign.Id }, p, () => campaign.Status = CampaignStatus.Closed);
                    break;
            }
        }

        private void Cancel()
        {
            // Mostly campaigns created during the run, so the first three keep taking donations.
            var late = _campaigns.Where(c => !c.Initial && c.Status is CampaignStatus.Open or CampaignStatus.Closed).ToList();
            if (late.Count == 0 && !Chance(10)) return;
            var campaign = late.Count > 0 && !Chance(10) ? Pick(late) : Pick(_campaigns);
            var p = new Prediction();
            p.Refuse(campaign.Status == CampaignStatus.Settled, "settled");
            p.Refuse(campaign.Status != CampaignStatus.Cancelled && _disbursements.Any(d => (d.Pool == "C:" + campaign.Id || d.Campaign == campaign.Id) && d.Status == DisbursementStatus.Approved), "approved payments are with the bank");
            Attempt("CancelCampaign", Who("CancelCampaign", Chance(3) ? Named("regulator") : Officer(campaign.Charity)), new { campaignId = campaign.Id, reason = "called off" }, p,
                () => campaign.Status = CampaignStatus.Cancelled);
        }

        private void Settle()
        {
            var closed = _campaigns.Where(c => c.Status == CampaignStatus.Closed).ToList();
            var campaign = closed.Count > 0 && !Chance(4) ? Pick(closed) : Pick(_campaigns);
            var rule = Chance(4) ? Pick(Enum.GetValues<LeftoverRule>()) : campaign.Rule;
            var open = _campaigns.Where(c => c.Charity == campaign.Charity && c.Id != campaign.Id && c.Status == CampaignStatus.Open).ToList();
            string? target = campaign.Rule == LeftoverRule.Named ? (Chance(3) ? campaign.Target : Chance(2) ? null : open.Count > 0 ? Pick(open).Id : null)
                : open.Count > 0 ? Pick(open).Id : null;
            var args = new { campaignId = campaign.Id, rule = rule.ToString(), targetCampaignId = target };
            var key = JsonSerializer.Serialize(args);
            bool repeat = campaign.SettledWith == key;
            var p = new Prediction();
            p.Refuse(!repeat && campaign.Status != CampaignStatus.Closed, $"campaign is {campaign.Status}");
            p.Refuse(!repeat && rule != campaign.Rule, "not the plan's rule");
            p.Refuse(!repeat && campaign.Rule == LeftoverRule.Named && target is not null && target != campaign.Target, "a target the plan did not name");
            p.Refuse(!repeat && Held("campaign:" + campaign.Id, "pool:C:" + campaign.Id, "org:" + campaign.Charity), "held");
            p.Refuse(!repeat && _disbursements.Any(d => d.Pool == "C:" + campaign.Id && d.Status == DisbursementStatus.Approved), "approved payments are with the bank");
            Attempt("SettleLeftover", Who("SettleLeftover", Officer(campaign.Charity)), args, p, () =>
            {
                if (!repeat && campaign.Rule != LeftoverRule.Refund && (campaign.Rule == LeftoverRule.Named ? campaign.Target : target) is { } to)
                    foreach (var d in _donations.Where(d => d.MayBeIn.Contains(campaign.Id))) d.MayBeIn.Add(to);
                campaign.Status = CampaignStatus.Settled;
                campaign.SettledWith = key;
            });
        }

        private void ConsentOrChangePurpose()
        {
            var restricted = _donations.Where(d => d.Campaign is not null && Campaign(d.Campaign)!.Restricted).ToList();
            if (restricted.Count == 0) return;
            var donation = Pick(restricted);
            var own = Campaign(donation.Campaign)!;
            var candidates = _campaigns.Where(c => c.Charity == donation.Charity && c.Status == CampaignStatus.Open && c.Id != own.Id).ToList();
            var target = candidates.Count == 0 || Chance(4) ? own : Pick(candidates);
            var consents = _consents.Where(c => c.Key.Donation == donation.Id && !c.Value.Used && c.Value.Purpose == target.Purpose).ToList();
            if (consents.Count == 0 || Chance(4))
            {
                int seq = _consents.Keys.Count(k => k.Donation == donation.Id) + 1;
                Attempt("GiveConsent", Who("GiveConsent", Bank(donation.Bank)), new { donationId = donation.Id, seq, newPurposeCode = target.Purpose, consentHash = CharityWorld.Hash($"consent {donation.Id} {seq}") },
                    null, () => _consents[(donation.Id, seq)] = (target.Purpose, false));
                return;
            }
            var (key, _) = consents[0];
            var p = new Prediction();
            p.Refuse(target.Id == own.Id, "a purpose change into the donation's own campaign");
            p.Refuse(own.Status is CampaignStatus.Cancelled or CampaignStatus.Settled, "money leaves a cancelled or settled campaign only as refunds");
            p.Refuse(Held("campaign:" + own.Id, "pool:C:" + own.Id, "donation:" + donation.Id, "campaign:" + target.Id, "pool:C:" + target.Id), "held");
            p.Refuse(_frozen.Contains(donation.Charity), "frozen");
            Attempt("ChangePurpose", Who("ChangePurpose", Officer(donation.Charity)), new { scope = "Donation", id = donation.Id, newPurposeCode = target.Purpose, consentSeq = key.Seq, targetCampaignId = target.Id },
                p, () => { _consents[key] = (target.Purpose, true); donation.MayBeIn.Add(target.Id); });
        }

        private void RelatedParties()
        {
            var org = Pick(new[] { CharityWorld.Foundation, CharityWorld.Small, CharityWorld.Executor });
            var hash = PayeeHash(Pick(Payees));
            if (Chance(3))
            {
                var inForce = _related.Keys.Where(k => k.Org == org).ToList();
                var (endOrg, endHash) = inForce.Count > 0 ? Pick(inForce) : (org, hash);
                Attempt("EndRelatedParty", Who("EndRelatedParty", Named("regulator")), new { orgId = endOrg, hash = endHash, reason = "relation ended" }, null, () => _related.Remove((endOrg, endHash)));
                return;
            }
            Attempt("DeclareRelatedParties", Who("DeclareRelatedParties", Officer(org)), new { charityId = org, hashes = new[] { hash } }, null, () =>
            {
                if (_related.ContainsKey((org, hash))) return;
                _related[(org, hash)] = ++_order;
                _declarations.Add((org, hash, _order));
            });
        }

        private void Hold()
        {
            var targets = _campaigns.Select(c => "campaign:" + c.Id).Concat(Pools().Select(p => "pool:" + p)).Concat(_disbursements.Select(d => "disb:" + d.Id))
                .Concat(_donations.Select(d => "donation:" + d.Id)).Concat(["org:" + CharityWorld.Foundation, "org:" + CharityWorld.Small]).ToList();
            // Holds are released about as often as they are placed, so money keeps moving.
            var target = _holds.Count > 0 && Chance(2) ? Pick(_holds.Keys.ToList()) : Pick(targets);
            var actor = Who("ReleaseHold", _holds.TryGetValue(target, out var holder) && !Chance(5) ? Named(holder == "AuditBureau" ? "auditor" : "regulator") : Named(Chance(2) ? "regulator" : "auditor"));
            var p = new Prediction();
            if (_holds.TryGetValue(target, out var by))
            {
                p.Refuse(by != actor.Caller.Organization, "released by another organisation");
                Attempt("ReleaseHold", actor, new { targetKey = target }, p, () => _holds.Remove(target));
            }
            else
            {
                string reason = Chance(20) ? "holder " + IdNumberVariant(Random) : "under review";
                p.Refuse(reason != "under review", "an identity number in the reason");
                Attempt("PlaceHold", actor, new { targetKey = target, reason }, p, () => _holds[target] = actor.Caller.Organization);
            }
        }

        private void Freeze()
        {
            // Freezes are short: a frozen organisation is reactivated at its next turn.
            var org = _frozen.Count > 0 ? _frozen.First() : Pick(new[] { CharityWorld.Foundation, CharityWorld.Small, "Bank2" });
            bool freeze = !_frozen.Contains(org);
            Attempt("SetOrgStatus", Who("SetOrgStatus", Named("regulator")), new { orgId = org, status = freeze ? "Frozen" : "Active", reason = "inspection" }, null, () =>
            {
                if (freeze) _frozen.Add(org); else _frozen.Remove(org);
            });
        }

        private void Other()
        {
            var donation = _donations.Count > 0 ? Pick(_donations) : null;
            var campaign = Pick(_campaigns);
            switch (Random.Next(9))
            {
                case 0 when donation is not null:
                    Attempt("IssueReceipt", Who("IssueReceipt", Officer(donation.Charity)), new { donationId = donation.Id, receiptNo = "R-" + donation.Id }, null);
                    break;
                case 1 when donation is not null:
                    Attempt("WaiveReceipt", Who("WaiveReceipt", Officer(donation.Charity)), new { donationId = donation.Id, reasonCode = "Anonymous" }, null);
                    break;
                case 2:
                    Attempt("Pledge", Who("Pledge", Named("donor")), new { pledgeId = Id(), donorRef = CharityWorld.Hash("donor1"), charityId = campaign.Charity, campaignId = campaign.Id, amount = 10_000L, agreementHash = CharityWorld.Hash("agreement") }, null);
                    break;
                case 3 when PickDisbursement(DisbursementStatus.Paid) is { } paid:
                    Attempt("AcknowledgeReceipt", Who("AcknowledgeReceipt", Officer(paid.Owner)), new { disbId = paid.Id, ackHash = CharityWorld.Hash("ack " + paid.Id) }, null);
                    break;
                case 4:
                    Attempt("PublishDisclosure", Who("PublishDisclosure", Officer(campaign.Charity)), new { scope = "Campaign", id = campaign.Id, kind = "Periodic", period = "P" + Random.Next(4), reportHash = CharityWorld.Hash("report") }, null);
                    break;
                case 5:
                    Attempt("PublishAnnual", Who("PublishAnnual", Officer(campaign.Charity)), new
                    {
                        charityId = campaign.Charity, year = 2026, reportHash = CharityWorld.Hash("annual"),
                        figures = new { income = 1L, charitableSpend = 1L, mgmtSpend = 0L, totalSpend = 1L, netAssetsEnd = 0L },
                    }, null);
                    break;
                case 6:
                    Attempt("Attest", Who("Attest", Named("auditor")), new { scope = "Campaign", id = campaign.Id, reportHash = CharityWorld.Hash("audit " + Random.Next(3)) }, null);
                    break;
                case 7:
                    Attempt("RaiseAlerts", Who("RaiseAlerts", Named("auditor")), new { limit = 10 }, null);
                    break;
                default:
                    var orgId = "Supplier" + Random.Next(3);
                    Attempt("RegisterOrg", Who("RegisterOrg", Named("regulator")), new { orgId, type = "Supplier", name = orgId, uscc = "91110000SUPP0000" + orgId[^1] + "Y" }, null);
                    break;
            }
        }

        // ---- after every step ----

        protected override void AfterStep()
        {
            AssertSound(new { });
            long held = Host.Entries("pool/").Sum(e => ContractJson.Deserialize<Pool>(e.Value).Balance);
            Assert.True(held == _donated - _refunded - _paidOut, $"{Where}: pools hold {held}; the model expects donated {_donated} − refunded {_refunded} − paid out {_paidOut}");
            foreach (var disb in _disbursements)
                Assert.True(_w.Disbursement(disb.Id).Status == disb.Status, $"{Where}: {disb.Id} is {_w.Disbursement(disb.Id).Status}, the model says {disb.Status}");
            foreach (var donation in _donations)
                Assert.True(Host.Get<Donation>(CharityKeys.Donation(donation.Id))!.Refunded == donation.Refunded, $"{Where}: donation {donation.Id} refunded differs from the model");
            foreach (var campaign in _campaigns)
                Assert.True(_w.Campaign(campaign.Id).Status == campaign.Status, $"{Where}: campaign {campaign.Id} is {_w.Campaign(campaign.Id).Status}, the model says {campaign.Status}");
            var holds = Host.Entries("hold/").Select(e => e.Key["hold/".Length..]).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(_holds.Keys.Order(StringComparer.Ordinal).ToList(), holds);

            // Aggregates cover every payment, whatever the page size.
            foreach (var payee in Payees.Select(PayeeHash))
            {
                var across = Host.Query("PayeeAcrossCharities", new { payeeRef = payee, limit = 1 });
                var mine = _payeeTotals.Where(kv => kv.Key.Payee == payee).ToList();
                Assert.True(across.GetProperty("charities").GetInt32() == mine.Count && across.GetProperty("amount").GetInt64() == mine.Sum(kv => kv.Value.Amount)
                    && across.GetProperty("payments").GetInt32() == mine.Sum(kv => kv.Value.Count), $"{Where}: PayeeAcrossCharities {across} differs from the model");
            }
            // Related parties: nothing paid while in force; payments before a later declaration are listed for review.
            var hits = Host.Query("RelatedPartyHits", new { limit = 1000 });
            Assert.Empty(hits.GetProperty("inForce").EnumerateArray());
            var expected = _disbursements.Where(d => d.Status == DisbursementStatus.Paid && _declarations.Any(x => x.Org == d.Owner && x.Hash == d.Payee && x.Order > d.PaidOrder))
                .Select(d => d.Id).Order(StringComparer.Ordinal).ToList();
            var listed = hits.GetProperty("declaredLater").EnumerateArray().Select(h => h.GetProperty("disbId").GetString()!).Distinct().Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.SequenceEqual(listed), $"{Where}: declared-later hits [{string.Join(",", listed)}], the model expects [{string.Join(",", expected)}]");
        }

        /// <summary>Every query answers, and every integer field of state, events and answers has a declared unit.</summary>
        public void CheckFieldUnits()
        {
            var answers = new List<(string, JsonElement)>();
            var asked = new HashSet<string>();
            void Ask(string function, object args)
            {
                asked.Add(function);
                answers.Add((function, Host.Query(function, args)));
            }
            var campaign = _campaigns[0].Id;
            var donation = _donations.FirstOrDefault()?.Id;
            var disb = _disbursements.FirstOrDefault(d => d.Status == DisbursementStatus.Paid) ?? _disbursements.FirstOrDefault();
            Ask("GetOrg", new { orgId = CharityWorld.Foundation });
            Ask("GetCampaign", new { campaignId = campaign });
            Ask("GetPool", new { poolId = "C:" + campaign });
            Ask("ListCampaigns", new { charityId = CharityWorld.Foundation });
            if (donation is not null)
            {
                Ask("GetDonation", new { donationId = donation });
                Ask("GetLot", new { lotId = "D:" + donation });
                Ask("TraceDonation", new { donationId = donation });
                Ask("PublicTraceDonation", new { donationId = donation });
            }
            if (disb is not null)
            {
                Ask("GetDisbursement", new { disbId = disb.Id });
                Ask("TraceDisbursement", new { disbId = disb.Id });
            }
            Ask("DonorStatement", new { donorRef = CharityWorld.Hash("donor0") });
            Ask("CampaignLedger", new { campaignId = campaign });
            Ask("ListDisclosures", new { scope = "Campaign", id = campaign });
            Ask("BalanceSheet", new { charityId = CharityWorld.Foundation });
            Ask("AnnualRatios", new { charityId = CharityWorld.Foundation, year = 2026 });
            Ask("OverdueDisclosures", new { asOf = Host.Now + 400 * CharityWorld.Day });
            Ask("IdleFunds", new { days = 0 });
            Ask("PayeeAcrossCharities", new { payeeRef = PayeeHash(Payees[0]) });
            Ask("RelatedPartyHits", new { });
            Ask("UnevidencedOrSelfApproved", new { });
            Ask("ListRelatedParties", new { orgId = CharityWorld.Foundation });
            Ask("CheckInvariants", new { });
            Ask("FieldUnits", new { });
            if (donation is not null && disb is not null)
            {
                var queries = Host.Contract.Functions.Values.Where(f => f.Kind == FunctionKind.Query).Select(f => f.Name).ToList();
                Assert.Empty(queries.Except(asked));
            }
            FieldUnitCheck.AssertDeclared(CharityContract.FieldUnits, Host, answers);
        }

        /// <summary>Forward and backward traces agree on every (donation, disbursement) amount.</summary>
        public void CheckEnd()
        {
            var forward = new Dictionary<(string, string), long>();
            foreach (var donation in _donations)
            {
                var trace = Host.Query("TraceDonation", new { donationId = donation.Id });
                long total = trace.GetProperty("paid").GetInt64() + trace.GetProperty("refunded").GetInt64() + trace.GetProperty("remaining").GetInt64();
                Assert.True(donation.Amount == total, $"seed {Seed}: donation {donation.Id} {donation.Amount} != paid + refunded + remaining {total}");
                Walk(trace.GetProperty("tree"), donation.Id, forward);
                // The public trace is the same money and the same steps.
                var open = Host.Query("PublicTraceDonation", new { donationId = donation.Id });
                foreach (var sum in new[] { "paid", "refunded", "remaining" })
                    Assert.True(trace.GetProperty(sum).GetInt64() == open.GetProperty(sum).GetInt64(), $"seed {Seed}: {donation.Id} public {sum} differs");
                var mine = new Dictionary<(string, string), long>();
                var theirs = new Dictionary<(string, string), long>();
                Walk(trace.GetProperty("tree"), donation.Id, mine);
                Walk(open.GetProperty("tree"), donation.Id, theirs);
                Assert.Equal(mine.OrderBy(kv => kv.Key).ToList(), theirs.OrderBy(kv => kv.Key).ToList());
            }
            var backward = new Dictionary<(string, string), long>();
            foreach (var disb in _disbursements.Where(d => d.Status == DisbursementStatus.Paid))
            {
                var trace = Host.Query("TraceDisbursement", new { disbId = disb.Id });
                long sum = 0;
                foreach (var source in trace.GetProperty("sources").EnumerateArray())
                {
                    var key = (source.GetProperty("donationId").GetString()!, disb.Id);
                    backward[key] = backward.GetValueOrDefault(key) + source.GetProperty("amount").GetInt64();
                    sum += source.GetProperty("amount").GetInt64();
                }
                Assert.True(sum == disb.Amount, $"seed {Seed}: {disb.Id} sources {sum} != {disb.Amount}");
            }
            Assert.Equal(backward.OrderBy(kv => kv.Key).ToList(), forward.OrderBy(kv => kv.Key).ToList());
            Assert.Empty(Host.Query("UnevidencedOrSelfApproved", new { limit = 1000 }).GetProperty("items").EnumerateArray());
        }

        private static void Walk(JsonElement node, string donationId, Dictionary<(string, string), long> uses)
        {
            foreach (var use in node.GetProperty("uses").EnumerateArray())
            {
                if (use.GetProperty("type").GetString() == "disb")
                {
                    var key = (donationId, use.GetProperty("id").GetString()!);
                    uses[key] = uses.GetValueOrDefault(key) + use.GetProperty("amount").GetInt64();
                }
                if (use.TryGetProperty("lots", out var lots))
                    foreach (var child in lots.EnumerateArray()) Walk(child, donationId, uses);
            }
        }
    }
}
