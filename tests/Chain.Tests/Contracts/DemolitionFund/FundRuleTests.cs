using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;
using Chain.Contracts.DemolitionFund;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.DemolitionFund;

/// <summary>Each rule R1–R12 of docs/FUND.md (Rules and their errors): an attempt to break it is refused with its code, and state is unchanged.</summary>
public sealed class FundRuleTests
{
    private readonly FundWorld _w = new();
    private MemoryContractHost Host => _w.Host;
    private const long Day = FundWorld.Day;

    [Fact]
    public void R1_PaymentNeedsASignedAgreementOrADecision()
    {
        _w.DecidedProject();
        _w.Household("H1");
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        _w.Approve("A1", 1);
        var error = Host.Refused(_w.Cashier, "InstructPayment", _w.Instruction("PAY1", "A1", 1, 1_050_000, hhId: "H1"));
        Assert.Equal(FundErrors.NoAgreement, error.Code);
        Assert.Contains("is Approved", error.Message);

        // After the signing period the government's decision stands in for the signature (Art 26).
        Host.Now += 200 * Day;
        Host.Invoke(_w.Gov, "IssueDecision", new { agrId = "A1", ver = 1, decisionNo = "BCJD-1" });
        Host.Invoke(_w.Cashier, "InstructPayment", _w.Instruction("PAY1", "A1", 1, 1_050_000, hhId: "H1"));
    }

