using Chain.Contracts.Abstractions;
using Chain.Contracts.DemolitionFund;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.DemolitionFund;

/// <summary>Regressions: each test names a way money or duties could slip past the rules before the fix.</summary>
public sealed class FundReviewTests
{
    private readonly FundWorld _w = new();
    private MemoryContractHost Host => _w.Host;
    private const long Day = FundWorld.Day;

    [Fact]
    public void NewVersion_KeepsWhatWasPaidCommitted_SoReturnsCannotOverdraw()
    {
        // Regression: superseding a partly paid version dropped its whole payable from "committed", so finance could
        // return money that was already spent and the budget could be committed twice.
        _w.DecidedProject(budget: 1_070_000);
        _w.Household("H1");
        _w.Agreed("A1", "H1");
        _w.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1", ver: 2, paidSoFar: 1_050_000));
        Assert.Equal(1_050_000, _w.Project().Committed);
        Assert.Equal(ContractErrors.BadState, Host.Refused(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R1", projectId = FundWorld.P, amount = 1L }).Code);
        _w.Approve("A1", 2);
        Assert.Equal(1_070_000, _w.Project().Committed); // v2's payable, of which 1,050,000 is paid
    }

    [Fact]
    public void NothingIsDecidedOrPaidBeforeTheExpropriationDecision()
    {
        // Regression: an agreement could become a compensation decision, and be paid, in a project never decided.
        _w.CreateProject(signingDays: 1);
        Host.Invoke(_w.Reviewer, "PublishPlan", new { projectId = FundWorld.P, planHash = CharityWorld.Hash("plan") });
        _w.Deposit("D1", 100_000_000);
        _w.Household("H1");
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        _w.Approve("A1", 1);
        Host.Now += 2 * Day;
        var error = Host.Refused(_w.Gov, "IssueDecision", new { agrId = "A1", ver = 1, decisionNo = "BCJD-1" });
        Assert.Contains("is Funded; cannot issue compensation decisions", error.Message);
    }

    [Fact]
    public void ClosingAHousehold_CancelsItsAgreement_AndFreesTheUnitForGood()
    {
        // Regression: an agreement of a closed household could still be approved, reviving the record and committing budget.
        _w.DecidedProject();
        _w.Household("H1");
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        Host.Invoke(_w.Reviewer, "ReviewAgreement", new { agrId = "A1", ver = 1 });
        Host.Invoke(_w.Auditor, "AuditCheck", new { agrId = "A1", ver = 1, noteHash = CharityWorld.Hash("n") });
        Host.Invoke(_w.Reviewer, "CloseHousehold", new { projectId = FundWorld.P, hhId = "H1", reason = "duplicate survey" });
        var error = Host.Refused(_w.Approver, "ApproveAgreement", new { agrId = "A1", ver = 1 });
        Assert.Contains("is Cancelled", error.Message);
        Assert.Equal(AgreementStatus.Cancelled, _w.Agreement("A1").Status);
        Assert.Equal(0, _w.Project().Committed);
    }

    [Fact]
    public void AFailedReturn_ReleasesWhatWasInstructed()
    {
        // Regression: a return the bank could not execute stayed "instructed" forever and blocked settlement.
        _w.AtCloseOut(extra: 500);
        Host.Invoke(_w.Cashier, "InstructLeftoverReturn", new { returnId = "R1", projectId = FundWorld.P, amount = 500L });
        Assert.Equal(500, _w.Project().Pending);
        Host.Invoke(_w.Teller, "FailLeftoverReturn", new { returnId = "R1", bankTxRef = "BK-F" });
        Assert.Equal(0, _w.Project().Pending);
        Assert.Equal(ContractErrors.BadState, Host.Refused(_w.Teller, "ConfirmLeftoverReturn", new { returnId = "R1", bankTxRef = "BK-C" }).Code);
    }

    [Fact]
    public void AuditComesFromOutside_AndTheAuditorCannotInstructPayment()
    {
        // Regression: an auditor-role account inside an implementing unit could audit its own unit's agreements.
        _w.DecidedProject();
        _w.Household("H1");
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        Host.Invoke(_w.Reviewer, "ReviewAgreement", new { agrId = "A1", ver = 1 });
        var insider = CharityWorld.Account("StreetOffice", "checker", "auditor");
        Assert.Equal(FundErrors.SeparationOfDuties, Host.Refused(insider, "AuditCheck", new { agrId = "A1", ver = 1, noteHash = CharityWorld.Hash("n") }).Code);
    }

    [Fact]
    public void AListPublishedBeforeALaterPayment_DoesNotCoverIt()
    {
        // Regression: a household listed once counted as published even for payments made after the list.
        _w.DecidedProject(budget: 1_070_000);
        _w.Household("H1");
        _w.Agreed("A1", "H1");
        _w.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        Host.Invoke(_w.Reviewer, "PublishHouseholdList", new { projectId = FundWorld.P, round = 1, listHash = CharityWorld.Hash("r1"), hhIds = new[] { "H1" } });
        Assert.Empty(Host.Query("UnpublishedPaidHouseholds", new { projectId = FundWorld.P }).GetProperty("items").EnumerateArray());
        Host.Now += 1000;
        Host.Invoke(_w.Drafter, "ConfirmHandover", new { projectId = FundWorld.P, hhId = "H1" });
        _w.Pay("PAY2", "A1", "H1", 2, 20_000);
        Assert.Single(Host.Query("UnpublishedPaidHouseholds", new { projectId = FundWorld.P }).GetProperty("items").EnumerateArray());
        Host.Invoke(_w.Reviewer, "PublishHouseholdList", new { projectId = FundWorld.P, round = 2, listHash = CharityWorld.Hash("r2"), hhIds = new[] { "H1" } });
        Assert.Empty(Host.Query("UnpublishedPaidHouseholds", new { projectId = FundWorld.P }).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public void AResettlementUnitIsPromisedToOneAgreementAtATime()
    {
        // Regression: two swap agreements could both name one unit and both be signed.
        _w.DecidedProject();
        _w.Household("H1");
        _w.Household("H2");
        Host.Invoke(_w.Reviewer, "RegisterResettlementUnit", new { resUnitId = "R1", projectId = FundWorld.P, area = 7_000L, price = 800_000L });
        object Swap(string agrId, string hh) => new
        {
            agrId, projectId = FundWorld.P, hhId = hh, mode = "Swap", items = new[] { new { code = "HouseValue", amount = 1_000_000L } }, payable = 200_000L,
            schedule = new[] { new { seq = 1, amount = 200_000L, condition = "OnSign" } }, swapUnitId = "R1", moveDeadline = Host.Now + Day, docHash = CharityWorld.Hash(agrId),
        };
        Host.Invoke(_w.Drafter, "DraftAgreement", Swap("A1", "H1"));
        Assert.Equal(FundErrors.DuplicateUnit, Host.Refused(_w.Drafter, "DraftAgreement", Swap("A2", "H2")).Code);
    }
}
