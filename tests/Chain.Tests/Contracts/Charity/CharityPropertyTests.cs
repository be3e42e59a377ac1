using System.Text.Json;
using Chain.Contracts.Abstractions;
using Chain.Contracts.Charity;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.Charity;

/// <summary>
/// Seeded random sequences of donations, allocations, proposals, approvals, payments, rejections, failed
/// payments, refunds and executor spending. After every step money is conserved and nothing is overspent;
/// at the end restrictions held and forward and backward traces agree on every amount.
/// </summary>
public sealed class CharityPropertyTests
{
    private const int Sequences = 1000;
    private const int StepsPerSequence = 40;

    [Fact]
    public void RandomSequences_KeepConservation_NeverOverspend_NeverCrossRestrictions_TracesAgree()
    {
        int refused = 0, applied = 0;
        for (int seed = 1; seed <= Sequences; seed++)
        {
            var run = new Run(seed);
            for (int step = 0; step < StepsPerSequence; step++)
            {
                if (run.Step()) applied++; else refused++;
                run.CheckPoolsAndLots($"seed {seed} step {step}");
            }
            run.CheckEnd($"seed {seed}");
        }
        // The generator must exercise both paths, or the property says little.
        Assert.True(applied > Sequences * StepsPerSequence / 3, $"only {applied} steps applied");
        Assert.True(refused > Sequences, $"only {refused} steps refused");
    }

    private sealed class Run
    {
        private readonly Random _random;
        private readonly CharityWorld _w = new(dualApprovalThreshold: 40_000);
        private readonly List<string> _donations = [];
        private readonly List<string> _disbursements = [];
        private int _next;
        private MemoryContractHost Host => _w.Host;

        private static readonly (string Campaign, string Charity, bool Restricted)[] Campaigns =
            [("C1", CharityWorld.Foundation, true), ("C2", CharityWorld.Foundation, false), ("S1", CharityWorld.Small, true)];
        private static readonly string[] Pools = ["U:CharityFoundation", "C:C1", "C:C2", "U:CharitySmall", "C:S1", "G:Executor:C1", "G:Executor:*"];

        public Run(int seed)
        {
            _random = new Random(seed);
            foreach (var (campaign, charity, restricted) in Campaigns) _w.OpenCampaign(campaign, charity, restricted);
        }

        /// <summary>One random operation; false when the contract refused it (which must leave state unchanged).</summary>
        public bool Step()
        {
            Host.Now += _random.Next(0, 3) * 1000;
            var id = $"x{++_next}";
            var before = Host.Fingerprint();
            try
            {
                switch (_random.Next(10))
                {
                    case 0 or 1:
                        var (campaign, charity, _) = Campaigns[_random.Next(Campaigns.Length)];
                        _w.Donate(id, _random.Next(1, 60_000), _random.Next(4) == 0 ? null : campaign, charity, donor: "donor" + _random.Next(5), anonymous: _random.Next(3) == 0);
                        _donations.Add(id);
                        break;
                    case 2:
                        var (target, owner, _) = Campaigns[_random.Next(Campaigns.Length)];
                        Host.Invoke(_w.OfficerOf(owner), "Allocate", new { allocId = id, fromPoolId = "U:" + owner, toCampaignId = target, amount = _random.Next(1, 30_000) });
                        break;
                    case 3 or 4:
                        Propose(id);
                        break;
                    case 5:
                        var toApprove = Pick(DisbursementStatus.Proposed);
                        if (toApprove is null) return false;
                        Host.Invoke(Approver(toApprove, _random.Next(3)), "ApproveDisbursement", new { disbId = toApprove.DisbId });
                        break;
                    case 6 or 7:
                        var toPay = Pick(DisbursementStatus.Approved);
                        if (toPay is null) return false;
                        if (_random.Next(8) == 0) Host.Invoke(_w.Teller, "FailPayment", new { disbId = toPay.DisbId, bankTxRef = _w.NextBankRef(), reason = "account closed" });
                        else Host.Invoke(_w.Teller, "ConfirmPayment", new { disbId = toPay.DisbId, bankTxRef = _w.NextBankRef(), paidAt = Host.Now });
                        break;
                    case 8:
                        var toReject = Pick(_random.Next(2) == 0 ? DisbursementStatus.Proposed : DisbursementStatus.Approved);
                        if (toReject is null) return false;
                        Host.Invoke(_w.OfficerOf(toReject.Owner == CharityWorld.Executor ? CharityWorld.Foundation : toReject.Owner), "RejectDisbursement", new { disbId = toReject.DisbId, reason = "changed plan" });
                        break;
                    default:
                        if (_donations.Count == 0) return false;
                        Host.Invoke(_w.Teller, "ConfirmRefund", new { refundId = id, donationId = _donations[_random.Next(_donations.Count)], amount = _random.Next(1, 20_000), reasonCode = "BankError", bankTxRef = _w.NextBankRef() });
                        break;
                }
                return true;
            }
            catch (ContractException e)
            {
                Assert.True(before == Host.Fingerprint(), $"refusal {e} changed state");
                Assert.True(e.Code is not "INTERNAL", e.ToString());
                return false;
            }
        }

