using Chain.Contracts.Abstractions;
using Chain.Contracts.DemolitionFund;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts.DemolitionFund;

/// <summary>Swaps and resettlement units, versions, closing records, leftovers and settlement, alerts and the audit queries.</summary>
public sealed class FundLifecycleTests
{
    private readonly FundWorld _w = new();
    private MemoryContractHost Host => _w.Host;
    private const long Day = FundWorld.Day;

    [Fact]
    public void Swap_PayableIsCompensationMinusTheUnitPrice_AndAUnitIsAssignedOnce()
    {
        _w.DecidedProject();
        _w.Household("H1", value: 1_000_000);
        _w.Household("H2", value: 1_000_000);
        Host.Invoke(_w.Reviewer, "RegisterResettlementUnit", new { resUnitId = "R1", projectId = FundWorld.P, area = 7_000L, price = 800_000L });
        object Swap(string agrId, string hh, long payable, long receivable) => new
        {
            agrId, projectId = FundWorld.P, hhId = hh, mode = "Swap", items = new[] { new { code = "HouseValue", amount = 1_000_000L } }, payable, receivable,
            schedule = payable > 0 ? new[] { new { seq = 1, amount = payable, condition = "OnSign" } } : [], swapUnitId = "R1", moveDeadline = Host.Now + Day, docHash = CharityWorld.Hash(agrId),
        };
        Assert.Equal(ContractErrors.BadArgs, Host.Refused(_w.Drafter, "DraftAgreement", Swap("A1", "H1", 1_000_000, 0)).Code);
        Host.Invoke(_w.Drafter, "DraftAgreement", Swap("A1", "H1", 200_000, 0));
        _w.Approve("A1", 1);
        Assert.Equal(ContractErrors.BadState, Host.Refused(_w.Reviewer, "AssignResettlementUnit", new { resUnitId = "R1", agrId = "A1" }).Code);
        Host.Invoke(_w.Drafter, "SignAgreement", new { agrId = "A1", ver = 1, signatureHash = CharityWorld.Hash("s"), witnessHash = CharityWorld.Hash("w") });
        Host.Invoke(_w.Reviewer, "AssignResettlementUnit", new { resUnitId = "R1", agrId = "A1" });
        Assert.Equal(FundErrors.DuplicateUnit, Host.Refused(_w.Drafter, "DraftAgreement", Swap("A2", "H2", 200_000, 0)).Code);
        Assert.Equal(200_000, _w.Project().Committed);
    }

