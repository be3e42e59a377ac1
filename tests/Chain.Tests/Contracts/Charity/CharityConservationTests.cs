using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;
using Chain.Contracts.Charity;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.Charity;

/// <summary>
/// Regressions for the ways money could be created, drained or hidden, each refused with a specific error and
/// no change of state; and the invariant query, which must find what a tampered store breaks.
/// </summary>
public sealed class CharityConservationTests
{
    private readonly CharityWorld _w = new();
    private MemoryContractHost Host => _w.Host;
    private const long Day = CharityWorld.Day;
    private readonly Caller _teller2 = CharityWorld.Account("Bank2", "teller1", "bank");

    private void AssertSound() => Assert.True(Host.Query("CheckInvariants", new { }).GetProperty("sound").GetBoolean());

    [Fact]
    public void PurposeChange_IntoTheDonationsOwnCampaign_IsRefused()
    {
        // Regression: the source and target pool were loaded as two copies; the last write won, so the pool grew
        // with no lots behind it while CampaignLedger still reported itself balanced.
        _w.OpenCampaign("A");
        _w.Donate("D1", 10_000, campaignId: "A");
        Host.Invoke(_w.Teller, "GiveConsent", new { donationId = "D1", seq = 1, newPurposeCode = "EDU", consentHash = CharityWorld.Hash("c") });
        var error = Host.Refused(_w.Officer1, "ChangePurpose", new { scope = "Donation", id = "D1", newPurposeCode = "EDU", consentSeq = 1, targetCampaignId = "A" });
        Assert.Equal(ContractErrors.BadArgs, error.Code);
        Assert.Contains("already in campaign 'A'", error.Message);
        Assert.Equal(10_000, _w.Pool("C:A").Balance);
        AssertSound();
    }

