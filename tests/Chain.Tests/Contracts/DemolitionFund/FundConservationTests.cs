using Chain.Contracts.Abstractions;
using Chain.Contracts.DemolitionFund;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.DemolitionFund;

/// <summary>
/// Regressions for the ways compensation money could leave its rules, each refused with a specific error and no
/// change of state; and the invariant query, which must find what a tampered store breaks.
/// </summary>
public sealed class FundConservationTests
{
    private readonly FundWorld _w = new();
    private MemoryContractHost Host => _w.Host;
    private const long Day = FundWorld.Day;

    private void AssertSound() => Assert.True(Host.Query("CheckInvariants", new { }).GetProperty("sound").GetBoolean());

    [Fact]
    public void LeftoverReturn_RightAfterTheDecision_IsRefused()
    {
        // Regression: with no household registered, "every household is done" held on the empty set, and the whole budget could go back.
        _w.DecidedProject();
        var error = Host.Refused(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R1", projectId = FundWorld.P, amount = 1_000L });
        Assert.Equal(ContractErrors.BadState, error.Code);
        Assert.Contains("survey is not closed", error.Message);
    }

    [Fact]
    public void LeftoverReturn_NeedsEveryHouseholdOfTheSurveyDone_AndAnAttestationAfterTheLastPayment()
    {
        _w.DecidedProject();
        _w.Household("H1");
        _w.Household("H2");
        _w.CloseSurvey();
        Assert.Contains("household 'H1' is Appraised", Host.Refused(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R1", projectId = FundWorld.P, amount = 1L }).Message);
        Assert.Equal(ContractErrors.BadState, Host.Refused(_w.Drafter, "RegisterHousehold", new
        {
            projectId = FundWorld.P, hhId = "H3", unitNo = "U-H3", rightHolderHash = FundWorld.Holder("H3"), areas = new { certified = 1L }, use = "Residential",
            surveyHash = CharityWorld.Hash("s3"), payeeAcctHash = FundWorld.PayeeAccount("H3"),
        }).Code);
        Host.Invoke(_w.Reviewer, "CloseHousehold", new { projectId = FundWorld.P, hhId = "H2", reason = "duplicate" });
        _w.Agreed("A1", "H1");
        Host.Invoke(_w.Auditor, "Attest", new { projectId = FundWorld.P, reportHash = CharityWorld.Hash("early audit") });
        _w.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        Host.Invoke(_w.Drafter, "ConfirmHandover", new { projectId = FundWorld.P, hhId = "H1" });
        _w.Pay("PAY2", "A1", "H1", 2, 20_000);
        // Regression: SettleProject (and so the return) accepted an attestation of any age.
        var stale = Host.Refused(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R1", projectId = FundWorld.P, amount = 1L });
        Assert.Contains("older than the last payment", stale.Message);
        Host.Now += 1000;
        Host.Invoke(_w.Auditor, "Attest", new { projectId = FundWorld.P, reportHash = CharityWorld.Hash("final audit") });
        long leftover = _w.Project().Balance;
        Assert.Equal(FundErrors.Overdraft, Host.Refused(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R1", projectId = FundWorld.P, amount = leftover + 1 }).Code);
        Host.Invoke(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R1", projectId = FundWorld.P, amount = leftover });
        AssertSound();
    }

    [Fact]
    public void Approval_CommitsNoMoreThanWasDeposited()
    {
        // Regression: approvals were checked against the budget only, so an unfunded project could commit money it did not hold.
        _w.CreateProject(budget: 5_000_000);
        Host.Invoke(_w.Reviewer, "PublishPlan", new { projectId = FundWorld.P, planHash = CharityWorld.Hash("plan") });
        _w.Deposit("D1", 1_000_000);
        _w.Household("H1");
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        Host.Invoke(_w.Reviewer, "ReviewAgreement", new { agrId = "A1", ver = 1 });
        Host.Invoke(_w.Auditor, "AuditCheck", new { agrId = "A1", ver = 1, noteHash = CharityWorld.Hash("n") });
        var error = Host.Refused(_w.Approver, "ApproveAgreement", new { agrId = "A1", ver = 1 });
        Assert.Equal(FundErrors.OverBudget, error.Code);
        Assert.Contains("above the 10000.00 deposited for households", error.Message);
        _w.Deposit("D2", 70_000);
        Host.Invoke(_w.Approver, "ApproveAgreement", new { agrId = "A1", ver = 1 });
        AssertSound();
    }

    [Fact]
    public void SwapUnits_BelongToSwapAgreements_OneClaimPerUnit()
    {
        // Regression: a Cash agreement could carry swapUnitId, and assignment ignored the mode and overwrote another agreement's claim.
        _w.DecidedProject();
        _w.Household("H1");
        _w.Household("H2");
        Host.Invoke(_w.Reviewer, "RegisterResettlementUnit", new { resUnitId = "R1", projectId = FundWorld.P, area = 7_000L, price = 800_000L });
        var cash = new
        {
            agrId = "A1", projectId = FundWorld.P, hhId = "H1", mode = "Cash", items = new[] { new { code = "HouseValue", amount = 1_000_000L } }, payable = 1_000_000L,
            schedule = new[] { new { seq = 1, amount = 1_000_000L, condition = "OnSign" } }, swapUnitId = "R1", moveDeadline = Host.Now + Day, docHash = CharityWorld.Hash("A1"),
        };
        var error = Host.Refused(_w.Drafter, "DraftAgreement", cash);
        Assert.Equal(ContractErrors.BadArgs, error.Code);
        Assert.Contains("belongs to Swap agreements", error.Message);
        _w.Agreed("A2", "H2"); // a cash agreement
        var assign = Host.Refused(_w.Reviewer, "AssignResettlementUnit", new { resUnitId = "R1", agrId = "A2" });
        Assert.Equal(ContractErrors.BadArgs, assign.Code);
        Assert.Contains("property-swap agreements only", assign.Message);
    }

    [Fact]
    public void AnAssignedUnit_StaysWithItsAgreement_AcrossVersions()
    {
        // Regression (found by the model test): a new version could drop a unit already handed to the household.
        _w.DecidedProject();
        _w.Household("H1");
        Host.Invoke(_w.Reviewer, "RegisterResettlementUnit", new { resUnitId = "R1", projectId = FundWorld.P, area = 7_000L, price = 800_000L });
        object Swap(int ver, string? unit, string mode) => new
        {
            agrId = "A1", ver, projectId = FundWorld.P, hhId = "H1", mode, items = new[] { new { code = "HouseValue", amount = 1_000_000L } },
            payable = mode == "Swap" ? 200_000L : 1_000_000L, schedule = new[] { new { seq = 1, amount = mode == "Swap" ? 200_000L : 1_000_000L, condition = "OnSign" } },
            swapUnitId = unit, moveDeadline = Host.Now + Day, docHash = CharityWorld.Hash("A1 " + ver),
        };
        Host.Invoke(_w.Drafter, "DraftAgreement", Swap(1, "R1", "Swap"));
        _w.Approve("A1", 1);
        Host.Invoke(_w.Drafter, "SignAgreement", new { agrId = "A1", ver = 1, signatureHash = CharityWorld.Hash("s"), witnessHash = CharityWorld.Hash("w") });
        Host.Invoke(_w.Reviewer, "AssignResettlementUnit", new { resUnitId = "R1", agrId = "A1" });
        var error = Host.Refused(_w.Drafter, "DraftAgreement", Swap(2, null, "Cash"));
        Assert.Equal(ContractErrors.BadState, error.Code);
        Assert.Contains("a new version keeps it", error.Message);
        Host.Invoke(_w.Drafter, "DraftAgreement", Swap(2, "R1", "Swap"));
        AssertSound();
    }

    [Fact]
    public void CommentPeriod_IsAtLeastThirtyDays()
    {
        // Regression: commentPeriodDays could be 0 (Decree 590 Art 10 needs at least 30).
        var error = Host.Refused(_w.Gov, "CreateProject", new
        {
            projectId = "P9", name = "x", budget = 1L, standardsHash = CharityWorld.Hash("s"), deptOrg = "ExpropriationOffice", implOrgs = new[] { "StreetOffice" }, financeOrg = "FinanceBureau",
            bankId = "Bank", accountHash = CharityWorld.Hash("a"), signingFrom = Host.Now, signingTo = Host.Now + Day, commentPeriodDays = 0,
        });
        Assert.Equal(ContractErrors.BadArgs, error.Code);
        Assert.Contains("allowed range is 30..365", error.Message);
    }

    [Fact]
    public void APlanRecordedLate_RaisesAnAlert_AndCountsFromTheNoticeOnlyOnceAuditConfirmsIt()
    {
        _w.CreateProject(budget: 1_000);
        Assert.Equal(ContractErrors.BadArgs, Host.Refused(_w.Reviewer, "PublishPlan", new { projectId = FundWorld.P, planHash = CharityWorld.Hash("plan"), publishedAt = Host.Now + 1 }).Code);
        Host.Invoke(_w.Reviewer, "PublishPlan", new { projectId = FundWorld.P, planHash = CharityWorld.Hash("plan"), publishedAt = Host.Now - 31 * Day });
        Assert.Contains(Host.Events, e => e.Name == "Alert" && e.Payload.GetProperty("kind").GetString() == "PlanRecordedLate");
        _w.Deposit("D1", 1_000);
        // Regression: the department alone could backdate the notice and skip the comment period.
        var alone = Host.Refused(_w.Gov, "DecideProject", new { projectId = FundWorld.P, decisionNo = "D-1" });
        Assert.Equal(FundErrors.TimeLock, alone.Code);
        Assert.Contains("audit has not confirmed it", alone.Message);
        var insider = CharityWorld.Account("StreetOffice", "checker", "auditor");
        Assert.Equal(FundErrors.SeparationOfDuties, Host.Refused(insider, "ConfirmPlanNotice", new { projectId = FundWorld.P, evidenceHash = CharityWorld.Hash("photo") }).Code);
        Host.Invoke(_w.Auditor, "ConfirmPlanNotice", new { projectId = FundWorld.P, evidenceHash = CharityWorld.Hash("photo of the notice board") });
        Host.Invoke(_w.Gov, "DecideProject", new { projectId = FundWorld.P, decisionNo = "D-1" });
    }

    [Fact]
    public void CloseSurvey_OnNoHouseholds_IsRefused()
    {
        // Regression: a survey closed on an empty set made "every household is done" true before anyone was paid.
        _w.DecidedProject();
        var error = Host.Refused(_w.Reviewer, "CloseSurvey", new { projectId = FundWorld.P, households = 0, surveyListHash = CharityWorld.Hash("empty") });
        Assert.Equal(ContractErrors.BadArgs, error.Code);
        Assert.Contains("'households'", error.Message);
        Assert.Null(_w.Project().SurveyClosedAt);
    }

    [Fact]
    public void AuditAttestations_ComeFromOutsideTheProjectsOrganisations()
    {
        // Regression: an auditor account of an implementing unit (or of finance) could attest the close-out itself.
        _w.DecidedProject();
        foreach (var org in new[] { "StreetOffice", "FinanceBureau", "ExpropriationOffice", "DistrictGovernment" })
        {
            var insider = CharityWorld.Account(org, "checker", "auditor");
            var error = Host.Refused(insider, "Attest", new { projectId = FundWorld.P, reportHash = CharityWorld.Hash("own audit") });
            Assert.Equal(FundErrors.SeparationOfDuties, error.Code);
            Assert.Contains($"caller is from {org}", error.Message);
        }
        Host.Invoke(_w.Auditor, "Attest", new { projectId = FundWorld.P, reportHash = CharityWorld.Hash("audit") });
    }

    [Fact]
    public void ANewVersion_WithNothingLeftToPay_LeavesTheHouseholdPaidInFull()
    {
        // Regression: signing a corrected version set the household back to Signed though everything was paid
        // and the house handed over, so the project could never reach close-out.
        _w.AtCloseOut(extra: 5_000);
        Assert.Equal(HouseholdStatus.PaidInFull, _w.HouseholdOf("H1").Status);
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1", ver: 2, paidSoFar: 1_070_000));
        _w.Approve("A1", 2);
        Host.Invoke(_w.Drafter, "SignAgreement", new { agrId = "A1", ver = 2, signatureHash = CharityWorld.Hash("signature v2"), witnessHash = CharityWorld.Hash("witness") });
        Assert.Equal(HouseholdStatus.PaidInFull, _w.HouseholdOf("H1").Status);
        Host.Now += 1000;
        Host.Invoke(_w.Auditor, "Attest", new { projectId = FundWorld.P, reportHash = CharityWorld.Hash("audit after v2") });
        Host.Invoke(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R1", projectId = FundWorld.P, amount = 5_000L });
        AssertSound();
    }

    [Fact]
    public void OnlyTheOnTimeMoveReward_WaitsForTheHandover()
    {
        // Regression: an agreement whose only instalment was OnHandover let the house be handed over with nothing paid.
        _w.DecidedProject();
        _w.Household("H1");
        object Draft(long reward, long onHandover) => new
        {
            agrId = "A1", projectId = FundWorld.P, hhId = "H1", mode = "Cash",
            items = new[] { new { code = "HouseValue", amount = 1_000_000L }, new { code = "Reward", amount = reward } }, payable = 1_000_000L + reward,
            schedule = new[] { new { seq = 1, amount = 1_000_000L + reward - onHandover, condition = "OnSign" }, new { seq = 2, amount = onHandover, condition = "OnHandover" } }
                .Where(i => i.amount > 0).ToArray(),
            moveDeadline = Host.Now + Day, docHash = CharityWorld.Hash("A1"),
        };
        var all = Host.Refused(_w.Drafter, "DraftAgreement", Draft(0, 1_000_000));
        Assert.Equal(FundErrors.Instalment, all.Code);
        Assert.Contains("compensation comes before the move", all.Message);
        Assert.Equal(FundErrors.Instalment, Host.Refused(_w.Drafter, "DraftAgreement", Draft(50_000, 60_000)).Code); // more than the reward
        Assert.Equal(FundErrors.Instalment, Host.Refused(_w.Drafter, "DraftAgreement", Draft(200_000, 200_000)).Code); // above 10% of the payable
        Host.Invoke(_w.Drafter, "DraftAgreement", Draft(50_000, 50_000));
    }

    [Fact]
    public void Payments_GoOnlyToThePayeeAccountTheDepartmentApproved()
    {
        // Regression: payeeAcctHash was never compared with anything.
        _w.DecidedProject();
        _w.Household("H1");
        _w.Agreed("A1", "H1");
        var other = Host.Refused(_w.Cashier, "InstructPayment", new { payId = "PAY1", agrId = "A1", ver = 1, seq = 1, amount = 1_050_000L, payeeAcctHash = CharityWorld.Hash("elsewhere"), payeeIdHash = FundWorld.Holder("H1") });
        Assert.Equal(FundErrors.PayeeMismatch, other.Code);
        // A change of account is proposed by the implementing unit and takes effect only when the department approves it.
        var fresh = CharityWorld.Hash("new account of H1");
        Host.Invoke(_w.Drafter, "ProposePayeeAccount", new { projectId = FundWorld.P, hhId = "H1", payeeAcctHash = fresh, reason = "bank merged" });
        Assert.Equal(FundErrors.PayeeMismatch, Host.Refused(_w.Cashier, "InstructPayment", new { payId = "PAY1", agrId = "A1", ver = 1, seq = 1, amount = 1_050_000L, payeeAcctHash = fresh, payeeIdHash = FundWorld.Holder("H1") }).Code);
        Assert.Equal(FundErrors.PayeeMismatch, Host.Refused(_w.Reviewer, "ApprovePayeeAccount", new { projectId = FundWorld.P, hhId = "H1", payeeAcctHash = CharityWorld.Hash("x") }).Code);
        Host.Invoke(_w.Reviewer, "ApprovePayeeAccount", new { projectId = FundWorld.P, hhId = "H1", payeeAcctHash = fresh });
        Assert.Equal(FundErrors.PayeeMismatch, Host.Refused(_w.Cashier, "InstructPayment", _w.Instruction("PAY1", "A1", 1, 1_050_000, hhId: "H1")).Code);
        Host.Invoke(_w.Cashier, "InstructPayment", new { payId = "PAY1", agrId = "A1", ver = 1, seq = 1, amount = 1_050_000L, payeeAcctHash = fresh, payeeIdHash = FundWorld.Holder("H1") });
        var history = _w.HouseholdOf("H1").PayeeAccountHistory;
        Assert.Equal([FundWorld.PayeeAccount("H1"), fresh], history.Select(h => h.AcctHash));
        Assert.All(history, h => Assert.NotEqual(h.ProposedBy, h.ApprovedBy));
        Assert.Contains("ApprovePayeeAccount", Host.Query("ActorActivity", new { address = _w.Reviewer.Address }).GetProperty("items").EnumerateArray().Select(a => a.GetProperty("action").GetString()));
    }

    [Fact]
    public void Holds_StopSigningHandoverLeftoverReturnAndSettlement()
    {
        // Regression: ConfirmLeftoverReturn, SignAgreement and ConfirmHandover ignored holds.
        _w.DecidedProject();
        _w.Household("H1");
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        _w.Approve("A1", 1);
        Host.Invoke(_w.Inspector, "PlaceHold", new { targetKey = "household:P1/H1", reason = "ownership dispute" });
        Assert.Equal(ContractErrors.Held, Host.Refused(_w.Drafter, "SignAgreement", new { agrId = "A1", ver = 1, signatureHash = CharityWorld.Hash("s"), witnessHash = CharityWorld.Hash("w") }).Code);
        Host.Invoke(_w.Inspector, "ReleaseHold", new { targetKey = "household:P1/H1" });
        Host.Invoke(_w.Drafter, "SignAgreement", new { agrId = "A1", ver = 1, signatureHash = CharityWorld.Hash("s"), witnessHash = CharityWorld.Hash("w") });
        _w.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        Host.Invoke(_w.Auditor, "PlaceHold", new { targetKey = "agreement:A1", reason = "document check" });
        Assert.Equal(ContractErrors.Held, Host.Refused(_w.Drafter, "ConfirmHandover", new { projectId = FundWorld.P, hhId = "H1" }).Code);
        Host.Invoke(_w.Auditor, "ReleaseHold", new { targetKey = "agreement:A1" });
        Host.Invoke(_w.Drafter, "ConfirmHandover", new { projectId = FundWorld.P, hhId = "H1" });
        _w.Pay("PAY2", "A1", "H1", 2, 20_000);
        _w.CloseSurvey();
        Host.Invoke(_w.Auditor, "Attest", new { projectId = FundWorld.P, reportHash = CharityWorld.Hash("audit") });
        long leftover = _w.Project().Balance;
        Host.Invoke(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R1", projectId = FundWorld.P, amount = leftover });
        Host.Invoke(_w.Inspector, "PlaceHold", new { targetKey = "project:P1", reason = "account review" });
        Assert.Equal(ContractErrors.Held, Host.Refused(_w.Teller, "ConfirmLeftoverReturn", new { returnId = "R1", bankTxRef = "BK-R1" }).Code);
        Assert.Equal(ContractErrors.Held, Host.Refused(_w.Gov, "SettleProject", new { projectId = FundWorld.P }).Code);
    }

    [Fact]
    public void BudgetStatus_Idle_CountsAnInstructedPaymentOnce()
    {
        // Regression: idle subtracted instructed payments twice (they are part of what approved agreements still owe).
        _w.DecidedProject(budget: 2_000_000);
        _w.Household("H1");
        _w.Agreed("A1", "H1"); // owes 1,070,000
        Host.Invoke(_w.Cashier, "InstructPayment", _w.Instruction("PAY1", "A1", 1, 1_050_000, hhId: "H1"));
        var budget = Host.Query("BudgetStatus", new { projectId = FundWorld.P });
        Assert.Equal(2_000_000 - 1_070_000, budget.GetProperty("idle").GetInt64());
        Assert.Equal(1_050_000, budget.GetProperty("pendingPayments").GetInt64());
    }

    [Fact]
    public void AHouseholdsPayments_AreNumberedInTheOrderInstructed_AndCheckInvariantsFindsAGap()
    {
        _w.DecidedProject();
        _w.Household("H1");
        _w.Agreed("A1", "H1");
        Host.Invoke(_w.Cashier, "InstructPayment", _w.Instruction("PAY1", "A1", 1, 1_050_000, hhId: "H1"));
        Host.Invoke(_w.Teller, "FailPayment", new { payId = "PAY1", bankTxRef = _w.NextBankRef(), reason = "AccountClosed" });
        _w.Pay("PAY2", "A1", "H1", 1, 1_050_000);
        Assert.Equal(2, _w.HouseholdOf("H1").PaymentCount);
        var file = Host.Query("HouseholdFile", new { projectId = FundWorld.P, hhId = "H1" });
        Assert.Equal(["PAY1", "PAY2"], file.GetProperty("payments").EnumerateArray().Select(p => p.GetProperty("payId").GetString()));
        Assert.True(Host.Query("CheckInvariants", new { }).GetProperty("sound").GetBoolean());

        var household = _w.HouseholdOf("H1");
        household.PaymentCount = 1; // the second payment is no longer listed: the household's file would hide it
        Host.Tamper(FundKeys.Household(FundWorld.P, "H1"), household);
        var check = Host.Query("CheckInvariants", new { });
        Assert.Contains(check.GetProperty("violations").EnumerateArray(), v => v.GetProperty("law").GetString() == "F4" && v.GetProperty("detail").GetString()!.Contains("numbered payments"));
    }

    [Fact]
    public void PaymentsWithoutApprovedAgreement_ReadsTheAgreementItself()
    {
        // Regression: the query re-tested a status copied into the payment at instruction time, so it could never fire.
        _w.DecidedProject();
        _w.Household("H1");
        _w.Agreed("A1", "H1");
        _w.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        Assert.Empty(Host.Query("PaymentsWithoutApprovedAgreement", new { }).GetProperty("items").EnumerateArray());
        var agreement = _w.Agreement("A1");
        agreement.Approver = null; // as if the approval had never happened
        Host.Tamper(FundKeys.Agreement("A1", 1), agreement);
        var item = Assert.Single(Host.Query("PaymentsWithoutApprovedAgreement", new { }).GetProperty("items").EnumerateArray());
        Assert.Equal("PAY1", item.GetProperty("payId").GetString());
    }

    [Fact]
    public void HouseholdsPaidTwice_IsPaged_AndLooksAtHouseholdsToo()
    {
        _w.DecidedProject();
        foreach (var hh in new[] { "H1", "H2", "H3" })
        {
            _w.Household(hh);
            _w.Agreed("A-" + hh, hh);
            _w.Pay("PAY-" + hh, "A-" + hh, hh, 1, 1_050_000);
        }
        var first = Host.Query("HouseholdsPaidTwice", new { limit = 2 });
        Assert.True(first.GetProperty("empty").GetBoolean());
        Assert.Equal(2, first.GetProperty("scanned").GetInt32());
        Assert.NotNull(first.GetProperty("next").GetString());
        var household = _w.HouseholdOf("H2");
        household.Paid += 999_999; // a payment recorded twice
        Host.Tamper(FundKeys.Household(FundWorld.P, "H2"), household);
        var all = Host.Query("HouseholdsPaidTwice", new { limit = 1000 });
        Assert.Equal("H2", Assert.Single(all.GetProperty("items").EnumerateArray()).GetProperty("hhId").GetString());
    }

    [Fact]
    public void AmountsAboveTheMaximum_AreBadArgs_AndOverflowIsRefusedNotWrapped()
    {
        // Regression: an approved payable near 2^63 wrapped Committed negative.
        _w.DecidedProject();
        _w.Household("H1");
        var huge = Host.Refused(_w.Drafter, "DraftAgreement", new
        {
            agrId = "A1", projectId = FundWorld.P, hhId = "H1", mode = "Cash", items = new[] { new { code = "HouseValue", amount = long.MaxValue } }, payable = long.MaxValue,
            schedule = new[] { new { seq = 1, amount = long.MaxValue, condition = "OnSign" } }, moveDeadline = Host.Now + Day, docHash = CharityWorld.Hash("A1"),
        });
        Assert.Equal(ContractErrors.BadArgs, huge.Code);
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        Host.Invoke(_w.Reviewer, "ReviewAgreement", new { agrId = "A1", ver = 1 });
        Host.Invoke(_w.Auditor, "AuditCheck", new { agrId = "A1", ver = 1, noteHash = CharityWorld.Hash("n") });
        var project = _w.Project();
        project.Committed = long.MaxValue - 10; // only a bug or a tampered store could leave this
        Host.Tamper(FundKeys.Project(FundWorld.P), project);
        Assert.Equal(ContractErrors.Overflow, Host.Refused(_w.Approver, "ApproveAgreement", new { agrId = "A1", ver = 1 }).Code);
    }

    [Fact]
    public void CheckInvariants_FindsWhatATamperedStoreBreaks()
    {
        _w.DecidedProject();
        _w.Household("H1");
        _w.Agreed("A1", "H1");
        _w.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        AssertSound();
        var project = _w.Project();
        project.Paid -= 1; // a payment the account forgot
        project.Committed = project.Budget + 1;
        Host.Tamper(FundKeys.Project(FundWorld.P), project);
        var check = Host.Query("CheckInvariants", new { projectId = FundWorld.P });
        Assert.False(check.GetProperty("sound").GetBoolean());
        var laws = check.GetProperty("violations").EnumerateArray().Select(v => v.GetProperty("law").GetString()).ToHashSet();
        Assert.Contains("F1", laws);
        Assert.Contains("F2", laws);
    }
}