    [Fact]
    public void Versions_AreNumberedInOrder_AndTheHouseholdSignsItselfWithItsOwnAccount()
    {
        _w.DecidedProject();
        _w.Household("H1", account: _w.HouseholdAccount.Address);
        Assert.Equal(ContractErrors.BadArgs, Host.Refused(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1", ver: 2)).Code);
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        Assert.Equal(ContractErrors.BadArgs, Host.Refused(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1", ver: 3)).Code);
        _w.Approve("A1", 1);
        var other = CharityWorld.Account("StreetOffice", "household9", "household");
        Assert.Equal(ContractErrors.NotAuthorized, Host.Refused(other, "SignAgreement", new { agrId = "A1", ver = 1, signatureHash = CharityWorld.Hash("s") }).Code);
        Host.Invoke(_w.HouseholdAccount, "SignAgreement", new { agrId = "A1", ver = 1, signatureHash = CharityWorld.Hash("s") });
        Assert.Equal(_w.HouseholdAccount.Address.ToLowerInvariant(), _w.Agreement("A1").SignedBy);
    }

    [Fact]
    public void Settlement_AfterEveryHouseholdIsPaidHandedOverOrClosed_AuditedAndTheLeftoverReturned()
    {
        _w.DecidedProject(budget: 2_000_000);
        _w.Household("H1");
        _w.Household("H2");
        _w.CloseSurvey();
        _w.Agreed("A1", "H1");
        _w.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        Host.Invoke(_w.Drafter, "ConfirmHandover", new { projectId = FundWorld.P, hhId = "H1" });
        _w.Pay("PAY2", "A1", "H1", 2, 20_000);
        Host.Invoke(_w.Reviewer, "PublishHouseholdList", new { projectId = FundWorld.P, round = 1, listHash = CharityWorld.Hash("round 1"), hhIds = new[] { "H1" } });
        var open = Host.Refused(_w.Gov, "SettleProject", new { projectId = FundWorld.P });
        Assert.Contains("household 'H2' is Appraised", open.Message);
        Host.Invoke(_w.Reviewer, "CloseHousehold", new { projectId = FundWorld.P, hhId = "H2", reason = "registered twice by mistake" });
        Assert.Contains("no audit attestation", Host.Refused(_w.Gov, "SettleProject", new { projectId = FundWorld.P }).Message);
        Host.Invoke(_w.Auditor, "Attest", new { projectId = FundWorld.P, reportHash = CharityWorld.Hash("audit") });
        Assert.Contains("return the leftover", Host.Refused(_w.Gov, "SettleProject", new { projectId = FundWorld.P }).Message);
        Host.Invoke(_w.Cashier, "InstructLeftoverReturn", new { returnId = "RET1", projectId = FundWorld.P, amount = 930_000L });
        Host.Invoke(_w.Teller, "ConfirmLeftoverReturn", new { returnId = "RET1", bankTxRef = "BK-RET1" });
        Host.Invoke(_w.Gov, "SettleProject", new { projectId = FundWorld.P });
        var budget = Host.Query("BudgetStatus", new { projectId = FundWorld.P });
        Assert.Equal(0, budget.GetProperty("balance").GetInt64());
        Assert.Equal(930_000, budget.GetProperty("returned").GetInt64());
        Assert.True(budget.GetProperty("balanced").GetBoolean());
        // The unit of a closed record can be registered again, in another project.
        _w.CreateProject("P2");
        _w.Household("H2b", unitNo: "U-H2", projectId: "P2");
    }

    [Fact]
    public void OverdueAndIdle_AreListed_AndTheSweepRaisesAlerts()
    {
        _w.DecidedProject();
        _w.Household("H1");
        _w.Agreed("A1", "H1");
        Assert.Empty(Host.Query("OverduePayments", new { }).GetProperty("items").EnumerateArray());
        Host.Now += 31 * Day;
        var overdue = Assert.Single(Host.Query("OverduePayments", new { }).GetProperty("items").EnumerateArray());
        Assert.Equal(1, overdue.GetProperty("seq").GetInt32());
        var idle = Assert.Single(Host.Query("IdleFunds", new { }).GetProperty("items").EnumerateArray());
        Assert.Contains("is owed under approved agreements", idle.GetProperty("reason").GetString());
        Host.Invoke(_w.Inspector, "RaiseAlerts", new { });
        Assert.Contains(Host.Events, e => e.Name == "Alert" && e.Payload.GetProperty("kind").GetString() == "OverduePayment");
        Assert.Contains(Host.Events, e => e.Name == "Alert" && e.Payload.GetProperty("kind").GetString() == "IdleFunds");
    }

    [Fact]
    public void ActorActivity_ListsWhatOneAccountDid_InOrder()
    {
        _w.DecidedProject();
        _w.Household("H1");
        Host.Now += 1000;
        Host.Invoke(_w.Drafter, "DraftAgreement", _w.Draft("A1", "H1"));
        _w.Approve("A1", 1);
        Host.Now += 1000;
        Host.Invoke(_w.Drafter, "SignAgreement", new { agrId = "A1", ver = 1, signatureHash = CharityWorld.Hash("s"), witnessHash = CharityWorld.Hash("w") });
        var actions = Host.Query("ActorActivity", new { address = _w.Drafter.Address }).GetProperty("items").EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToList();
        Assert.Equal(["RegisterHousehold", "DraftAgreement", "SignAgreement"], actions);
    }

    [Fact]
    public void Projects_ActOnlyThroughTheirOwnOrganisations()
    {
        _w.DecidedProject();
        var otherBank = CharityWorld.Account("FinanceBureau", "teller", "bank");
        var error = Host.Refused(otherBank, "ConfirmDeposit", new { depositId = "X", projectId = FundWorld.P, amount = 1L, bankTxRef = "X" });
        Assert.Equal(ContractErrors.NotAuthorized, error.Code);
        Assert.Contains("the account bank is Bank", error.Message);
    }
}
