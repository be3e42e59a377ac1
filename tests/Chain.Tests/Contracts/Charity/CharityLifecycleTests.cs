using Chain.Contracts.Abstractions;
using Chain.Contracts.Charity;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.Charity;

/// <summary>Campaign life cycle, leftovers, refunds, pledges, holds, alerts and the regulator's queries.</summary>
public sealed class CharityLifecycleTests
{
    private readonly CharityWorld _w = new();
    private MemoryContractHost Host => _w.Host;
    private const long Day = CharityWorld.Day;

    [Fact]
    public void Campaign_StateMachine_RejectsIllegalTransitions_WithCurrentAndAttemptedState()
    {
        Host.Invoke(_w.Officer1, "CreateCampaign", new { campaignId = "C9", charityId = CharityWorld.Foundation, title = "t", purposeCode = "EDU", restricted = true, target = 1000, startAt = Host.Now, endAt = Host.Now + Day, planHash = CharityWorld.Hash("p") });
        var open = Host.Refused(_w.Officer1, "OpenCampaign", new { campaignId = "C9" });
        Assert.Equal(ContractErrors.BadState, open.Code);
        Assert.Contains("is Draft; cannot open", open.Message);
        var close = Host.Refused(_w.Officer1, "CloseCampaign", new { campaignId = "C9" });
        Assert.Contains("is Draft; cannot close", close.Message);
        Host.Invoke(_w.Regulator, "AcknowledgeFiling", new { campaignId = "C9", filingNo = "F9" });
        Host.Invoke(_w.Officer1, "OpenCampaign", new { campaignId = "C9" });
        var early = Host.Refused(_w.Officer1, "CloseCampaign", new { campaignId = "C9" });
        Assert.Equal(CharityErrors.Window, early.Code);
        Host.Now += Day;
        Host.Invoke(_w.Officer1, "CloseCampaign", new { campaignId = "C9" });
        Assert.Equal(CampaignStatus.Closed, _w.Campaign("C9").Status);
    }

    [Fact]
    public void PublicCampaign_NeedsPublicFundraisingStatus()
    {
        var error = Host.Refused(_w.SmallOfficer, "CreateCampaign", new { campaignId = "S9", charityId = CharityWorld.Small, title = "t", purposeCode = "EDU", restricted = true, @public = true, target = 1000, startAt = Host.Now, endAt = Host.Now + Day, planHash = CharityWorld.Hash("p") });
        Assert.Equal(ContractErrors.NotAuthorized, error.Code);
        Assert.Contains("public-fundraising", error.Message);
    }

    [Fact]
    public void SettleLeftover_MovesWhatRemainsToTheTarget_KeepingLineage()
    {
        _w.OpenCampaign("C1", endAt: Host.Now + Day);
        _w.OpenCampaign("C2", purpose: "EDU");
        _w.Donate("D1", 10_000);
        _w.Spend("P1", "C:C1", 4_000);
        Assert.Equal(ContractErrors.BadState, Host.Refused(_w.Officer1, "SettleLeftover", new { campaignId = "C1", rule = "SimilarProject", targetCampaignId = "C2" }).Code);
        Host.Now += Day;
        Host.Invoke(_w.Officer1, "CloseCampaign", new { campaignId = "C1" });
        Assert.Equal(CharityErrors.Restricted, Host.Refused(_w.Officer1, "SettleLeftover", new { campaignId = "C1", rule = "Refund" }).Code);
        Host.Invoke(_w.Officer1, "SettleLeftover", new { campaignId = "C1", rule = "SimilarProject", targetCampaignId = "C2" });

        Assert.Equal(CampaignStatus.Settled, _w.Campaign("C1").Status);
        Assert.Equal(0, _w.Pool("C:C1").Balance);
        Assert.Equal(6_000, _w.Pool("C:C2").Balance);
        var trace = Host.Query("TraceDonation", new { donationId = "D1" });
        Assert.Equal(4_000, trace.GetProperty("paid").GetInt64());
        Assert.Equal(6_000, trace.GetProperty("remaining").GetInt64());
        Assert.True(Host.Query("CampaignLedger", new { campaignId = "C1" }).GetProperty("balanced").GetBoolean());
        Assert.True(Host.Query("CampaignLedger", new { campaignId = "C2" }).GetProperty("balanced").GetBoolean());
    }