        private void Propose(string id)
        {
            var poolId = Pools[_random.Next(Pools.Length)];
            var pool = _w.Pool(poolId);
            if (pool is null) throw new ContractException("SKIP", "pool does not exist yet");
            var proposer = pool.Owner == CharityWorld.Executor ? _w.Clerk : _w.OfficerOf(pool.Owner);
            string payeeType = pool.Owner != CharityWorld.Executor && _random.Next(4) == 0 ? "Executor" : new[] { "Supplier", "Beneficiary", "Staff" }[_random.Next(3)];
            string category = _random.Next(5) == 0 ? "Management" : "Charitable";
            // Sometimes name another campaign: restricted pools must refuse it.
            string? campaignId = _random.Next(6) == 0 ? Campaigns[_random.Next(Campaigns.Length)].Campaign : null;
            Host.Invoke(proposer, "ProposeDisbursement", _w.Proposal(id, poolId, _random.Next(1, 50_000), payeeType, category, payee: "payee" + _random.Next(4), campaignId: campaignId));
            _disbursements.Add(id);
        }

        private Caller Approver(Disbursement disb, int n)
        {
            if (disb.Owner == CharityWorld.Executor) return n == 0 ? _w.Clerk : _w.Clerk2;
            return _w.OfficerOf(disb.Owner, n + 1);
        }

        private Disbursement? Pick(DisbursementStatus status)
        {
            var candidates = _disbursements.Select(_w.Disbursement).Where(d => d.Status == status).ToList();
            return candidates.Count == 0 ? null : candidates[_random.Next(candidates.Count)];
        }

        public void CheckPoolsAndLots(string where)
        {
            var lots = Host.Entries("lot/").Select(e => ContractJson.Deserialize<Lot>(e.Value)).ToList();
            var disbursements = Host.Entries("disb/").Select(e => ContractJson.Deserialize<Disbursement>(e.Value)).ToList();
            foreach (var lot in lots)
            {
                long edges = Host.Entries(CharityKeys.EdgePrefix(lot.LotId)).Sum(e => long.Parse(System.Text.Encoding.UTF8.GetString(e.Value)));
                Assert.True(lot.Remaining == lot.Amount - edges, $"{where}: lot {lot.LotId} remaining {lot.Remaining} != {lot.Amount} - {edges}");
                Assert.True(lot.Remaining >= 0 && lot.Reserved >= 0 && lot.Reserved <= lot.Remaining, $"{where}: lot {lot.LotId} remaining {lot.Remaining} reserved {lot.Reserved}");
            }
            foreach (var entry in Host.Entries("pool/"))
            {
                var pool = ContractJson.Deserialize<Pool>(entry.Value);
                Assert.True(pool.Balance == lots.Where(l => l.PoolId == pool.PoolId).Sum(l => l.Remaining), $"{where}: pool {pool.PoolId} balance {pool.Balance} is not the sum of its lots");
                Assert.True(pool.Reserved == disbursements.Where(d => d.PoolId == pool.PoolId && d.Status == DisbursementStatus.Approved).Sum(d => d.Amount), $"{where}: pool {pool.PoolId} reserved {pool.Reserved}");
                Assert.True(pool.Reserved <= pool.Balance, $"{where}: pool {pool.PoolId} reserved {pool.Reserved} > balance {pool.Balance}");
            }
        }

