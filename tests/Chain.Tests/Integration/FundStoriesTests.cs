using Chain.Contracts.DemolitionFund;
using Chain.Tests.TestKit;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// The demolition-fund user stories (docs/FUND.md, Who does what), end to end: signed transactions over gRPC to a real node process,
/// RocksDB in a temp folder, the sample network's accounts. Each story uses its own project.
/// </summary>
public sealed class FundStoriesTests(FundNode net) : IClassFixture<FundNode>
{
    private static string Hash(string text) => FundNode.Hash(text);

    [Fact]
    public async Task Story1_Finance_SeesProjectCommittedAndPaid_AndReleasesTheNextTranche()
    {
        await net.ProjectAsync("F1", budget: 10_000_000);
        await net.HouseholdAsync("F1", "H1", 4_500_000);
        await net.HouseholdAsync("F1", "H2", 3_000_000);
        await net.AgreedAsync("F1", "F1-A1", "H1", 4_500_000, reward: 500_000);
        // The second agreement pays a third on signing and the rest on a date.
        await net.AgreedAsync("F1", "F1-A2", "H2", 3_000_000, reward: 0, draft: new
        {
            agrId = "F1-A2", projectId = "F1", hhId = "H2", mode = "Cash", items = new[] { new { code = "HouseValue", amount = 3_000_000L } }, payable = 3_000_000L,
            schedule = new object[] { new { seq = 1, amount = 1_000_000L, condition = "OnSign" }, new { seq = 2, amount = 2_000_000L, condition = "Date", dueAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 30 * FundNode.Day } },
            moveDeadline = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 60 * FundNode.Day, docHash = Hash("agreement F1-A2"),
        });
        await net.PayAsync("F1-P1", "F1-A1", "H1", 1, 4_500_000);
        await net.PayAsync("F1-P2", "F1-A2", "H2", 1, 1_000_000);

        var status = await net.QueryAsync("BudgetStatus", new { projectId = "F1" });
        Assert.Equal(8000, status.GetProperty("committedBps").GetInt64());
        Assert.Equal(5500, status.GetProperty("paidBps").GetInt64());
        Assert.Equal(4_500_000, status.GetProperty("balance").GetInt64());
        Assert.Equal(2_000_000, status.GetProperty("idle").GetInt64()); // balance minus what approved agreements still owe
        Assert.True(status.GetProperty("balanced").GetBoolean());

        await net.OkAsync(net.Teller, "ConfirmDeposit", new { depositId = "F1-T2", projectId = "F1", amount = 2_000_000L, bankTxRef = "BK-F1-T2" });
        Assert.Equal(12_000_000, (await net.QueryAsync("BudgetStatus", new { projectId = "F1" })).GetProperty("deposited").GetInt64());
    }

    [Fact]
    public async Task Story2_Household_IsPaidIntoItsOwnAccount_AndItsLineInThePublishedListMatches()
    {
        await net.ProjectAsync("F2", budget: 2_000_000);
        await net.HouseholdAsync("F2", "H1", 1_800_000, account: net.Household1.AddressText);
        await net.AgreedAsync("F2", "F2-A1", "H1", 1_800_000, reward: 200_000, householdSigner: net.Household1);
        await net.PayAsync("F2-P1", "F2-A1", "H1", 1, 1_800_000);

        // The department publishes the per-household list; its hash goes on the ledger.
        var lines = new[] { "H1|F2-H1|2000000" };
        var listHash = Hash(string.Join("\n", lines));
        await net.OkAsync(net.Reviewer, "PublishHouseholdList", new { projectId = "F2", round = 1, listHash, hhIds = new[] { "H1" } });

        var file = await net.QueryAsync("HouseholdFile", new { projectId = "F2", hhId = "H1" });
        var payment = Assert.Single(file.GetProperty("payments").EnumerateArray());
        Assert.Equal(FundNode.Holder("H1"), payment.GetProperty("payeeIdHash").GetString());
        Assert.Equal(FundNode.PayeeAccount("H1"), payment.GetProperty("payeeAcctHash").GetString());
        Assert.Equal("Confirmed", payment.GetProperty("status").GetString());
        Assert.Equal(1, file.GetProperty("publishedInRound").GetInt64());
        var agreement = Assert.Single(file.GetProperty("agreements").EnumerateArray());
        Assert.Equal(net.Household1.AddressText.ToLowerInvariant(), agreement.GetProperty("signedBy").GetString());
        // The household recomputes the list from its copy and checks the hash on the ledger and its own line.
        var list = await net.QueryAsync("PublishedList", new { projectId = "F2", round = 1 });
        Assert.Equal(listHash, list.GetProperty("listHash").GetString());
        Assert.Contains($"H1|F2-H1|{agreement.GetProperty("payable").GetInt64()}", lines);
    }

