using Chain.Contracts.Abstractions;
using Chain.Contracts.Charity;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.Charity;

/// <summary>Regressions: each test names a way money could leave its rules before the fix.</summary>
public sealed class CharityReviewTests
{
    private readonly CharityWorld _w = new();
    private MemoryContractHost Host => _w.Host;
    private const long Day = CharityWorld.Day;

    [Fact]
    public void PurposeChange_MovesOnlyMoneyNoApprovedDisbursementCountsOn()
    {
        // Regression: a purpose change moved money that a FIFO disbursement had reserved, leaving the pool below its reservations.
        _w.OpenCampaign("A");
        _w.OpenCampaign("B", purpose: "HEALTH");
        _w.Donate("D1", 10_000, campaignId: "A");
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", "C:A", 6_000));
        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "P1" });
        Host.Invoke(_w.Teller, "GiveConsent", new { donationId = "D1", seq = 1, newPurposeCode = "HEALTH", consentHash = CharityWorld.Hash("c") });
        Host.Invoke(_w.Officer1, "ChangePurpose", new { scope = "Donation", id = "D1", newPurposeCode = "HEALTH", consentSeq = 1, targetCampaignId = "B" });
        Assert.Equal(4_000, _w.Pool("C:B").Balance);
        Assert.Equal(6_000, _w.Pool("C:A").Balance);
        Host.Invoke(_w.Teller, "ConfirmPayment", new { disbId = "P1", bankTxRef = "BK-P1", paidAt = Host.Now });
    }

    [Fact]
    public void Leftover_StaysWithTheCharity_AndSimilarMeansTheSamePurpose()
    {
        // Regression: a leftover could be moved into another charity's campaign without any bank confirmation.
        _w.OpenCampaign("A", endAt: Host.Now + Day);
        _w.OpenCampaign("OTHER", purpose: "HEALTH");
        _w.OpenCampaign("S", charity: CharityWorld.Small);
        _w.Donate("D1", 10_000, campaignId: "A");
        Host.Now += Day;
        Host.Invoke(_w.Officer1, "CloseCampaign", new { campaignId = "A" });
        Assert.Equal(CharityErrors.Restricted, Host.Refused(_w.Officer1, "SettleLeftover", new { campaignId = "A", rule = "SimilarProject", targetCampaignId = "S" }).Code);
        var purpose = Host.Refused(_w.Officer1, "SettleLeftover", new { campaignId = "A", rule = "SimilarProject", targetCampaignId = "OTHER" });
        Assert.Contains("same purpose", purpose.Message);
    }

    [Fact]
    public void SettledCampaign_PaysNothingFromItsPool()
    {
        // Regression: after SettleLeftover(Refund) the money kept for donors could still be spent.
        _w.OpenCampaign("A", leftoverRule: "Refund", endAt: Host.Now + Day);
        _w.Donate("D1", 10_000, campaignId: "A");
        Host.Now += Day;
        Host.Invoke(_w.Officer1, "CloseCampaign", new { campaignId = "A" });
        Host.Invoke(_w.Officer1, "SettleLeftover", new { campaignId = "A", rule = "Refund" });
        var error = Host.Refused(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", "C:A", 1_000));
        Assert.Equal(ContractErrors.BadState, error.Code);
        Assert.Contains("is Settled", error.Message);
    }

    [Fact]
    public void GeneralSubGrants_CannotBeBookedOnSomeonesCampaign()
    {
        // Regression: an executor could name any charity's campaign on general sub-grant money and use up its fee cap.
        _w.OpenCampaign("C1", restricted: false);
        _w.Donate("U1", 50_000, campaignId: null);
        _w.Spend("G1", "U:CharityFoundation", 20_000, payeeType: "Executor");
        var pool = _w.Pool("G:Executor:*");
        Assert.Equal(20_000, pool.Balance);
        var error = Host.Refused(_w.Clerk, "ProposeDisbursement", _w.Proposal("X1", pool.PoolId, 1_000, payeeType: "Staff", category: "Management", campaignId: "C1"));
        Assert.Equal(CharityErrors.Restricted, error.Code);
    }

    [Fact]
    public void RefundFromTwoLotsOfOneCampaign_IsOneLedgerLine()
    {
        // Regression: the second lot's line overwrote the first one's, so the campaign ledger no longer added up.
        _w.OpenCampaign("C1");
        _w.Donate("U1", 100, campaignId: null);
        Host.Invoke(_w.Officer1, "Allocate", new { allocId = "A1", fromPoolId = "U:CharityFoundation", toCampaignId = "C1", amount = 50 });
        Host.Invoke(_w.Officer1, "Allocate", new { allocId = "A2", fromPoolId = "U:CharityFoundation", toCampaignId = "C1", amount = 30 });
        Host.Invoke(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "U1", amount = 90, reasonCode = "BankError", bankTxRef = "BK-R1", originalBankTxRef = _w.BankRefOf("U1") });
        var ledger = Host.Query("CampaignLedger", new { campaignId = "C1" });
        var refund = Assert.Single(ledger.GetProperty("entries").EnumerateArray(), e => e.GetProperty("kind").GetString() == "Refund");
        Assert.Equal(80, refund.GetProperty("out").GetInt64());
        Assert.True(ledger.GetProperty("balanced").GetBoolean());
    }

    [Fact]
    public void ManagementCostJustAboveTheCap_IsABreach()
    {
        // Regression: the ratio was rounded down to whole basis points, so 10.009% passed a 10% cap.
        var org = new Chain.Contracts.Charity.Org { OrgId = "F", Type = OrgType.Charity, Name = "F", Uscc = "U", Form = OrgForm.Foundation, PublicFundraising = true };
        var result = CharityRatios.Evaluate(org, 2026, incomePriorYear: 0, netAssetsPriorYearEnd: 0, charitableSpend: 899_910_000, managementSpend: 100_090_000, totalSpend: 1_000_000_000);
        Assert.Contains(result.Breaches, b => b.Contains("management cost"));
    }
}