    [Fact]
    public void R2_OnlyTheScheduledInstalment_Once_NeverAbovePayable()
    {
        _w.DecidedProject();
        _w.Household("H1");
        _w.Agreed("A1", "H1");
        Assert.Equal(FundErrors.Instalment, Host.Refused(_w.Cashier, "InstructPayment", _w.Instruction("PAY1", "A1", 1, 1_050_001, hhId: "H1")).Code);
        Assert.Equal(FundErrors.Instalment, Host.Refused(_w.Cashier, "InstructPayment", _w.Instruction("PAY1", "A1", 3, 1, hhId: "H1")).Code);
        _w.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        var twice = Host.Refused(_w.Cashier, "InstructPayment", _w.Instruction("PAY2", "A1", 1, 1_050_000, hhId: "H1"));
        Assert.Equal(FundErrors.Instalment, twice.Code);
        Assert.Contains("already paid", twice.Message);
        // A new version may not pay less than what was paid already.
        var lower = Host.Refused(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1", houseValue: 700_000, relocation: 0, ver: 2, paidSoFar: 0));
        Assert.Equal(FundErrors.Instalment, lower.Code);
    }

    [Fact]
    public void R3_ApprovalsStayWithinTheBudget_AndNothingOverdrawsTheAccount()
    {
        _w.DecidedProject(budget: 2_000_000);
        _w.Household("H1");
        _w.Household("H2");
        _w.Agreed("A1", "H1"); // commits 1,070,000
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A2", "H2"));
        Host.Invoke(_w.Reviewer, "ReviewAgreement", new { agrId = "A2", ver = 1 });
        Host.Invoke(_w.Auditor, "AuditCheck", new { agrId = "A2", ver = 1, noteHash = CharityWorld.Hash("n") });
        var over = Host.Refused(_w.Approver, "ApproveAgreement", new { agrId = "A2", ver = 1 });
        Assert.Equal(FundErrors.OverBudget, over.Code);
        Assert.Contains("above its budget 20000.00", over.Message);

    }

    [Fact]
    public void R3_AtCloseOut_OnlyTheLeftoverGoesBack()
    {
        _w.AtCloseOut(extra: 300_000);
        var overdraw = Host.Refused(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R1", projectId = FundWorld.P, amount = 300_001 });
        Assert.Equal(FundErrors.Overdraft, overdraw.Code);
        Assert.Contains("at most 3000.00 can be returned", overdraw.Message);
        Host.Invoke(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R1", projectId = FundWorld.P, amount = 300_000 });
        Assert.Equal(FundErrors.Overdraft, Host.Refused(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R2", projectId = FundWorld.P, amount = 1 }).Code);
    }

    [Fact]
    public void R4_OneLiveRecordAndAgreementPerUnit_NewVersionsSupersedeAndNeedReapproval()
    {
        _w.DecidedProject();
        _w.Household("H1", unitNo: "110101-001");
        var again = Host.Refused(_w.Drafter, "RegisterHousehold", new
        {
            projectId = FundWorld.P, hhId = "H1b", unitNo = "110101-001", rightHolderHash = FundWorld.Holder("H1b"), areas = new { certified = 100L }, use = "Residential", surveyHash = CharityWorld.Hash("s"),
            payeeAcctHash = FundWorld.PayeeAccount("H1b"),
        });
        Assert.Equal(FundErrors.DuplicateUnit, again.Code);
        _w.Agreed("A1", "H1");
        Assert.Equal(FundErrors.DuplicateUnit, Host.Refused(_w.Drafter, "DraftAgreement", _w.Draft("A1b", "H1")).Code);

        _w.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1", houseValue: 1_040_000, ver: 2, paidSoFar: 1_050_000));
        Assert.Equal(AgreementStatus.Superseded, _w.Agreement("A1", 1).Status);
        var old = Host.Refused(_w.Cashier, "InstructPayment", _w.Instruction("PAY2", "A1", 2, 20_000, ver: 1, hhId: "H1"));
        Assert.Equal(ContractErrors.BadState, old.Code);
        Assert.Contains("v2 is the live version", old.Message);
        var unapproved = Host.Refused(_w.Cashier, "InstructPayment", _w.Instruction("PAY2", "A1", 1, 200_000, ver: 2, hhId: "H1"));
        Assert.Equal(FundErrors.NoAgreement, unapproved.Code);
        Assert.Equal(1_050_000, _w.Project().Committed); // of the superseded approval only what it paid stays committed
    }

    [Fact]
    public void R5_SeparationOfDuties()
    {
        _w.DecidedProject();
        _w.Household("H1");
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        // The street office cannot approve: its people have no approver role.
        Assert.Equal(ContractErrors.NotAuthorized, Host.Refused(_w.Drafter, "ApproveAgreement", new { agrId = "A1", ver = 1 }).Code);
        var both = CharityWorld.Account("ExpropriationOffice", "deputy", "reviewer", "approver");
        Host.Invoke(both, "ReviewAgreement", new { agrId = "A1", ver = 1 });
        Host.Invoke(_w.Auditor, "AuditCheck", new { agrId = "A1", ver = 1, noteHash = CharityWorld.Hash("n") });
        var self = Host.Refused(both, "ApproveAgreement", new { agrId = "A1", ver = 1 });
        Assert.Equal(FundErrors.SeparationOfDuties, self.Code);
        // An appraiser from the implementing unit is refused.
        var insider = CharityWorld.Account("StreetOffice", "surveyor", "appraiser");
        Assert.Equal(FundErrors.SeparationOfDuties, Host.Refused(insider, "RecordAppraisal", new { projectId = FundWorld.P, hhId = "H1", unitPrice = 1L, valueAmount = 1L, reportHash = CharityWorld.Hash("r") }).Code);
        // The same organisation cannot both implement and review.
        var bad = Host.Refused(_w.Gov, "CreateProject", new
        {
            projectId = "P9", name = "x", budget = 1L, standardsHash = CharityWorld.Hash("s"), deptOrg = "StreetOffice", implOrgs = new[] { "StreetOffice" }, financeOrg = "FinanceBureau",
            bankId = "Bank", accountHash = CharityWorld.Hash("a"), signingFrom = Host.Now, signingTo = Host.Now + Day,
        });
        Assert.Equal(FundErrors.SeparationOfDuties, bad.Code);
    }

    [Fact]
    public void R6_PaymentGoesOnlyToTheRightHolderOrARecordedAgent()
    {
        _w.DecidedProject();
        _w.Household("H1");
        _w.Agreed("A1", "H1");
        var error = Host.Refused(_w.Cashier, "InstructPayment", _w.Instruction("PAY1", "A1", 1, 1_050_000, payee: CharityWorld.Hash("someone else")));
        Assert.Equal(FundErrors.PayeeMismatch, error.Code);
        // The bank's own real-name check reports a mismatch it finds; discipline sees it.
        Host.Invoke(_w.Cashier, "InstructPayment", _w.Instruction("PAY1", "A1", 1, 1_050_000, hhId: "H1"));
        Host.Invoke(_w.Teller, "FailPayment", new { payId = "PAY1", bankTxRef = "F1", reason = "PayeeMismatch", accountHolderHash = CharityWorld.Hash("holder") });
        Assert.Single(Host.Query("PayeeMismatches", new { }).GetProperty("items").EnumerateArray());
        Assert.Contains(Host.Events, e => e.Name == "Alert" && e.Payload.GetProperty("kind").GetString() == "PayeeMismatch");
        Host.Invoke(_w.Cashier, "InstructPayment", _w.Instruction("PAY2", "A1", 1, 1_050_000, hhId: "H1")); // the instalment is free again
    }

    [Fact]
    public void R7_SigningWindow_CoolingPeriod_CompensateBeforeHandover()
    {
        _w.DecidedProject(coolingDays: 7);
        _w.Household("H1");
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        _w.Approve("A1", 1);
        Host.Invoke(_w.Drafter, "SignAgreement", new { agrId = "A1", ver = 1, signatureHash = CharityWorld.Hash("sig"), witnessHash = CharityWorld.Hash("w") });
        var cooling = Host.Refused(_w.Cashier, "InstructPayment", _w.Instruction("PAY1", "A1", 1, 1_050_000, hhId: "H1"));
        Assert.Equal(FundErrors.TimeLock, cooling.Code);
        Assert.Contains("cooling period", cooling.Message);
        var handover = Host.Refused(_w.Drafter, "ConfirmHandover", new { projectId = FundWorld.P, hhId = "H1" });
        Assert.Equal(FundErrors.TimeLock, handover.Code);
        Assert.Contains("compensation comes before handover", handover.Message);
        Host.Now += 8 * Day;
        var beforeHandover = Host.Refused(_w.Cashier, "InstructPayment", _w.Instruction("PAY2", "A1", 2, 20_000, hhId: "H1"));
        Assert.Equal(FundErrors.TimeLock, beforeHandover.Code);
        _w.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        Host.Invoke(_w.Drafter, "ConfirmHandover", new { projectId = FundWorld.P, hhId = "H1" });
        _w.Pay("PAY2", "A1", "H1", 2, 20_000);
        Assert.Equal(HouseholdStatus.PaidInFull, _w.HouseholdOf("H1").Status);

        // Outside the signing window.
        _w.Household("H2");
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A2", "H2"));
        _w.Approve("A2", 1);
        Host.Now += 200 * Day;
        Assert.Equal(FundErrors.TimeLock, Host.Refused(_w.Drafter, "SignAgreement", new { agrId = "A2", ver = 1, signatureHash = CharityWorld.Hash("sig2"), witnessHash = CharityWorld.Hash("w") }).Code);
    }

    [Fact]
    public void R8_NoDecisionBeforeTheFullBudgetIsInTheAccount()
    {
        _w.CreateProject(budget: 5_000_000);
        Host.Invoke(_w.Reviewer, "PublishPlan", new { projectId = FundWorld.P, planHash = CharityWorld.Hash("plan") });
        _w.Deposit("D1", 4_999_999);
        Host.Now += 31 * Day;
        var error = Host.Refused(_w.Gov, "DecideProject", new { projectId = FundWorld.P, decisionNo = "D-1" });
        Assert.Equal(FundErrors.Underfunded, error.Code);
        Assert.Contains("holds 49999.99 of the budget 50000.00", error.Message);
        _w.Deposit("D2", 1);
        Assert.Equal(ProjectStatus.Funded, _w.Project().Status);
        Host.Invoke(_w.Gov, "DecideProject", new { projectId = FundWorld.P, decisionNo = "D-1" });
    }

    [Fact]
    public void R8_NoDecisionDuringTheCommentPeriod()
    {
        _w.CreateProject(budget: 1_000);
        Host.Invoke(_w.Reviewer, "PublishPlan", new { projectId = FundWorld.P, planHash = CharityWorld.Hash("plan") });
        _w.Deposit("D1", 1_000);
        Assert.Equal(FundErrors.TimeLock, Host.Refused(_w.Gov, "DecideProject", new { projectId = FundWorld.P, decisionNo = "D-1" }).Code);
    }

    [Fact]
    public void R9_EveryPaidHouseholdIsPublishedBeforeSettlement()
    {
        _w.DecidedProject(budget: 1_070_000);
        _w.Household("H1");
        _w.Agreed("A1", "H1");
        _w.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        Host.Invoke(_w.Drafter, "ConfirmHandover", new { projectId = FundWorld.P, hhId = "H1" });
        _w.Pay("PAY2", "A1", "H1", 2, 20_000);
        _w.CloseSurvey();
        Host.Invoke(_w.Auditor, "Attest", new { projectId = FundWorld.P, reportHash = CharityWorld.Hash("audit") });
        var error = Host.Refused(_w.Gov, "SettleProject", new { projectId = FundWorld.P });
        Assert.Equal(FundErrors.Unpublished, error.Code);
        Assert.Single(Host.Query("UnpublishedPaidHouseholds", new { projectId = FundWorld.P }).GetProperty("items").EnumerateArray());
        Host.Invoke(_w.Reviewer, "PublishHouseholdList", new { projectId = FundWorld.P, round = 1, listHash = CharityWorld.Hash("list 1"), hhIds = new[] { "H1" } });
        Host.Invoke(_w.Gov, "SettleProject", new { projectId = FundWorld.P });
        Assert.Equal(ProjectStatus.Settled, _w.Project().Status);
    }

    [Fact]
    public void R10_HeldTargetsCannotBePaid_OnlyTheHolderReleases()
    {
        _w.DecidedProject();
        _w.Household("H1");
        _w.Agreed("A1", "H1");
        Host.Invoke(_w.Cashier, "InstructPayment", _w.Instruction("PAY1", "A1", 1, 1_050_000, hhId: "H1"));
        Host.Invoke(_w.Inspector, "PlaceHold", new { targetKey = "payment:PAY1", reason = "complaint 2026-117" });
        var held = Host.Refused(_w.Teller, "ConfirmPayment", new { payId = "PAY1", bankTxRef = "B1" });
        Assert.Equal(ContractErrors.Held, held.Code);
        Assert.Equal(ContractErrors.NotAuthorized, Host.Refused(_w.Auditor, "ReleaseHold", new { targetKey = "payment:PAY1" }).Code);
        Host.Invoke(_w.Inspector, "ReleaseHold", new { targetKey = "payment:PAY1" });
        Host.Invoke(_w.Auditor, "PlaceHold", new { targetKey = "household:P1/H1", reason = "ownership dispute" });
        Assert.Equal(ContractErrors.Held, Host.Refused(_w.Teller, "ConfirmPayment", new { payId = "PAY1", bankTxRef = "B1" }).Code);
    }

    [Fact]
    public void R11_HouseValueFollowsTheAppraisal_UnlessAReasonIsGiven()
    {
        _w.DecidedProject();
        _w.Household("H1", value: 1_000_000);
        var error = Host.Refused(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1", houseValue: 1_060_000));
        Assert.Equal(FundErrors.AppraisalDeviation, error.Code);
        Assert.Contains("by 6", error.Message);
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1", houseValue: 1_060_000, deviationReason: "attic extension certified 2019"));
        Assert.Contains(Host.Events, e => e.Name == "Alert" && e.Payload.GetProperty("kind").GetString() == "AppraisalDeviation");
        var listed = Assert.Single(Host.Query("AppraisalDeviations", new { }).GetProperty("items").EnumerateArray());
        Assert.Equal(600, listed.GetProperty("deviationBps").GetInt64());
    }

    [Fact]
    public void R12_TheLedgerHoldsHashesNotIdentityNumbers()
    {
        _w.DecidedProject();
        var error = Host.Refused(_w.Drafter, "RegisterHousehold", new
        {
            projectId = FundWorld.P, hhId = "H1", unitNo = "U1", rightHolderHash = FundWorld.Holder("H1"), areas = new { certified = 100L }, use = "owner 11010519491231002X", surveyHash = CharityWorld.Hash("s"),
            payeeAcctHash = FundWorld.PayeeAccount("H1"),
        });
        Assert.Equal(PersonalData.Code, error.Code);
        Assert.Contains("'use'", error.Message);
        var text = Host.Refused(_w.Inspector, "PlaceHold", new { targetKey = "project:P1", reason = "holder 11010519491231002X complained" });
        Assert.Equal(PersonalData.Code, text.Code);
    }

    [Fact]
    public void StateMachine_IllegalStepsNameTheCurrentAndAttemptedState()
    {
        _w.DecidedProject();
        _w.Household("H1");
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        var approve = Host.Refused(_w.Approver, "ApproveAgreement", new { agrId = "A1", ver = 1 });
        Assert.Equal(ContractErrors.BadState, approve.Code);
        Assert.Contains("is Draft; cannot approve it (needs AuditChecked)", approve.Message);
        var plan = Host.Refused(_w.Reviewer, "PublishPlan", new { projectId = FundWorld.P, planHash = CharityWorld.Hash("other") });
        Assert.Contains("is Decided; cannot publish its plan", plan.Message);
    }
}