    [Fact]
    public async Task Story3_StreetOffice_CanDraftButNeverApproveOrPay()
    {
        await net.ProjectAsync("F3", budget: 1_000_000);
        await net.HouseholdAsync("F3", "H1", 900_000);
        await net.OkAsync(net.Drafter, "DraftAgreement", FundNode.Draft("F3", "F3-A1", "H1", 900_000, 100_000));
        var approve = await Assert.ThrowsAsync<RpcException>(() => net.InvokeAsync(net.Drafter, "ApproveAgreement", new { agrId = "F3-A1", ver = 1 }));
        Assert.Equal(StatusCode.PermissionDenied, approve.StatusCode);
        Assert.Contains("requires ANY approver", approve.Status.Detail);
        var pay = await Assert.ThrowsAsync<RpcException>(() => net.InvokeAsync(net.Drafter, "InstructPayment", new { payId = "F3-P1", agrId = "F3-A1", ver = 1, seq = 1, amount = 900_000L, payeeAcctHash = FundNode.PayeeAccount("H1"), payeeIdHash = FundNode.Holder("H1") }));
        Assert.Equal(StatusCode.PermissionDenied, pay.StatusCode);
        Assert.Contains("requires ANY finance", pay.Status.Detail);
    }

    [Fact]
    public async Task Story4_Auditor_CoSignsEveryAgreementBeforeApproval_AndListsAppraisalDeviations()
    {
        await net.ProjectAsync("F4", budget: 3_000_000);
        await net.HouseholdAsync("F4", "H1", 900_000);
        await net.OkAsync(net.Drafter, "DraftAgreement", FundNode.Draft("F4", "F4-A1", "H1", 900_000, 100_000));
        await net.OkAsync(net.Reviewer, "ReviewAgreement", new { agrId = "F4-A1", ver = 1 });
        var early = await net.RefusedAsync(net.Approver, "ApproveAgreement", new { agrId = "F4-A1", ver = 1 }, "BAD_STATE");
        Assert.Contains("is Reviewed; cannot approve it (needs AuditChecked)", early);
        await net.OkAsync(net.Auditor, "AuditCheck", new { agrId = "F4-A1", ver = 1, noteHash = Hash("audit note") });
        await net.OkAsync(net.Approver, "ApproveAgreement", new { agrId = "F4-A1", ver = 1 });

        await net.HouseholdAsync("F4", "H2", 1_000_000);
        var deviating = new
        {
            agrId = "F4-A2", projectId = "F4", hhId = "H2", mode = "Cash", items = new[] { new { code = "HouseValue", amount = 1_200_000L } }, payable = 1_200_000L,
            schedule = new[] { new { seq = 1, amount = 1_200_000L, condition = "OnSign" } }, moveDeadline = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() + 30 * FundNode.Day,
            docHash = Hash("agreement F4-A2"), deviationReason = "attic extension certified 2019",
        };
        await net.OkAsync(net.Drafter, "DraftAgreement", deviating);
        var list = await net.QueryAsync("AppraisalDeviations", new { });
        var item = Assert.Single(list.GetProperty("items").EnumerateArray(), i => i.GetProperty("agrId").GetString() == "F4-A2");
        Assert.Equal(2000, item.GetProperty("deviationBps").GetInt64());
        Assert.Equal("attic extension certified 2019", item.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Story5_Discipline_ListsUnitsPaidTwiceAndPayeeMismatches_AndFreezesAPayment()
    {
        await net.ProjectAsync("F5", budget: 2_000_000);
        await net.HouseholdAsync("F5", "H1", 900_000);
        await net.HouseholdAsync("F5", "H2", 900_000);
        await net.AgreedAsync("F5", "F5-A1", "H1", 900_000, reward: 100_000);
        await net.AgreedAsync("F5", "F5-A2", "H2", 900_000, reward: 100_000);

        // Only the account the department approved can be paid.
        var other = await net.RefusedAsync(net.Cashier, "InstructPayment", new { payId = "F5-P0", agrId = "F5-A1", ver = 1, seq = 1, amount = 900_000L, payeeAcctHash = Hash("acct"), payeeIdHash = FundNode.Holder("H1") }, FundErrors.PayeeMismatch);
        Assert.Contains("not the one approved", other);
        // The bank's real-name check finds the approved account is not the right-holder's.
        await net.OkAsync(net.Cashier, "InstructPayment", new { payId = "F5-P1", agrId = "F5-A1", ver = 1, seq = 1, amount = 900_000L, payeeAcctHash = FundNode.PayeeAccount("H1"), payeeIdHash = FundNode.Holder("H1") });
        var failed = await net.OkAsync(net.Teller, "FailPayment", new { payId = "F5-P1", bankTxRef = "BK-F5-F1", reason = "PayeeMismatch", accountHolderHash = Hash("someone else") });
        var mismatches = await net.QueryAsync("PayeeMismatches", new { limit = 1000 });
        Assert.Contains(mismatches.GetProperty("items").EnumerateArray(), i => i.GetProperty("payId").GetString() == "F5-P1");
        Assert.Contains(await net.EventsOfBlockAsync(failed.BlockNumber), e => e.Name == "Alert" && e.Payload.GetProperty("kind").GetString() == "PayeeMismatch");
        Assert.True((await net.QueryAsync("HouseholdsPaidTwice", new { })).GetProperty("empty").GetBoolean());

        // Discipline freezes a payment; the bank cannot confirm it until it is released.
        await net.OkAsync(net.Cashier, "InstructPayment", new { payId = "F5-P2", agrId = "F5-A2", ver = 1, seq = 1, amount = 900_000L, payeeAcctHash = FundNode.PayeeAccount("H2"), payeeIdHash = FundNode.Holder("H2") });
        await net.OkAsync(net.Inspector, "PlaceHold", new { targetKey = "payment:F5-P2", reason = "complaint 2026-117" });
        var held = await net.RefusedAsync(net.Teller, "ConfirmPayment", new { payId = "F5-P2", bankTxRef = "BK-F5-P2" }, "HELD");
        Assert.Contains("complaint 2026-117", held);
        await net.OkAsync(net.Inspector, "ReleaseHold", new { targetKey = "payment:F5-P2" });
        await net.OkAsync(net.Teller, "ConfirmPayment", new { payId = "F5-P2", bankTxRef = "BK-F5-P2" });
    }

    [Fact]
    public async Task Story6_Government_CannotDecideUntilTheAccountHoldsTheFullBudget()
    {
        await net.ProjectAsync("F6", budget: 5_000_000, fund: false, decide: false);
        await net.OkAsync(net.Teller, "ConfirmDeposit", new { depositId = "F6-D1", projectId = "F6", amount = 3_000_000L, bankTxRef = "BK-F6-D1" });
        var message = await net.RefusedAsync(net.Gov, "DecideProject", new { projectId = "F6", decisionNo = "DEC-F6" }, FundErrors.Underfunded);
        Assert.Contains("holds 30000.00 of the budget 50000.00", message);
        await net.OkAsync(net.Teller, "ConfirmDeposit", new { depositId = "F6-D2", projectId = "F6", amount = 2_000_000L, bankTxRef = "BK-F6-D2" });
        await net.OkAsync(net.Gov, "DecideProject", new { projectId = "F6", decisionNo = "DEC-F6" });
        Assert.Equal("Decided", (await net.QueryAsync("GetProject", new { projectId = "F6" })).GetProperty("project").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Story7_ImplementingUnit_CannotConfirmHandoverBeforeTheHouseholdIsPaid()
    {
        await net.ProjectAsync("F7", budget: 1_000_000);
        await net.HouseholdAsync("F7", "H1", 900_000);
        await net.AgreedAsync("F7", "F7-A1", "H1", 900_000, reward: 100_000);
        var early = await net.RefusedAsync(net.Drafter, "ConfirmHandover", new { projectId = "F7", hhId = "H1" }, FundErrors.TimeLock);
        Assert.Contains("compensation comes before handover", early);
        await net.PayAsync("F7-P1", "F7-A1", "H1", 1, 900_000);
        await net.OkAsync(net.Drafter, "ConfirmHandover", new { projectId = "F7", hhId = "H1" });
        await net.PayAsync("F7-P2", "F7-A1", "H1", 2, 100_000);
        Assert.Equal("PaidInFull", (await net.QueryAsync("GetHousehold", new { projectId = "F7", hhId = "H1" })).GetProperty("status").GetString());

        // The household's file is point reads (its agreement's versions, its numbered payments), so an auditor gets it with proof.
        using var auditor = new Chain.Sdk.Client.ChainClient(net.Node.Endpoint, reader: net.Auditor);
        var request = new Chain.Protocol.EvaluateRequest
        {
            Channel = net.Channel, Contract = net.Contract, Function = "HouseholdFile", WithProof = true,
            Args = Google.Protobuf.ByteString.CopyFromUtf8("{\"projectId\":\"F7\",\"hhId\":\"H1\"}"),
        };
        var answer = await auditor.Gateway.EvaluateAsync(request);
        var verified = Chain.Node.Verification.AnswerVerifier.Verify(request, answer, net.GenesisHash, net.Auditor.Address);
        using var file = System.Text.Json.JsonDocument.Parse(verified.Result.ToArray());
        Assert.Equal(["F7-P1", "F7-P2"], file.RootElement.GetProperty("payments").EnumerateArray().Select(p => p.GetProperty("payId").GetString()));
        Assert.Equal(1, file.RootElement.GetProperty("agreements").GetArrayLength());
        Assert.Contains(answer.Proof.Reads, r => r.Key == "idx/household/F7/H1/payment/0000000002");
    }
}