    [Fact]
    public void RejectAfterApproval_IsRefused_OnlyTheBankClosesAnApprovedDisbursement()
    {
        // Regression: a charity could reject a disbursement the bank had been told to pay; the bank's later
        // ConfirmPayment then failed while the money had left the bank.
        _w.OpenCampaign("C1");
        _w.Donate("D1", 10_000);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", "C:C1", 4_000));
        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "P1" });
        foreach (var caller in new[] { _w.Officer1, _w.Teller })
        {
            var error = Host.Refused(caller, "RejectDisbursement", new { disbId = "P1", reason = "changed our mind" });
            Assert.Equal(ContractErrors.BadState, error.Code);
            Assert.Contains("only the bank closes it", error.Message);
        }
        // The charity asks the bank, which fails the payment: the reservation is released.
        Host.Invoke(_w.Teller, "FailPayment", new { disbId = "P1", bankTxRef = "BK-F1", reason = "stopped at the charity's request" });
        Assert.Equal(0, _w.Pool("C:C1").Reserved);
        // Before approval a rejection is still the charity's.
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P2", "C:C1", 1_000));
        Host.Invoke(_w.Officer1, "RejectDisbursement", new { disbId = "P2", reason = "duplicate" });
        AssertSound();
    }

    [Fact]
    public void PayeeAcrossCharities_CountsEveryPayment_WhateverThePageSize()
    {
        // Regression: the number of charities and the amounts were computed over one page only.
        _w.OpenCampaign("C1");
        _w.OpenCampaign("S1", charity: CharityWorld.Small);
        _w.Donate("D1", 50_000);
        _w.Donate("D2", 50_000, campaignId: "S1", charity: CharityWorld.Small);
        _w.Spend("P1", "C:C1", 1_000, payee: "shared");
        _w.Spend("P2", "C:C1", 2_000, payee: "shared");
        _w.Spend("P3", "C:S1", 3_000, charity: CharityWorld.Small, payee: "shared");
        var page = Host.Query("PayeeAcrossCharities", new { payeeRef = CharityWorld.Hash("shared"), limit = 1 });
        Assert.Equal(2, page.GetProperty("charities").GetInt32());
        Assert.Equal(3, page.GetProperty("payments").GetInt32());
        Assert.Equal(6_000, page.GetProperty("amount").GetInt64());
        Assert.Single(page.GetProperty("disbursements").EnumerateArray());
        Assert.NotNull(page.GetProperty("next").GetString());
    }

    [Fact]
    public void Refund_ByABankThatDidNotConfirmTheDonation_IsRefused()
    {
        // Regression: any bank could refund any donation.
        Host.Invoke(_w.Regulator, "RegisterOrg", new { orgId = "Bank2", type = "Bank", name = "Second bank", uscc = "91110000BANK00002X" });
        _w.OpenCampaign("C1");
        _w.Donate("D1", 10_000);
        var error = Host.Refused(_teller2, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 1_000, reasonCode = "BankError", bankTxRef = "B2-1", originalBankTxRef = _w.BankRefOf("D1") });
        Assert.Equal(CharityErrors.BankOnly, error.Code);
        Assert.Contains("only that bank can refund it", error.Message);
        Host.Invoke(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 1_000, reasonCode = "BankError", bankTxRef = "B1-1", originalBankTxRef = _w.BankRefOf("D1") });
    }

    [Fact]
    public void CampaignCancelled_NeedsACancelledCampaign_NotAClosedOne()
    {
        // Regression: a campaign that had merely closed accepted refunds as "cancelled".
        _w.OpenCampaign("C1", endAt: Host.Now + Day);
        _w.Donate("D1", 10_000);
        Host.Now += Day;
        Host.Invoke(_w.Officer1, "CloseCampaign", new { campaignId = "C1" });
        var closed = Host.Refused(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 10_000, reasonCode = "CampaignCancelled", bankTxRef = "B1" });
        Assert.Equal(ContractErrors.BadState, closed.Code);
        Assert.Contains("needs money of donation 'D1' in a cancelled campaign (CancelCampaign)", closed.Message);
        Host.Invoke(_w.Regulator, "CancelCampaign", new { campaignId = "C1", reason = "fraudulent appeal" });
        Host.Invoke(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 10_000, reasonCode = "CampaignCancelled", bankTxRef = "B1" });
        // A cancelled campaign takes and pays nothing more.
        Assert.Equal(ContractErrors.BadState, Host.Refused(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", "C:C1", 100)).Code);
        AssertSound();
    }

    [Fact]
    public void CancelCampaign_WaitsForTheBankToCloseApprovedPayments()
    {
        _w.OpenCampaign("C1");
        _w.Donate("D1", 10_000);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", "C:C1", 4_000));
        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "P1" });
        Assert.Contains("the bank pays or fails them first", Host.Refused(_w.Officer1, "CancelCampaign", new { campaignId = "C1", reason = "x" }).Message);
        Assert.Equal(ContractErrors.NotAuthorized, Host.Refused(_w.SmallOfficer, "CancelCampaign", new { campaignId = "C1", reason = "x" }).Code);
    }

    [Fact]
    public void NamedLeftover_GoesOnlyToTheCampaignThePlanNamed()
    {
        // Regression: the Named target was not stored in the plan, so any open campaign of the charity was accepted.
        _w.OpenCampaign("HOME");
        _w.OpenCampaign("OTHER");
        var missing = Host.Refused(_w.Officer1, "CreateCampaign", new
        {
            campaignId = "N", charityId = CharityWorld.Foundation, title = "n", purposeCode = "EDU", restricted = true, target = 1_000_000L,
            startAt = Host.Now - Day, endAt = Host.Now + Day, planHash = CharityWorld.Hash("plan"), leftoverRule = "Named",
        });
        Assert.Equal(ContractErrors.BadArgs, missing.Code);
        Host.Invoke(_w.Officer1, "CreateCampaign", new
        {
            campaignId = "N", charityId = CharityWorld.Foundation, title = "n", purposeCode = "EDU", restricted = true, target = 1_000_000L,
            startAt = Host.Now - Day, endAt = Host.Now + Day, planHash = CharityWorld.Hash("plan"), leftoverRule = "Named", leftoverTarget = "HOME",
        });
        Host.Invoke(_w.Regulator, "AcknowledgeFiling", new { campaignId = "N", filingNo = "F-N" });
        Host.Invoke(_w.Officer1, "OpenCampaign", new { campaignId = "N" });
        _w.Donate("D1", 10_000, campaignId: "N");
        Host.Now += Day;
        Host.Invoke(_w.Officer1, "CloseCampaign", new { campaignId = "N" });
        var elsewhere = Host.Refused(_w.Officer1, "SettleLeftover", new { campaignId = "N", rule = "Named", targetCampaignId = "OTHER" });
        Assert.Equal(CharityErrors.Restricted, elsewhere.Code);
        Assert.Contains("names 'HOME'", elsewhere.Message);
        Host.Invoke(_w.Officer1, "SettleLeftover", new { campaignId = "N", rule = "Named" });
        Assert.Equal(10_000, _w.Pool("C:HOME").Balance);
        AssertSound();
    }

    [Fact]
    public void MoneyThatMayNotBeInvested_IsNeverPlacedInAnInvestment()
    {
        // Regression: noInvest was never set or read (Art 54).
        _w.OpenCampaign("C1");
        Host.Invoke(_w.Officer1, "CreateCampaign", new
        {
            campaignId = "GOV", charityId = CharityWorld.Foundation, title = "Government-funded relief", purposeCode = "EDU", restricted = true, target = 1_000_000L,
            startAt = Host.Now - Day, endAt = Host.Now + 30 * Day, planHash = CharityWorld.Hash("plan GOV"), noInvest = true,
        });
        Host.Invoke(_w.Regulator, "AcknowledgeFiling", new { campaignId = "GOV", filingNo = "F-GOV" });
        Host.Invoke(_w.Officer1, "OpenCampaign", new { campaignId = "GOV" });
        _w.Donate("D1", 10_000, campaignId: "GOV");
        _w.Donate("D2", 10_000, campaignId: "C1");
        Assert.True(_w.Pool("C:GOV").NoInvest);
        var error = Host.Refused(_w.Officer1, "ProposeDisbursement", _w.Proposal("I1", "C:GOV", 5_000, payeeType: "Investment", category: "Other"));
        Assert.Equal(CharityErrors.Restricted, error.Code);
        Assert.Contains("Art 54", error.Message);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("I2", "C:C1", 5_000, payeeType: "Investment", category: "Other"));
    }

    [Fact]
    public void CampaignCancelledRefund_TakesOnlyMoneyInTheCancelledCampaign_NotMoneyMovedOnByPurposeChange()
    {
        // Regression: the reason was judged by the donation's first campaign, so cancelling an emptied campaign let
        // the bank refund money that a purpose change had moved into an open one.
        _w.OpenCampaign("A");
        _w.OpenCampaign("B");
        _w.Donate("D1", 10_000, campaignId: "A");
        Host.Invoke(_w.Teller, "GiveConsent", new { donationId = "D1", seq = 1, newPurposeCode = "EDU", consentHash = CharityWorld.Hash("c") });
        Host.Invoke(_w.Officer1, "ChangePurpose", new { scope = "Donation", id = "D1", newPurposeCode = "EDU", consentSeq = 1, targetCampaignId = "B" });
        Host.Invoke(_w.Officer1, "CancelCampaign", new { campaignId = "A", reason = "merged into B" });
        var error = Host.Refused(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 10_000, reasonCode = "CampaignCancelled", bankTxRef = "BR-1" });
        Assert.Equal(ContractErrors.BadState, error.Code);
        Assert.Contains("in a cancelled campaign", error.Message);
        Assert.Equal(10_000, _w.Pool("C:B").Balance);
        Host.Invoke(_w.Officer1, "CancelCampaign", new { campaignId = "B", reason = "appeal withdrawn" });
        Host.Invoke(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 10_000, reasonCode = "CampaignCancelled", bankTxRef = "BR-1" });
        Assert.Equal(0, _w.Pool("C:B").Balance);
        AssertSound();
    }

    [Fact]
    public void CancelCampaign_ReturnsTheCharitysAllocatedMoney_AndDonorsRefundOnlyTheirOwn()
    {
        // Regression: money the charity allocated from its unrestricted pool stayed in the cancelled pool, where
        // CampaignCancelled refunds could hand the charity's own money to whichever donor asked first.
        _w.OpenCampaign("C1");
        _w.Donate("DU", 20_000, campaignId: null);
        _w.Donate("D1", 10_000);
        string unrestricted = CharityKeys.UnrestrictedPool(CharityWorld.Foundation);
        Host.Invoke(_w.Officer1, "Allocate", new { allocId = "AL1", fromPoolId = unrestricted, toCampaignId = "C1", amount = 8_000 });
        Assert.Equal(18_000, _w.Pool("C:C1").Balance);
        Host.Invoke(_w.Regulator, "CancelCampaign", new { campaignId = "C1", reason = "fraudulent appeal" });
        Assert.Equal(10_000, _w.Pool("C:C1").Balance);
        Assert.Equal(20_000, _w.Pool(unrestricted).Balance);
        Assert.Equal(8_000, _w.Campaign("C1").Totals.MovedOut);
        var charitysOwn = Host.Refused(_w.Teller, "ConfirmRefund", new { refundId = "R0", donationId = "DU", amount = 1_000, reasonCode = "CampaignCancelled", bankTxRef = "BR-0" });
        Assert.Equal(ContractErrors.BadState, charitysOwn.Code);
        var tooMuch = Host.Refused(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 10_001, reasonCode = "CampaignCancelled", bankTxRef = "BR-1" });
        Assert.Equal(CharityErrors.Overspend, tooMuch.Code);
        Host.Invoke(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 10_000, reasonCode = "CampaignCancelled", bankTxRef = "BR-1" });
        AssertSound();
    }

    [Fact]
    public void CancelCampaign_WaitsForApprovedPaymentsFromAnyPool_NotOnlyItsOwn()
    {
        // Regression: only the campaign pool's reservations were looked at; an approved payment for the campaign
        // from the charity's unrestricted pool survived the cancellation and was then paid.
        _w.OpenCampaign("C1");
        _w.Donate("DU", 20_000, campaignId: null);
        string unrestricted = CharityKeys.UnrestrictedPool(CharityWorld.Foundation);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", unrestricted, 4_000, campaignId: "C1"));
        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "P1" });
        Assert.Equal(4_000, _w.Campaign("C1").Totals.ApprovedUnpaid);
        var error = Host.Refused(_w.Officer1, "CancelCampaign", new { campaignId = "C1", reason = "x" });
        Assert.Contains("approved, unpaid disbursements", error.Message);
        Host.Invoke(_w.Teller, "FailPayment", new { disbId = "P1", bankTxRef = "BK-F1", reason = "stopped" });
        Assert.Equal(0, _w.Campaign("C1").Totals.ApprovedUnpaid);
        Host.Invoke(_w.Officer1, "CancelCampaign", new { campaignId = "C1", reason = "x" });
        AssertSound();
    }

    [Fact]
    public void ProposedDisbursements_OfACancelledCampaign_CannotBeApproved()
    {
        // Regression: a disbursement for the campaign proposed before the cancellation, from the charity's
        // unrestricted pool (which stays open), could still be approved and paid after it.
        _w.OpenCampaign("C1");
        _w.Donate("DU", 10_000, campaignId: null);
        string unrestricted = CharityKeys.UnrestrictedPool(CharityWorld.Foundation);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", unrestricted, 4_000, campaignId: "C1"));
        Host.Invoke(_w.Regulator, "CancelCampaign", new { campaignId = "C1", reason = "fraudulent appeal" });
        var error = Host.Refused(_w.Officer2, "ApproveDisbursement", new { disbId = "P1" });
        Assert.Equal(ContractErrors.BadState, error.Code);
        Assert.Contains("campaign 'C1' is Cancelled", error.Message);
        Assert.Equal(0, _w.Pool(unrestricted).Reserved);
    }

    [Fact]
    public void PurposeChange_OutOfACancelledCampaign_IsRefused()
    {
        // Regression: money waiting in a cancelled campaign for its donors' refunds could be moved to another campaign.
        _w.OpenCampaign("A");
        _w.OpenCampaign("B");
        _w.Donate("D1", 10_000, campaignId: "A");
        Host.Invoke(_w.Teller, "GiveConsent", new { donationId = "D1", seq = 1, newPurposeCode = "EDU", consentHash = CharityWorld.Hash("c") });
        Host.Invoke(_w.Regulator, "CancelCampaign", new { campaignId = "A", reason = "fraudulent appeal" });
        var error = Host.Refused(_w.Officer1, "ChangePurpose", new { scope = "Donation", id = "D1", newPurposeCode = "EDU", consentSeq = 1, targetCampaignId = "B" });
        Assert.Equal(ContractErrors.BadState, error.Code);
        Assert.Contains("goes back to donors", error.Message);
        Assert.Equal(10_000, _w.Pool("C:A").Balance);
    }

    [Fact]
    public void BankErrorAndReversalRefunds_NameTheDonationsBankTransaction_AndComeWithinTheWindow()
    {
        // Regression: BankError and PaymentReversal refunded any donation at any time, with nothing tying the
        // refund to the bank transaction it corrects.
        _w.OpenCampaign("C1");
        _w.Donate("D1", 10_000);
        _w.Donate("D2", 10_000);
        object Refund(string reason, string? original) => new { refundId = "R1", donationId = "D1", amount = 1_000, reasonCode = reason, bankTxRef = "BR-1", originalBankTxRef = original };
        var missing = Host.Refused(_w.Teller, "ConfirmRefund", Refund("BankError", null));
        Assert.Equal(ContractErrors.BadArgs, missing.Code);
        Assert.Contains("needs 'originalBankTxRef'", missing.Message);
        var other = Host.Refused(_w.Teller, "ConfirmRefund", Refund("PaymentReversal", _w.BankRefOf("D2")));
        Assert.Equal(ContractErrors.BadArgs, other.Code);
        Assert.Contains("is not the bank reference of donation 'D1'", other.Message);
        Host.Now += (CharityContract.RefundWindowDays + 1) * Day;
        var late = Host.Refused(_w.Teller, "ConfirmRefund", Refund("BankError", _w.BankRefOf("D1")));
        Assert.Equal(ContractErrors.BadState, late.Code);
        Assert.Contains($"within {CharityContract.RefundWindowDays} days", late.Message);
        Host.Now -= 2 * Day;
        Host.Invoke(_w.Teller, "ConfirmRefund", Refund("BankError", _w.BankRefOf("D1")));
        Assert.Equal(1_000, Host.Get<Donation>(CharityKeys.Donation("D1"))!.Refunded);
        AssertSound();
    }

    [Fact]
    public void OnlyTheAccountBank_PaysFailsOrTurnsDownACharitysDisbursements()
    {
        // Regression: any bank on the channel could confirm, fail or reject any charity's disbursement.
        Host.Invoke(_w.Regulator, "RegisterOrg", new { orgId = "Bank2", type = "Bank", name = "Second bank", uscc = "91110000BANK00002X" });
        _w.OpenCampaign("C1");
        _w.Donate("D1", 10_000);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P0", "C:C1", 1_000));
        var reject = Host.Refused(_teller2, "RejectDisbursement", new { disbId = "P0", reason = "not our customer" });
        Assert.Equal(CharityErrors.BankOnly, reject.Code);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", "C:C1", 4_000));
        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "P1" });
        var pay = Host.Refused(_teller2, "ConfirmPayment", new { disbId = "P1", bankTxRef = "B2-1", paidAt = Host.Now });
        Assert.Equal(CharityErrors.BankOnly, pay.Code);
        Assert.Contains("banks with 'Bank'", pay.Message);
        Assert.Equal(CharityErrors.BankOnly, Host.Refused(_teller2, "FailPayment", new { disbId = "P1", bankTxRef = "B2-2", reason = "x" }).Code);
        Host.Invoke(_w.Teller, "ConfirmPayment", new { disbId = "P1", bankTxRef = "B1-1", paidAt = Host.Now });
        // Whoever spends names its bank when registered, and it must be a registered bank.
        var none = Host.Refused(_w.Regulator, "RegisterOrg", new { orgId = "NewCharity", type = "Charity", name = "n", uscc = "53100000NEWC00001A" });
        Assert.Equal(ContractErrors.BadArgs, none.Code);
        Assert.Contains("needs 'accountBank'", none.Message);
        var notABank = Host.Refused(_w.Regulator, "RegisterOrg", new { orgId = "NewCharity", type = "Charity", name = "n", uscc = "53100000NEWC00001A", accountBank = CharityWorld.Small });
        Assert.Contains("is Charity, expected Bank", notABank.Message);
        Assert.Equal(ContractErrors.BadArgs, Host.Refused(_w.Regulator, "RegisterOrg", new { orgId = "Bank3", type = "Bank", name = "b", uscc = "91110000BANK00003X", accountBank = "Bank" }).Code);
        AssertSound();
    }

    [Fact]
    public void MoneyThatMayNotBeInvested_KeepsTheMarkWhereverItMoves_AndAnInvestmentEarmarksInvestableMoney()
    {
        // Regression: the mark was on the pool only; a purpose change carried such money into a pool that may
        // invest, and an investment from there took it first in line.
        Host.Invoke(_w.Officer1, "CreateCampaign", new
        {
            campaignId = "GOV", charityId = CharityWorld.Foundation, title = "Government-funded relief", purposeCode = "EDU", restricted = true, target = 1_000_000L,
            startAt = Host.Now - Day, endAt = Host.Now + 30 * Day, planHash = CharityWorld.Hash("plan GOV"), noInvest = true,
        });
        Host.Invoke(_w.Regulator, "AcknowledgeFiling", new { campaignId = "GOV", filingNo = "F-GOV" });
        Host.Invoke(_w.Officer1, "OpenCampaign", new { campaignId = "GOV" });
        _w.OpenCampaign("C1");
        _w.Donate("D1", 10_000, campaignId: "GOV");
        Host.Now += 1;
        _w.Donate("D2", 3_000, campaignId: "C1");
        Host.Invoke(_w.Teller, "GiveConsent", new { donationId = "D1", seq = 1, newPurposeCode = "EDU", consentHash = CharityWorld.Hash("c") });
        Host.Invoke(_w.Officer1, "ChangePurpose", new { scope = "Donation", id = "D1", newPurposeCode = "EDU", consentSeq = 1, targetCampaignId = "C1" });
        Assert.False(_w.Pool("C:C1").NoInvest);
        var moved = Host.Entries("lot/").Select(e => ContractJson.Deserialize<Lot>(e.Value)!).Where(l => l.PoolId == "C:C1" && l.DonationId == "D1").ToList();
        Assert.NotEmpty(moved);
        Assert.All(moved, l => Assert.True(l.NoInvest));
        // Only D2's 3,000 may be invested: 5,000 does not fit, and 3,000 is earmarked on D2's lot at approval.
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("I1", "C:C1", 5_000, payeeType: "Investment", category: "Other"));
        var error = Host.Refused(_w.Officer2, "ApproveDisbursement", new { disbId = "I1" });
        Assert.Equal(CharityErrors.Overspend, error.Code);
        Assert.Contains("that may be invested", error.Message);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("I2", "C:C1", 3_000, payeeType: "Investment", category: "Other"));
        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "I2" });
        Assert.Equal(3_000, _w.Lot(CharityKeys.DonationLotId("D2")).Reserved);
        // Spending the rest first cannot leave the investment only money that may not be invested.
        _w.Spend("P1", "C:C1", 10_000);
        Host.Invoke(_w.Teller, "ConfirmPayment", new { disbId = "I2", bankTxRef = _w.NextBankRef(), paidAt = Host.Now });
        Assert.Equal(0, _w.Pool("C:C1").Balance);
        AssertSound();
    }

    [Fact]
    public void RelatedParties_CanOnlyBeAdded_AndHitsAreJudgedByTheListInForceAtPayment()
    {
        // Regression: a charity could overwrite or empty its related-party list, hiding hits and unblocking payments.
        _w.OpenCampaign("C1");
        _w.Donate("D1", 50_000);
        _w.Spend("P1", "C:C1", 1_000, payee: "cousin");
        var cousin = CharityWorld.Hash("cousin");
        Host.Invoke(_w.Officer1, "DeclareRelatedParties", new { charityId = CharityWorld.Foundation, hashes = new[] { cousin } });
        // Declaring another list does not remove the cousin.
        Host.Invoke(_w.Officer1, "DeclareRelatedParties", new { charityId = CharityWorld.Foundation, hashes = new[] { CharityWorld.Hash("uncle") } });
        Assert.Equal(CharityErrors.RelatedParty, Host.Refused(_w.Officer1, "ProposeDisbursement", _w.Proposal("P2", "C:C1", 1_000, payee: "cousin")).Code);
        Assert.Equal(ContractErrors.NotAuthorized, Host.Refused(_w.Officer1, "EndRelatedParty", new { orgId = CharityWorld.Foundation, hash = cousin, reason = "x" }).Code);
        var hits = Host.Query("RelatedPartyHits", new { });
        Assert.Equal("P1", Assert.Single(hits.GetProperty("declaredLater").EnumerateArray()).GetProperty("disbId").GetString());
        Assert.Empty(hits.GetProperty("inForce").EnumerateArray());
        // Only the regulator ends a declaration; its period stays on record, and the earlier payment stays listed.
        Host.Invoke(_w.Regulator, "EndRelatedParty", new { orgId = CharityWorld.Foundation, hash = cousin, reason = "divorce registered" });
        _w.Spend("P3", "C:C1", 1_000, payee: "cousin");
        var party = Assert.Single(Host.Query("ListRelatedParties", new { orgId = CharityWorld.Foundation }).GetProperty("items").EnumerateArray(),
            p => p.GetProperty("hash").GetString() == cousin);
        Assert.Equal(System.Text.Json.JsonValueKind.Number, party.GetProperty("periods")[0].GetProperty("to").ValueKind);
        Assert.Single(Host.Query("RelatedPartyHits", new { }).GetProperty("declaredLater").EnumerateArray());
        AssertSound();
    }

    [Theory]
    [InlineData("110105 19491231 002X")] // spaces
    [InlineData("１１０１０５１９４９１２３１００２Ｘ")] // full-width digits and X
    [InlineData("ref 7440524198801010011 93")] // inside a longer run of digits
    [InlineData("11010519491231002x")] // lower-case check character
    public void IdentityNumbers_InAnyFormOfText_AreRefused(string text)
    {
        // Regression: spaces, full-width digits, longer digit runs and numbers slipped past the screen.
        var error = Host.Refused(_w.Teller, "ConfirmDonation", new { donationId = "D1", donorRef = CharityWorld.Hash("d"), displayName = text, charityId = CharityWorld.Foundation, amount = 100, bankTxRef = "X1", valueDate = Host.Now });
        Assert.Equal(PersonalData.Code, error.Code);
    }

    [Fact]
    public void IdentityNumbers_AsJsonNumbers_OrPropertyNames_AreRefused()
    {
        var asNumber = Host.Refused(_w.Teller, "ConfirmDonation", "{\"donationId\":\"D1\",\"donorRef\":\"" + CharityWorld.Hash("d") + "\",\"charityId\":\"CharityFoundation\",\"amount\":100,\"bankTxRef\":\"X1\",\"valueDate\":1,\"note\":440524198801010011}");
        Assert.Equal(PersonalData.Code, asNumber.Code);
        Assert.Contains("'note'", asNumber.Message);
        var asName = Host.Refused(_w.Teller, "ConfirmDonation", "{\"donationId\":\"D1\",\"donorRef\":\"" + CharityWorld.Hash("d") + "\",\"charityId\":\"CharityFoundation\",\"amount\":100,\"bankTxRef\":\"X1\",\"valueDate\":1,\"11010519491231002X\":true}");
        Assert.Equal(PersonalData.Code, asName.Code);
    }

    [Theory]
    [InlineData("2026-12-01 10:32:45.123+08:00")]
    [InlineData("BK-2026-0000001234")]
    [InlineData("62220212345678901234")]
    [InlineData("1,000,000.00 yuan, 2,000.00 yuan")]
    public void OrdinaryNumbersAndDates_PassTheScreen(string text) => Assert.False(PersonalData.ContainsIdNumber(text));

    [Fact]
    public void AmountsAboveTheMaximum_AreBadArgs_AndOverflowIsRefusedNotWrapped()
    {
        // Regression: long arithmetic was unchecked; a sum near 2^63 wrapped around instead of being refused.
        _w.OpenCampaign("C1");
        var tooLarge = Host.Refused(_w.Teller, "ConfirmDonation", new { donationId = "D1", donorRef = CharityWorld.Hash("d"), charityId = CharityWorld.Foundation, campaignId = "C1", amount = Money.MaxFen + 1, bankTxRef = "X1", valueDate = Host.Now });
        Assert.Equal(ContractErrors.BadArgs, tooLarge.Code);
        // A pool already near the limit (as only a bug or a tampered store could leave it): the next donation overflows.
        var pool = _w.Pool("C:C1");
        pool.Balance = long.MaxValue - 10;
        Host.Tamper(CharityKeys.Pool("C:C1"), pool);
        var overflow = Host.Refused(_w.Teller, "ConfirmDonation", new { donationId = "D2", donorRef = CharityWorld.Hash("d"), charityId = CharityWorld.Foundation, campaignId = "C1", amount = 100, bankTxRef = "X2", valueDate = Host.Now });
        Assert.Equal(ContractErrors.Overflow, overflow.Code);
    }

    [Fact]
    public void CheckInvariants_FindsWhatATamperedStoreBreaks()
    {
        _w.OpenCampaign("C1");
        _w.Donate("D1", 10_000);
        _w.Spend("P1", "C:C1", 4_000);
        AssertSound();
        var pool = _w.Pool("C:C1");
        pool.Balance += 1; // money from nowhere
        Host.Tamper(CharityKeys.Pool("C:C1"), pool);
        var lot = _w.Lot("D:D1");
        lot.Remaining -= 5; // money gone without an edge
        Host.Tamper(CharityKeys.Lot("D:D1"), lot);
        var check = Host.Query("CheckInvariants", new { });
        Assert.False(check.GetProperty("sound").GetBoolean());
        var laws = check.GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("law").GetString()).ToHashSet();
        Assert.Contains("L1", laws); // lot remaining vs edges
        Assert.Contains("L2", laws); // pool balance vs lots
        Assert.Contains("L3", laws); // donation amount vs where it went
        Assert.Contains("L4", laws); // the whole ledger
        Assert.Contains("L6", laws); // the campaign's books
    }

    [Fact]
    public void ALotsNumberedEdges_ListEachEdgeOnce_AndCheckInvariantsFindsAGapOrAnExtra()
    {
        _w.OpenCampaign("C1");
        _w.Donate("D1", 10_000);
        _w.Spend("P1", "C:C1", 4_000);
        _w.Spend("P2", "C:C1", 1_000);
        var lot = _w.Lot("D:D1");
        Assert.Equal(2, lot.EdgeCount);
        Assert.Equal("disb/P1", System.Text.Encoding.UTF8.GetString(Host.Raw(CharityKeys.EdgeNumber("D:D1", 1))!));
        Assert.Equal("disb/P2", System.Text.Encoding.UTF8.GetString(Host.Raw(CharityKeys.EdgeNumber("D:D1", 2))!));
        AssertSound();

        lot.EdgeCount = 1; // the second edge is no longer listed: a trace would miss it
        Host.Tamper(CharityKeys.Lot("D:D1"), lot);
        var gap = Host.Query("CheckInvariants", new { });
        Assert.Contains(gap.GetProperty("violations").EnumerateArray(), v => v.GetProperty("law").GetString() == "L1" && v.GetProperty("detail").GetString()!.Contains("numbered edges"));
        lot.EdgeCount = 3; // a number that names nothing
        Host.Tamper(CharityKeys.Lot("D:D1"), lot);
        var extra = Host.Query("CheckInvariants", new { });
        Assert.Contains(extra.GetProperty("violations").EnumerateArray(), v => v.GetProperty("law").GetString() == "L1" && v.GetProperty("detail").GetString()!.Contains("numbered edges"));
    }

    [Fact]
    public void ACampaignLedgersCursor_IsTheLineNumber_AndAnythingElseIsBadArgs()
    {
        _w.OpenCampaign("C1");
        _w.Donate("D1", 10_000);
        _w.Donate("D2", 2_000);
        _w.Spend("P1", "C:C1", 4_000);
        var first = Host.Query("CampaignLedger", new { campaignId = "C1", limit = 2 });
        Assert.Equal(["D1", "D2"], first.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        var rest = Host.Query("CampaignLedger", new { campaignId = "C1", after = first.GetProperty("next").GetString() });
        Assert.Equal(["P1"], rest.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("id").GetString()));
        Assert.Equal(3, _w.Campaign("C1").LedgerLines);
        var bad = Assert.Throws<ContractException>(() => Host.Query("CampaignLedger", new { campaignId = "C1", after = "00000000000000000001/Donation/D1" }));
        Assert.Equal(ContractErrors.BadArgs, bad.Code);
        Assert.Contains("'next' cursor of the previous page", bad.Message);
    }
}