    [Fact]
    public void Refund_ReasonsAreChecked()
    {
        _w.OpenCampaign("C1", leftoverRule: "Refund", endAt: Host.Now + Day);
        _w.Donate("D1", 10_000);
        var leftover = Host.Refused(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 100, reasonCode = "LeftoverReturn", bankTxRef = "R1" });
        Assert.Equal(ContractErrors.BadState, leftover.Code);
        Host.Now += Day;
        Host.Invoke(_w.Officer1, "CloseCampaign", new { campaignId = "C1" });
        Host.Invoke(_w.Officer1, "SettleLeftover", new { campaignId = "C1", rule = "Refund" });
        Host.Invoke(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 10_000, reasonCode = "LeftoverReturn", bankTxRef = "R1" });
        Assert.Equal(10_000, Host.Query("GetDonation", new { donationId = "D1" }).GetProperty("refunded").GetInt64());
        var bad = Host.Refused(_w.Teller, "ConfirmRefund", new { refundId = "R2", donationId = "D1", amount = 1, reasonCode = "BecauseISaidSo", bankTxRef = "R2" });
        Assert.Equal(ContractErrors.BadArgs, bad.Code);
    }

    [Fact]
    public void Pledge_IsFulfilledByDonations_AndCannotBeExceeded()
    {
        _w.OpenCampaign("C1");
        Host.Invoke(_w.Donor, "Pledge", new { pledgeId = "PL1", donorRef = CharityWorld.Hash("donor-a"), charityId = CharityWorld.Foundation, campaignId = "C1", amount = 30_000, agreementHash = CharityWorld.Hash("agreement"),
            schedule = new[] { new { dueAt = Host.Now, amount = 10_000 }, new { dueAt = Host.Now + Day, amount = 20_000 } } });
        object Donation(string id, long amount) => new { donationId = id, pledgeId = "PL1", donorRef = CharityWorld.Hash("donor-a"), charityId = CharityWorld.Foundation, campaignId = "C1", amount, bankTxRef = "B" + id, valueDate = Host.Now };
        Host.Invoke(_w.Teller, "ConfirmDonation", Donation("D1", 10_000));
        Assert.Equal(ContractErrors.BadArgs, Host.Refused(_w.Teller, "ConfirmDonation", Donation("D2", 20_001)).Code);
        Host.Invoke(_w.Teller, "ConfirmDonation", Donation("D2", 20_000));
        Assert.Equal(PledgeStatus.Fulfilled, Host.Get<Pledge>(CharityKeys.Pledge("PL1"))!.Status);
    }

    [Fact]
    public void Receipt_OnceOnly_AndAnonymousDonationsCarryNoName()
    {
        _w.OpenCampaign("C1");
        _w.Donate("D1", 100);
        Host.Invoke(_w.Officer1, "IssueReceipt", new { donationId = "D1", receiptNo = "R1" });
        Host.Invoke(_w.Officer1, "IssueReceipt", new { donationId = "D1", receiptNo = "R1" });
        Assert.Equal(ContractErrors.Conflict, Host.Refused(_w.Officer1, "IssueReceipt", new { donationId = "D1", receiptNo = "R2" }).Code);
        Assert.Equal(ContractErrors.NotAuthorized, Host.Refused(_w.SmallOfficer, "IssueReceipt", new { donationId = "D1", receiptNo = "R1" }).Code);
        var named = Assert.Throws<ContractException>(() => Host.Invoke(_w.Teller, "ConfirmDonation", new { donationId = "D2", donorRef = CharityWorld.Hash("x"), displayName = "Wang", anonymous = true, charityId = CharityWorld.Foundation, campaignId = "C1", amount = 1, bankTxRef = "B2", valueDate = Host.Now }));
        Assert.Equal(ContractErrors.BadArgs, named.Code);
        var badId = Assert.Throws<ContractException>(() => Host.Invoke(_w.Teller, "ConfirmDonation", new { donationId = "D/2", donorRef = CharityWorld.Hash("x"), charityId = CharityWorld.Foundation, campaignId = "C1", amount = 1, bankTxRef = "B2", valueDate = Host.Now }));
        Assert.Contains("'donationId' must be", badId.Message);
    }

    [Fact]
    public void IdleFunds_ListsOldUnspentLots_PageByPage()
    {
        _w.OpenCampaign("C1", endAt: Host.Now + 1000 * Day);
        _w.OpenCampaign("C2", restricted: false, endAt: Host.Now + 1000 * Day);
        for (int i = 0; i < 5; i++) _w.Donate($"D{i}", 100, campaignId: i % 2 == 0 ? "C1" : "C2");
        Host.Now += 400 * Day;
        _w.Donate("FRESH", 100);
        var all = new List<string>();
        string? after = null;
        do
        {
            var page = Host.Query("IdleFunds", new { days = 365, limit = 2, after });
            all.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("lotId").GetString()!));
            after = page.TryGetProperty("next", out var next) && next.ValueKind == System.Text.Json.JsonValueKind.String ? next.GetString() : null;
        } while (after is not null);
        Assert.Equal(["D:D0", "D:D2", "D:D4", "D:D1", "D:D3"], all); // pool by pool, oldest first
        Assert.DoesNotContain("D:FRESH", all);

        var sweep = System.Text.Json.JsonDocument.Parse(Host.Invoke(_w.Auditor, "RaiseAlerts", new { })!).RootElement;
        Assert.Equal(5, sweep.GetProperty("idle").GetInt32());
        Assert.Equal(5, Host.Events.Count(e => e.Name == "Alert" && e.Payload.GetProperty("kind").GetString() == "IdleFunds"));
    }

    [Fact]
    public void Regulator_SeesAPayeeAcrossCharities_AndRelatedPartyHitsDeclaredAfterPayment()
    {
        _w.OpenCampaign("C1");
        _w.OpenCampaign("S1", charity: CharityWorld.Small);
        _w.Donate("D1", 10_000);
        _w.Donate("D2", 10_000, campaignId: "S1", charity: CharityWorld.Small);
        _w.Spend("P1", "C:C1", 3_000, payee: "shared supplier");
        _w.Spend("P2", "C:S1", 2_000, charity: CharityWorld.Small, payee: "shared supplier");
        var across = Host.Query("PayeeAcrossCharities", new { payeeRef = CharityWorld.Hash("shared supplier") });
        Assert.Equal(2, across.GetProperty("charities").GetInt32());

        Assert.Empty(Host.Query("RelatedPartyHits", new { }).GetProperty("declaredLater").EnumerateArray());
        Host.Invoke(_w.SmallOfficer, "DeclareRelatedParties", new { charityId = CharityWorld.Small, hashes = new[] { CharityWorld.Hash("shared supplier") } });
        var hits = Host.Query("RelatedPartyHits", new { });
        var hit = Assert.Single(hits.GetProperty("declaredLater").EnumerateArray());
        Assert.Equal("P2", hit.GetProperty("disbId").GetString());
        Assert.Empty(hits.GetProperty("inForce").EnumerateArray()); // the contract refuses payments to a party in force
    }

    [Fact]
    public void BalanceSheet_SplitsRestrictedAndUnrestricted_AndOutflowsByCategory()
    {
        _w.OpenCampaign("C1");
        _w.Donate("D1", 10_000);
        _w.Donate("U1", 5_000, campaignId: null);
        _w.Spend("P1", "C:C1", 3_000);
        _w.Spend("M1", "C:C1", 500, category: "Management", payeeType: "Staff");
        var sheet = Host.Query("BalanceSheet", new { charityId = CharityWorld.Foundation });
        Assert.Equal(5_000, sheet.GetProperty("unrestricted").GetInt64());
        Assert.Equal(6_500, sheet.GetProperty("restricted").GetInt64());
        Assert.Equal(15_000, sheet.GetProperty("income").GetInt64());
        Assert.Equal(3_000, sheet.GetProperty("outByCategory").GetProperty("charitable").GetInt64());
        Assert.Equal(500, sheet.GetProperty("outByCategory").GetProperty("management").GetInt64());
    }

    [Fact]
    public void CampaignPurposeChange_NeedsTheRegulatorsFilingOfThatPurpose()
    {
        _w.OpenCampaign("C1");
        Host.Invoke(_w.Regulator, "AcknowledgeFiling", new { campaignId = "C1", filingNo = "CHG-1", newPurposeCode = "HEALTH" });
        Assert.Equal(CharityErrors.Restricted, Host.Refused(_w.Officer1, "ChangePurpose", new { scope = "Campaign", id = "C1", newPurposeCode = "ELDER", filingNo = "CHG-1" }).Code);
        Host.Invoke(_w.Officer1, "ChangePurpose", new { scope = "Campaign", id = "C1", newPurposeCode = "HEALTH", filingNo = "CHG-1" });
        Assert.Equal("HEALTH", _w.Campaign("C1").PurposeCode);
    }

    [Theory]
    [InlineData(OrgForm.Foundation, true, 0L, 7000, 1000)]
    [InlineData(OrgForm.SocialGroup, true, 0L, 7000, 1300)]
    [InlineData(OrgForm.Foundation, false, 70_000_000_00L, 600, 1200)]
    [InlineData(OrgForm.Foundation, false, 10_000_000_00L, 600, 1300)]
    [InlineData(OrgForm.Foundation, false, 5_000_000_00L, 700, 1500)]
    [InlineData(OrgForm.Foundation, false, 1_000_000_00L, 800, 2000)]
    [InlineData(OrgForm.SocialService, false, 20_000_000_00L, 600, 1300)]
    [InlineData(OrgForm.SocialService, false, 6_000_000_00L, 700, 1400)]
    [InlineData(OrgForm.SocialService, false, 2_000_000_00L, 800, 1500)]
    [InlineData(OrgForm.SocialService, false, 500_000_00L, 800, 2000)]
    public void Ratios_FollowTheCharityLawTable(OrgForm form, bool publicFundraising, long netAssets, int minSpendBps, int maxMgmtBps)
    {
        var rule = CharityRatios.RuleFor(form, publicFundraising, netAssets);
        Assert.Equal(minSpendBps, rule.MinSpendBps);
        Assert.Equal(maxMgmtBps, rule.MaxMgmtBps);
    }

    [Fact]
    public void Ratios_SmallManagementCostIsExempt_AndTheSmallestSocialTierNeedsHalfOfIncome()
    {
        var org = new Chain.Contracts.Charity.Org { OrgId = "X", Type = OrgType.Charity, Name = "X", Uscc = "U", Form = OrgForm.SocialGroup, PublicFundraising = false };
        var small = CharityRatios.Evaluate(org, 2026, incomePriorYear: 1_000_000, netAssetsPriorYearEnd: 500_000, charitableSpend: 400_000, managementSpend: 150_000, totalSpend: 550_000);
        Assert.True(small.MgmtExempt);
        Assert.Contains(small.Breaches, b => b.Contains("below the required"));
        Assert.Equal(500_000, small.RequiredSpend); // 50% of income beats 8% of net assets
    }
}
