using System.Text.Json;
using Chain.Cli.Commands;
using Chain.Cli.Commands.Fund;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>`chain fund` as people use it: yuan and square metres in and out, one-line refusals, the demo loader.</summary>
public sealed class FundCliTests(FundNode net) : IClassFixture<FundNode>
{
    private Task<ChainBinary.Result> Fund(params string[] args) =>
        ChainBinary.RunAsync(["--endpoint", net.Node.Endpoint, "fund", "--crypto", net.Node.CryptoDir, .. args]);

    private static void Ok(ChainBinary.Result result) => Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StdErr}");

    [Fact]
    public async Task ProjectHouseholdAgreementPayment_FromTheCommandLine()
    {
        using var dir = new TempDirectory();
        foreach (var name in new[] { "standards.pdf", "plan.pdf", "account.txt", "survey.pdf", "appraisal.pdf", "agreement.pdf", "audit.pdf", "signature.pdf", "witness.pdf", "payee.txt" })
            File.WriteAllText(dir.Combine(name), name);
        string F(string name) => dir.Combine(name);
        var holder = FundNode.Holder("C1");
        Ok(await Fund("project", "create", "CLI-P", "--name", "Block 9", "--budget", "1500000.00", "--standards", F("standards.pdf"), "--dept", "ExpropriationOffice",
            "--impl", "StreetOffice", "--finance", "FinanceBureau", "--bank", "Bank", "--account", F("account.txt"), "--signing-from", "2020-01-01", "--signing-to", "2099-12-31",
            "--as", "DistrictGovernment/official1"));
        var short_ = await Fund("project", "create", "CLI-Q", "--name", "Block 9", "--budget", "1.00", "--standards", F("standards.pdf"), "--dept", "ExpropriationOffice",
            "--impl", "StreetOffice", "--finance", "FinanceBureau", "--bank", "Bank", "--account", F("account.txt"), "--signing-from", "2020-01-01", "--signing-to", "2099-12-31",
            "--comment-days", "0", "--as", "DistrictGovernment/official1");
        Assert.Equal(2, short_.ExitCode); // refused at admission, before any block
        Assert.Contains("'commentPeriodDays' is 0, allowed range is 30..365", short_.StdErr);
        // The plan's notice went up long ago; the ledger records it now.
        Ok(await Fund("project", "publish", "CLI-P", "--plan", F("plan.pdf"), "--published-at", "2020-01-01", "--as", "ExpropriationOffice/reviewer1"));
        Ok(await Fund("project", "confirm-notice", "CLI-P", "--evidence", F("plan.pdf"), "--as", "AuditBureau/auditor1"));
        var early = await Fund("project", "decide", "CLI-P", "--decision-no", "ZJ-1", "--as", "DistrictGovernment/official1");
        Assert.Equal(1, early.ExitCode);
        Assert.StartsWith("error: DecideProject refused: UNDERFUNDED:", early.StdErr);
        Ok(await Fund("deposit", "CLI-D1", "--project", "CLI-P", "--amount", "1500000.00", "--bank-ref", "CLI-BK1", "--as", "Bank/teller1"));
        Ok(await Fund("project", "decide", "CLI-P", "--decision-no", "ZJ-1", "--as", "DistrictGovernment/official1"));
        Ok(await Fund("household", "register", "C1", "--project", "CLI-P", "--unit", "CLI-U1", "--right-holder-ref", holder, "--certified", "85.50", "--use", "Residential",
            "--survey", F("survey.pdf"), "--payee-account", F("payee.txt"), "--as", "StreetOffice/drafter1"));
        Ok(await Fund("household", "approve-account", "C1", "--project", "CLI-P", "--payee-account", F("payee.txt"), "--as", "ExpropriationOffice/reviewer1"));
        Ok(await Fund("appraise", "C1", "--project", "CLI-P", "--unit-price", "12000.00", "--value", "1026000.00", "--report", F("appraisal.pdf"), "--as", "Appraiser/appraiser1"));
        Ok(await Fund("agreement", "draft", "CLI-A", "--project", "CLI-P", "--household", "C1", "--mode", "Cash", "--item", "HouseValue=1026000.00", "--item", "Reward=4000.00",
            "--payable", "1030000.00", "--instalment", "1:1026000.00:OnSign", "--instalment", "2:4000.00:OnHandover", "--move-deadline", "2099-06-30", "--doc", F("agreement.pdf"),
            "--as", "StreetOffice/drafter1"));
        var drafterApproves = await Fund("agreement", "approve", "CLI-A", "--as", "StreetOffice/drafter1");
        Assert.Equal(1, drafterApproves.ExitCode);
        Assert.Single(drafterApproves.StdErr.Trim().Split('\n'));
        Assert.Contains("NOT_AUTHORIZED", drafterApproves.StdErr);
        Ok(await Fund("agreement", "review", "CLI-A", "--as", "ExpropriationOffice/reviewer1"));
        Ok(await Fund("agreement", "audit", "CLI-A", "--note", F("audit.pdf"), "--as", "AuditBureau/auditor1"));
        Ok(await Fund("agreement", "approve", "CLI-A", "--as", "ExpropriationOffice/approver1"));
        Ok(await Fund("agreement", "sign", "CLI-A", "--signature", F("signature.pdf"), "--witness", F("witness.pdf"), "--as", "StreetOffice/drafter1"));
        Ok(await Fund("pay", "instruct", "CLI-PAY1", "--agreement", "CLI-A", "--seq", "1", "--amount", "1026000.00", "--payee-account", F("payee.txt"), "--payee-ref", holder, "--as", "FinanceBureau/cashier1"));
        Ok(await Fund("pay", "confirm", "CLI-PAY1", "--bank-ref", "CLI-BK2", "--as", "Bank/teller1"));

        var status = await Fund("project", "status", "CLI-P");
        Ok(status);
        Assert.Contains("paid        1026000.00 (68.4%)", status.StdOut);
        var file = JsonDocument.Parse((await Fund("household", "file", "C1", "--project", "CLI-P", "-o", "json", "--as", "AuditBureau/auditor1")).StdOut).RootElement;
        Assert.Equal("85.50", file.GetProperty("household").GetProperty("areas").GetProperty("certified").GetString());
        Assert.Equal("1026000.00", file.GetProperty("payments")[0].GetProperty("amount").GetString());
        var check = await Fund("check", "--project", "CLI-P", "--as", "AuditBureau/auditor1");
        Ok(check);
        Assert.StartsWith("sound: checked 1 projects, 1 households, 1 agreements, 1 payments", check.StdOut);
    }

    [Theory]
    [InlineData("--item", "HouseValue", "--item must be Code=yuan")]
    [InlineData("--instalment", "1:100.00", "--instalment must be seq:yuan")]
    [InlineData("--payable", "1,000.00", "not an amount in yuan")]
    public async Task BadInput_ExitsTwoWithOneLine(string option, string value, string expected)
    {
        var args = new List<string> { "agreement", "draft", "X", "--project", "P", "--household", "H", "--mode", "Cash", "--item", "HouseValue=1.00", "--payable", "1.00",
            "--instalment", "1:1.00:OnSign", "--move-deadline", "2099-01-01", "--doc", new string('a', 64), "--as", "StreetOffice/drafter1" };
        args[args.IndexOf(option) + 1] = value;
        var result = await Fund([.. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StdErr.Trim().Split('\n'));
        Assert.Contains(expected, result.StdErr);
    }

    [Fact]
    public async Task Demo_LoadsAProjectThatBalances_WithOneDecisionOneHoldAndOneList()
    {
        var summary = await FundDemo.RunAsync(net.Node.Client, "demolition-fund", net.Node.CryptoDir, "t", 15, TextWriter.Null, CancellationToken.None);
        Assert.Equal(30, summary.Households);
        var budget = await net.QueryAsync("BudgetStatus", new { projectId = summary.ProjectId });
        Assert.True(budget.GetProperty("balanced").GetBoolean());
        Assert.Equal(summary.PaidFen, budget.GetProperty("paid").GetInt64());
        Assert.True((await net.QueryAsync("HouseholdsPaidTwice", new { })).GetProperty("empty").GetBoolean());
        Assert.Equal(0, (await net.QueryAsync("PaymentsWithoutApprovedAgreement", new { limit = 1000 })).GetProperty("items").GetArrayLength());
        Assert.Equal(0, (await net.QueryAsync("SelfApprovedOrSameActor", new { limit = 1000 })).GetProperty("items").GetArrayLength());
        var adjudicated = await net.QueryAsync("HouseholdFile", new { projectId = summary.ProjectId, hhId = summary.AdjudicatedHousehold });
        Assert.Equal("Decided", adjudicated.GetProperty("agreements")[0].GetProperty("status").GetString());
        var held = await net.RefusedAsync(net.Teller, "ConfirmPayment", new { payId = summary.HeldPayment, bankTxRef = "T-HELD" }, "HELD");
        Assert.Contains("Discipline", held);
        Assert.Equal(19, (await net.QueryAsync("PublishedList", new { projectId = summary.ProjectId, round = 1 })).GetProperty("hhIds").GetArrayLength());
        Assert.Equal(10, (await net.QueryAsync("UnpublishedPaidHouseholds", new { projectId = summary.ProjectId })).GetProperty("items").GetArrayLength());
        // Every conservation law holds on the node's own ledger after the demo's blocks.
        var check = await Fund("check", "-o", "json", "--as", "AuditBureau/auditor1");
        Ok(check);
        Assert.True(JsonDocument.Parse(check.StdOut).RootElement.GetProperty("sound").GetBoolean());

        // An auditor's export of every movement re-checks against the chain, and its totals against BudgetStatus.
        using var dir = new TempDirectory();
        var genesis = net.GenesisFile;
        string[] auditor = ["--endpoint", net.Node.Endpoint, "--as", "AuditBureau/auditor1", "--crypto", net.Node.CryptoDir];
        Ok(await ChainBinary.RunAsync(["audit", "export", "-c", "demolition-fund", "--format", "jsonl", "--out", dir.Combine("export"), .. auditor]));
        var rows = File.ReadAllLines(dir.Combine("export", "movements.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(summary.PaidFen, rows.Where(r => r.GetProperty("event").GetString() == "PaymentConfirmed" && r.GetProperty("source").GetString() == "project:" + summary.ProjectId)
            .Sum(r => long.Parse(r.GetProperty("amount_fen").GetString()!)));
        var verified = await ChainBinary.RunAsync(["audit", "verify-export", dir.Combine("export"), "--trust", genesis, .. auditor]);
        Ok(verified);
        Assert.Contains("totals equal the deposited, paid and returned figures of BudgetStatus for ", verified.StdOut);
    }
}