        public void CheckEnd(string where)
        {
            var disbursements = Host.Entries("disb/").Select(e => ContractJson.Deserialize<Disbursement>(e.Value)).ToList();
            var grantsReceived = disbursements.Where(d => d.Status == DisbursementStatus.Paid && d.PayeeType == PayeeType.Executor).Sum(d => d.Amount);

            // Conservation per organisation: Σ pools = money in − money out.
            foreach (var org in new[] { CharityWorld.Foundation, CharityWorld.Small, CharityWorld.Executor })
            {
                var pools = Host.Entries("pool/").Select(e => ContractJson.Deserialize<Pool>(e.Value)).Where(p => p.Owner == org).Sum(p => p.Balance);
                var flows = Host.Entries(CharityKeys.FlowsPrefix(org)).Select(e => ContractJson.Deserialize<YearFlows>(e.Value)).ToList();
                long moneyIn = flows.Sum(f => f.Income - f.Refunds) + (org == CharityWorld.Executor ? grantsReceived : 0);
                Assert.True(pools == moneyIn - flows.Sum(f => f.Spend), $"{where}: {org} pools {pools} != in {moneyIn} - out {flows.Sum(f => f.Spend)}");
            }

            // Restriction: every paid disbursement took only lots free for its campaign.
            foreach (var disb in disbursements.Where(d => d.Status == DisbursementStatus.Paid))
                foreach (var (lotId, _) in disb.Consumed)
                {
                    var lot = _w.Lot(lotId);
                    Assert.True(lot.RestrictedTo is null || lot.RestrictedTo == disb.CampaignId, $"{where}: {disb.DisbId} for {disb.CampaignId} used lot {lotId} restricted to {lot.RestrictedTo}");
                }

            // Forward and backward traces agree on every (donation, disbursement) amount.
            var forward = new Dictionary<(string, string), long>();
            foreach (var donationId in _donations)
            {
                var trace = Host.Query("TraceDonation", new { donationId });
                long amount = trace.GetProperty("donation").GetProperty("amount").GetInt64();
                long total = trace.GetProperty("paid").GetInt64() + trace.GetProperty("refunded").GetInt64() + trace.GetProperty("remaining").GetInt64();
                Assert.True(amount == total, $"{where}: donation {donationId} {amount} != paid + refunded + remaining {total}");
                Walk(trace.GetProperty("tree"), donationId, forward);
            }
            var backward = new Dictionary<(string, string), long>();
            foreach (var disb in disbursements.Where(d => d.Status == DisbursementStatus.Paid))
            {
                var trace = Host.Query("TraceDisbursement", new { disbId = disb.DisbId });
                long sum = 0;
                foreach (var source in trace.GetProperty("sources").EnumerateArray())
                {
                    var key = (source.GetProperty("donationId").GetString()!, disb.DisbId);
                    backward[key] = backward.GetValueOrDefault(key) + source.GetProperty("amount").GetInt64();
                    sum += source.GetProperty("amount").GetInt64();
                }
                Assert.True(sum == disb.Amount, $"{where}: {disb.DisbId} sources {sum} != {disb.Amount}");
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
