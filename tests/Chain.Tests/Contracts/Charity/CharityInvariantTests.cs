using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;
using Chain.Contracts.Charity;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.Charity;

/// <summary>Each invariant I1–I11 of docs/CHARITY.md (Rules and their errors): an attempt to break it is refused with its code, and state is unchanged.</summary>
public sealed class CharityInvariantTests
{
    private readonly CharityWorld _w = new();
    private MemoryContractHost Host => _w.Host;
    private const string C1Pool = "C:C1";
    private const string FoundationPool = "U:CharityFoundation";

    public CharityInvariantTests()
    {
        _w.OpenCampaign("C1");
        _w.OpenCampaign("C2", purpose: "HEALTH");
    }

    [Fact]
    public void I1_Conservation_RefundAboveWhatRemains_IsRefused()
    {
        _w.Donate("D1", 20_000);
        _w.Spend("P1", C1Pool, 15_000);
        var error = Host.Refused(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 5_001, reasonCode = "BankError", bankTxRef = "BKR1", originalBankTxRef = _w.BankRefOf("D1") });
        Assert.Equal(CharityErrors.Overspend, error.Code);
        Assert.Contains("50.00 unspent", error.Message);

        Host.Invoke(_w.Teller, "ConfirmRefund", new { refundId = "R1", donationId = "D1", amount = 5_000, reasonCode = "BankError", bankTxRef = "BKR1", originalBankTxRef = _w.BankRefOf("D1") });
        var lot = _w.Lot("D:D1");
        Assert.Equal(0, lot.Remaining);
        Assert.Equal(lot.Amount - 15_000 - 5_000, lot.Remaining);
        Assert.Equal(0, _w.Pool(C1Pool).Balance);
    }

    [Fact]
    public void I1_Conservation_AllocatingMoreThanTheUnrestrictedPoolHolds_IsRefused()
    {
        _w.Donate("D1", 10_000, campaignId: null);
        var error = Host.Refused(_w.Officer1, "Allocate", new { allocId = "A1", fromPoolId = FoundationPool, toCampaignId = "C1", amount = 10_001 });
        Assert.Equal(CharityErrors.Overspend, error.Code);
    }

    [Fact]
    public void I2_NoOverspend_ApprovalsBeyondTheFreeBalance_AreRefused()
    {
        _w.Donate("D1", 30_000);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", C1Pool, 20_000));
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P2", C1Pool, 20_000));
        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "P1" });
        var error = Host.Refused(_w.Officer2, "ApproveDisbursement", new { disbId = "P2" });
        Assert.Equal(CharityErrors.Overspend, error.Code);
        Assert.Contains("200.00 reserved", error.Message);
        Assert.Equal(20_000, _w.Pool(C1Pool).Reserved);
    }

    [Fact]
    public void I3_Restriction_CampaignMoneyCannotPayForAnotherCampaign()
    {
        _w.Donate("D1", 30_000);
        var error = Host.Refused(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", C1Pool, 10_000, campaignId: "C2"));
        Assert.Equal(CharityErrors.Restricted, error.Code);
        Assert.Contains("restricted to campaign 'C1'", error.Message);
    }

    [Fact]
    public void I3_Restriction_RestrictedMoneyCannotBeAllocated()
    {
        _w.Donate("D1", 30_000);
        var error = Host.Refused(_w.Officer1, "Allocate", new { allocId = "A1", fromPoolId = C1Pool, toCampaignId = "C2", amount = 100 });
        Assert.Equal(CharityErrors.Restricted, error.Code);
    }

    [Fact]
    public void I3_Restriction_PurposeChangeNeedsConsentOrFiling()
    {
        _w.Donate("D1", 30_000);
        var noConsent = Host.Refused(_w.Officer1, "ChangePurpose", new { scope = "Donation", id = "D1", newPurposeCode = "HEALTH", consentSeq = 1, targetCampaignId = "C2" });
        Assert.Equal(CharityErrors.Restricted, noConsent.Code);
        var noFiling = Host.Refused(_w.Officer1, "ChangePurpose", new { scope = "Campaign", id = "C1", newPurposeCode = "HEALTH", filingNo = "F-X" });
        Assert.Equal(CharityErrors.Restricted, noFiling.Code);

        // With the bank recording the donor's consent the money moves, and keeps its lineage.
        Host.Invoke(_w.Teller, "GiveConsent", new { donationId = "D1", seq = 1, newPurposeCode = "HEALTH", consentHash = CharityWorld.Hash("consent") });
        Host.Invoke(_w.Officer1, "ChangePurpose", new { scope = "Donation", id = "D1", newPurposeCode = "HEALTH", consentSeq = 1, targetCampaignId = "C2" });
        Assert.Equal(0, _w.Pool(C1Pool).Balance);
        Assert.Equal(30_000, _w.Pool("C:C2").Balance);
        var moved = _w.Lot("P:D1.1:0000");
        Assert.Equal("D:D1", moved.ParentLotId);
        Assert.Equal("C2", moved.RestrictedTo);
        var reuse = Host.Refused(_w.Officer1, "ChangePurpose", new { scope = "Donation", id = "D1", newPurposeCode = "HEALTH", consentSeq = 1, targetCampaignId = "C2" });
        Assert.Equal(ContractErrors.Conflict, reuse.Code);
    }

    [Fact]
    public void I4_OnlyTheBank_ConfirmsValue()
    {
        var byCharity = Host.Refused(_w.Officer1, "ConfirmDonation", new { donationId = "D1", donorRef = CharityWorld.Hash("d"), charityId = CharityWorld.Foundation, campaignId = "C1", amount = 100, bankTxRef = "X1", valueDate = Host.Now });
        Assert.Equal(ContractErrors.NotAuthorized, byCharity.Code);
        Assert.Contains("ANY bank", byCharity.Message);

        // A "bank" role inside an organisation not registered as a bank is not enough.
        var fakeBank = CharityWorld.Account("Executor", "mole", "bank");
        var unregistered = Host.Refused(fakeBank, "ConfirmDonation", new { donationId = "D1", donorRef = CharityWorld.Hash("d"), charityId = CharityWorld.Foundation, campaignId = "C1", amount = 100, bankTxRef = "X1", valueDate = Host.Now });
        Assert.Equal(CharityErrors.BankOnly, unregistered.Code);

        _w.Donate("D1", 100);
        var reused = Host.Refused(_w.Teller, "ConfirmDonation", new { donationId = "D2", donorRef = CharityWorld.Hash("d"), charityId = CharityWorld.Foundation, campaignId = "C1", amount = 100, bankTxRef = "BK00000001", valueDate = Host.Now });
        Assert.Equal(CharityErrors.DuplicateBankRef, reused.Code);
    }

    [Fact]
    public void I5_MakerChecker_ProposerCannotApprove_OtherOrgCannotApprove_PaidOnce()
    {
        _w.Donate("D1", 30_000);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", C1Pool, 10_000));
        var self = Host.Refused(_w.Officer1, "ApproveDisbursement", new { disbId = "P1" });
        Assert.Equal(CharityErrors.MakerChecker, self.Code);
        var outsider = Host.Refused(_w.SmallOfficer, "ApproveDisbursement", new { disbId = "P1" });
        Assert.Equal(CharityErrors.MakerChecker, outsider.Code);
        var unapproved = Host.Refused(_w.Teller, "ConfirmPayment", new { disbId = "P1", bankTxRef = "BKP1", paidAt = Host.Now });
        Assert.Equal(ContractErrors.BadState, unapproved.Code);
        Assert.Contains("is Proposed", unapproved.Message);

        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "P1" });
        Host.Invoke(_w.Teller, "ConfirmPayment", new { disbId = "P1", bankTxRef = "BKP1", paidAt = Host.Now });
        var twice = Host.Refused(_w.Teller, "ConfirmPayment", new { disbId = "P1", bankTxRef = "BKP2", paidAt = Host.Now });
        Assert.Equal(ContractErrors.Conflict, twice.Code);
        // The same confirmation repeated is idempotent: no error, no change.
        var before = Host.Fingerprint();
        Host.Invoke(_w.Teller, "ConfirmPayment", new { disbId = "P1", bankTxRef = "BKP1", paidAt = Host.Now });
        Assert.Equal(before, Host.Fingerprint());
    }

    [Fact]
    public void I5_MakerChecker_AboveTheThreshold_TwoDistinctApproversAreNeeded()
    {
        _w.Donate("D1", 10_000_000);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("BIG", C1Pool, 6_000_000));
        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "BIG" });
        Assert.Equal(DisbursementStatus.Proposed, _w.Disbursement("BIG").Status);
        Assert.Equal(0, _w.Pool(C1Pool).Reserved);
        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "BIG" }); // the same approver again counts once
        Assert.Equal(DisbursementStatus.Proposed, _w.Disbursement("BIG").Status);
        Host.Invoke(_w.Officer3, "ApproveDisbursement", new { disbId = "BIG" });
        Assert.Equal(DisbursementStatus.Approved, _w.Disbursement("BIG").Status);
        Assert.Equal(6_000_000, _w.Pool(C1Pool).Reserved);
    }

    [Fact]
    public void I6_Evidence_IsRequired_AndSuppliersNeedAnInvoice()
    {
        _w.Donate("D1", 30_000);
        var none = Host.Refused(_w.Officer1, "ProposeDisbursement", new { disbId = "P1", poolId = C1Pool, payeeType = "Beneficiary", payeeRef = CharityWorld.Hash("b"), amount = 100, category = "Charitable" });
        Assert.Equal(CharityErrors.Evidence, none.Code);
        var noInvoice = Host.Refused(_w.Officer1, "ProposeDisbursement", new
        {
            disbId = "P1", poolId = C1Pool, payeeType = "Supplier", payeeRef = CharityWorld.Hash("s"), amount = 100, category = "Charitable",
            evidence = new[] { new { kind = "Contract", hash = CharityWorld.Hash("c") } },
        });
        Assert.Equal(CharityErrors.Evidence, noInvoice.Code);
        Assert.Contains("invoice", noInvoice.Message);
    }

    [Fact]
    public void I7_Window_DonationsOnlyToOpenCampaignsInsideTheirWindow()
    {
        Host.Invoke(_w.Officer1, "CreateCampaign", new { campaignId = "DRAFT", charityId = CharityWorld.Foundation, title = "t", purposeCode = "EDU", restricted = true, target = 1000, startAt = Host.Now, endAt = Host.Now + CharityWorld.Day, planHash = CharityWorld.Hash("p") });
        var draft = Host.Refused(_w.Teller, "ConfirmDonation", new { donationId = "D1", donorRef = CharityWorld.Hash("d"), charityId = CharityWorld.Foundation, campaignId = "DRAFT", amount = 100, bankTxRef = "X1", valueDate = Host.Now });
        Assert.Equal(CharityErrors.Window, draft.Code);
        Assert.Contains("is Draft", draft.Message);
        var late = Host.Refused(_w.Teller, "ConfirmDonation", new { donationId = "D1", donorRef = CharityWorld.Hash("d"), charityId = CharityWorld.Foundation, campaignId = "C1", amount = 100, bankTxRef = "X1", valueDate = Host.Now + 400 * CharityWorld.Day });
        Assert.Equal(CharityErrors.Window, late.Code);
    }

    [Fact]
    public void I7_NothingIsPaidFromFrozenOrganisationsOrHeldTargets()
    {
        _w.Donate("D1", 30_000);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", C1Pool, 10_000));
        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "P1" });

        Host.Invoke(_w.Auditor, "PlaceHold", new { targetKey = "disb:P1", reason = "invoice under review" });
        var held = Host.Refused(_w.Teller, "ConfirmPayment", new { disbId = "P1", bankTxRef = "BKP1", paidAt = Host.Now });
        Assert.Equal(ContractErrors.Held, held.Code);
        Assert.Contains("invoice under review", held.Message);
        var wrongReleaser = Host.Refused(_w.Regulator, "ReleaseHold", new { targetKey = "disb:P1" });
        Assert.Equal(ContractErrors.NotAuthorized, wrongReleaser.Code);
        Host.Invoke(_w.Auditor, "ReleaseHold", new { targetKey = "disb:P1" });

        Host.Invoke(_w.Regulator, "SetOrgStatus", new { orgId = CharityWorld.Foundation, status = "Frozen", reason = "investigation" });
        var frozen = Host.Refused(_w.Teller, "ConfirmPayment", new { disbId = "P1", bankTxRef = "BKP1", paidAt = Host.Now });
        Assert.Equal(CharityErrors.Frozen, frozen.Code);
        Host.Invoke(_w.Regulator, "SetOrgStatus", new { orgId = CharityWorld.Foundation, status = "Active", reason = "cleared" });
        Host.Invoke(_w.Teller, "ConfirmPayment", new { disbId = "P1", bankTxRef = "BKP1", paidAt = Host.Now });
    }

    [Fact]
    public void I8_FeeCap_ManagementCostAboveTheCampaignCap_IsRefused()
    {
        _w.Donate("D1", 100_000); // cap 10% = 10,000
        _w.Spend("M1", C1Pool, 8_000, category: "Management", payeeType: "Staff");
        var error = Host.Refused(_w.Officer1, "ProposeDisbursement", _w.Proposal("M2", C1Pool, 2_001, payeeType: "Staff", category: "Management"));
        Assert.Equal(CharityErrors.FeeCap, error.Code);
        Assert.Contains("cap of 10", error.Message);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("M2", C1Pool, 2_000, payeeType: "Staff", category: "Management"));
    }

    [Fact]
    public void I9_RelatedParty_CannotBePaid()
    {
        _w.Donate("D1", 30_000);
        var cousin = CharityWorld.Hash("director's cousin");
        Host.Invoke(_w.Officer1, "DeclareRelatedParties", new { charityId = CharityWorld.Foundation, hashes = new[] { cousin } });
        var error = Host.Refused(_w.Officer1, "ProposeDisbursement", _w.Proposal("P1", C1Pool, 100, payee: "director's cousin"));
        Assert.Equal(CharityErrors.RelatedParty, error.Code);
    }

    [Theory]
    [InlineData("11010519491231002X")] // valid check character
    [InlineData("name 440524198801010011 here")]
    [InlineData("110105491231002")] // first generation, 15 digits
    public void I10_IdentityNumbers_AreRefusedInAnyStringArgument(string value)
    {
        var error = Host.Refused(_w.Teller, "ConfirmDonation", new { donationId = "D1", donorRef = CharityWorld.Hash("d"), displayName = value, charityId = CharityWorld.Foundation, campaignId = "C1", amount = 100, bankTxRef = "X1", valueDate = Host.Now });
        Assert.Equal(PersonalData.Code, error.Code);
        Assert.Contains("'displayName'", error.Message);
    }

    [Theory]
    [InlineData("110105194912310021")] // wrong check character
    [InlineData("110105194913310020")] // month 13
    [InlineData("62220212345678901234")] // a 20-digit bank card number
    public void I10_NumbersThatAreNotIdentityNumbers_Pass(string value) => Assert.False(PersonalData.ContainsIdNumber(value));

    [Fact]
    public void I11_Fifo_OldestLotIsSpentFirst_TieBrokenByLotId()
    {
        _w.Donate("B", 10_000);
        _w.Donate("A", 10_000); // same timestamp: lot id D:A sorts first
        Host.Now += 1000;
        _w.Donate("C", 10_000);
        _w.Spend("P1", C1Pool, 15_000);
        Assert.Equal([new LotAmount("D:A", 10_000), new LotAmount("D:B", 5_000)], _w.Disbursement("P1").Consumed);
        Assert.Equal(10_000, _w.Lot("D:C").Remaining);
    }

    [Fact]
    public void Earmarked_LotsAreReservedAtApproval_AndFifoPaymentsLeaveThemAlone()
    {
        _w.Donate("A", 10_000);
        Host.Now += 1;
        _w.Donate("B", 10_000);
        Host.Invoke(_w.Officer1, "ProposeDisbursement", _w.Proposal("E1", C1Pool, 4_000, lots: [new { lotId = "D:B", amount = 4_000 }]));
        Host.Invoke(_w.Officer2, "ApproveDisbursement", new { disbId = "E1" });
        Assert.Equal(4_000, _w.Lot("D:B").Reserved);
        _w.Spend("F1", C1Pool, 16_000); // all of A and the unreserved 6,000 of B
        Host.Invoke(_w.Teller, "ConfirmPayment", new { disbId = "E1", bankTxRef = "BKE1", paidAt = Host.Now });
        Assert.Equal(0, _w.Pool(C1Pool).Balance);
        Assert.Equal([new LotAmount("D:B", 4_000)], _w.Disbursement("E1").Consumed);
    }

    [Fact]
    public void Ids_SameIdSameContentIsIdempotent_DifferentContentIsRefused()
    {
        _w.Donate("D1", 100);
        var before = Host.Fingerprint();
        var again = new { donationId = "D1", donorRef = CharityWorld.Hash("donor-a"), displayName = "Zhang San", anonymous = false, charityId = CharityWorld.Foundation, campaignId = "C1", amount = 100, bankTxRef = "BK00000001", valueDate = Host.Now };
        Host.Invoke(_w.Teller, "ConfirmDonation", again);
        Assert.Equal(before, Host.Fingerprint());
        var different = Host.Refused(_w.Teller, "ConfirmDonation", new { donationId = "D1", donorRef = CharityWorld.Hash("donor-a"), charityId = CharityWorld.Foundation, campaignId = "C1", amount = 200, bankTxRef = "BK00000001", valueDate = Host.Now });
        Assert.Equal(ContractErrors.Conflict, different.Code);
    }

    [Fact]
    public void SubGrant_ExecutorSpendsItsGrantWithItsOwnMakerChecker_AndLineageReachesTheDonation()
    {
        _w.Donate("D1", 50_000);
        _w.Spend("G1", C1Pool, 30_000, payeeType: "Executor");
        var grantPool = _w.Pool("G:Executor:C1");
        Assert.Equal(30_000, grantPool.Balance);
        Host.Invoke(_w.Clerk, "ProposeDisbursement", _w.Proposal("X1", grantPool.PoolId, 12_000, payee: "school supplies"));
        Assert.Equal(CharityErrors.MakerChecker, Host.Refused(_w.Clerk, "ApproveDisbursement", new { disbId = "X1" }).Code);
        Host.Invoke(_w.Clerk2, "ApproveDisbursement", new { disbId = "X1" });
        Host.Invoke(_w.Teller, "ConfirmPayment", new { disbId = "X1", bankTxRef = "BKX1", paidAt = Host.Now });

        var back = Host.Query("TraceDisbursement", new { disbId = "X1" });
        var source = Assert.Single(back.GetProperty("sources").EnumerateArray());
        Assert.Equal("D1", source.GetProperty("donationId").GetString());
        Assert.Equal(["G:G1:0000", "D:D1"], source.GetProperty("path").EnumerateArray().Select(p => p.GetString()));
        var forward = Host.Query("TraceDonation", new { donationId = "D1" });
        Assert.Equal(12_000, forward.GetProperty("paid").GetInt64());
        Assert.Equal(38_000, forward.GetProperty("remaining").GetInt64()); // 20,000 with the charity + 18,000 with the executor
    }
}
