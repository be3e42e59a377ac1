using System.Text.Json;
using Chain.Cli.Commands;
using Chain.Cli.Commands.Charity;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>`chain charity` as people use it: yuan in and out, sample-account signing, one-line refusals, the demo loader.</summary>
public sealed class CharityCliTests(CharityNode net) : IClassFixture<CharityNode>
{
    private Task<ChainBinary.Result> Charity(params string[] args) =>
        ChainBinary.RunAsync(["--endpoint", net.Node.Endpoint, "charity", "--crypto", net.Node.CryptoDir, .. args]);

    private static void Ok(ChainBinary.Result result) => Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StdErr}");

    [Fact]
    public async Task DonateProposeApprovePayTrace_InYuan()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("plan.pdf"), "campaign plan");
        File.WriteAllText(dir.Combine("invoice.pdf"), "invoice #X");
        Ok(await Charity("campaign", "create", "CLI-C", "--charity", "CharityFoundation", "--title", "Books", "--purpose", "EDU", "--restricted",
            "--target", "100000.00", "--start", "2020-01-01", "--end", "2099-12-31", "--plan", dir.Combine("plan.pdf"), "--as", "CharityFoundation/officer1"));
        Ok(await Charity("campaign", "file", "CLI-C", "--filing-no", "MZ-1", "--as", "CivilAffairs/inspector1"));
        Ok(await Charity("campaign", "open", "CLI-C", "--as", "CharityFoundation/officer1"));
        var donorRef = CharityWorld.Hash("cli donor");
        Ok(await Charity("donate", "CLI-D", "--charity", "CharityFoundation", "--campaign", "CLI-C", "--amount", "200.00", "--donor-ref", donorRef,
            "--name", "Han Meimei", "--bank-ref", "CLI-BK-1", "--as", "Bank/teller1"));
        Ok(await Charity("propose", "CLI-P", "--pool", "C:CLI-C", "--payee-type", "Supplier", "--payee-ref", CharityWorld.Hash("supplier"), "--amount", "150",
            "--category", "Charitable", "--evidence", "Invoice:" + dir.Combine("invoice.pdf"), "--as", "CharityFoundation/officer1"));

        var self = await Charity("approve", "CLI-P", "--as", "CharityFoundation/officer1");
        Assert.Equal(1, self.ExitCode);
        Assert.Single(self.StdErr.Trim().Split('\n'));
        Assert.StartsWith("error: ApproveDisbursement refused: MAKER_CHECKER:", self.StdErr);

        Ok(await Charity("approve", "CLI-P", "--as", "CharityFoundation/officer2"));
        Ok(await Charity("pay", "CLI-P", "--bank-ref", "CLI-BK-2", "--as", "Bank/teller1"));

        var table = await Charity("trace", "donation", "CLI-D", "--as", "CivilAffairs/inspector1");
        Ok(table);
        Assert.Contains("donation CLI-D  200.00", table.StdOut);
        Assert.Contains("paid 150.00 · refunded 0.00 · unspent 50.00", table.StdOut);
        var invoiceHash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(dir.Combine("invoice.pdf"))));
        Assert.Contains("Invoice:" + invoiceHash[..12], table.StdOut);

        var json = JsonDocument.Parse((await Charity("trace", "donation", "CLI-D", "-o", "json", "--as", "CivilAffairs/inspector1")).StdOut).RootElement;
        Assert.Equal("150.00", json.GetProperty("paid").GetString());
        Assert.Equal("200.00", json.GetProperty("donation").GetProperty("amount").GetString());
        // Only fields the contract declares as money become yuan: counts stay numbers.
        var payee = JsonDocument.Parse((await Charity("payee", CharityWorld.Hash("supplier"), "-o", "json", "--as", "CivilAffairs/inspector1")).StdOut).RootElement;
        Assert.Equal("150.00", payee.GetProperty("amount").GetString());
        Assert.Equal(1, payee.GetProperty("charities").GetInt32());
    }

    [Fact]
    public async Task ADonorsReceipt_IsSavedWithAQrCode_AndVerifiedOfflineAgainstTheGenesisFile_OrByItsCompactForm()
    {
        using var dir = new TempDirectory();
        await net.OpenCampaignAsync("RC-C");
        var donation = await net.DonateAsync("RC-D", "RC-C", 12_345);
        var genesis = net.GenesisFile;
        string file = dir.Combine("receipt.bin"), qr = dir.Combine("receipt.png");

        var saved = await ChainBinary.RunAsync("--endpoint", net.Node.Endpoint, "tx", "receipt", donation.TxId, "-c", "charity", "--out", file, "--qr", qr,
            "--as", "Bank/teller1", "--crypto", net.Node.CryptoDir, "-o", "json");
        Ok(saved);
        var compact = JsonDocument.Parse(saved.StdOut).RootElement.GetProperty("compact").GetString()!;
        Assert.StartsWith($"chain-receipt:1/charity/{donation.BlockNumber}/{donation.TxId}/", compact);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(qr)[..4]);

        // Offline: no --endpoint is needed, and none is contacted.
        var offline = await ChainBinary.RunAsync("--endpoint", "http://127.0.0.1:1", "verify", "receipt", file, "--trust", genesis);
        Ok(offline);
        Assert.StartsWith($"verified: donation RC-D of 123.45 yuan to campaign RC-C was confirmed by Bank in block {donation.BlockNumber} of channel charity at ", offline.StdOut);

        var bytes = File.ReadAllBytes(file);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(dir.Combine("tampered.bin"), bytes);
        var tampered = await ChainBinary.RunAsync("verify", "receipt", dir.Combine("tampered.bin"), "--trust", genesis);
        Assert.NotEqual(0, tampered.ExitCode);
        Assert.Single(tampered.StdErr.Trim().Split('\n'));
        Assert.StartsWith("error: ", tampered.StdErr);

        var wrongTrust = await ChainBinary.RunAsync("verify", "receipt", file, "--trust", new string('a', 64));
        Assert.Equal(1, wrongTrust.ExitCode);
        Assert.StartsWith("error: not verified: the genesis block's hash", wrongTrust.StdErr);

        var scanned = await ChainBinary.RunAsync("--endpoint", net.Node.Endpoint, "verify", "receipt", "--compact", compact, "--trust", genesis, "--as", "Bank/teller1", "--crypto", net.Node.CryptoDir);
        Ok(scanned);
        Assert.Contains("verified: donation RC-D of 123.45 yuan", scanned.StdOut);
        var otherDigest = await ChainBinary.RunAsync("--endpoint", net.Node.Endpoint, "verify", "receipt", "--compact", compact[..^4] + "AAAA", "--trust", genesis, "--as", "Bank/teller1", "--crypto", net.Node.CryptoDir);
        Assert.Equal(1, otherDigest.ExitCode);
        Assert.StartsWith("error: not verified: the node's receipt does not match the compact form's digest", otherDigest.StdErr);

        var state = await ChainBinary.RunAsync("--endpoint", net.Node.Endpoint, "verify", "state", "-c", "charity", "--contract", "charity", "--key", "donation/RC-D",
            "--trust", genesis, "--as", "CivilAffairs/inspector1", "--crypto", net.Node.CryptoDir);
        Ok(state);
        Assert.StartsWith("verified: key 'donation/RC-D' of 'charity' holds this value after block ", state.StdOut);
    }

    [Fact]
    public async Task TheAnomalyReport_RunsEveryCheck_AndNamesTheRecordsOfEachFinding_AsTableJsonOrCsv()
    {
        await net.OpenCampaignAsync("AN-C");
        await net.DonateAsync("AN-D", "AN-C", 10_000);
        string[] report = ["--endpoint", net.Node.Endpoint, "audit", "anomalies", "-c", "charity", "--as", "CivilAffairs/inspector1", "--crypto", net.Node.CryptoDir];

        var now = await ChainBinary.RunAsync([.. report, "--format", "json"]);
        Ok(now);
        var current = JsonDocument.Parse(now.StdOut).RootElement;
        Assert.Equal(6, current.GetProperty("checks").GetArrayLength());
        Assert.DoesNotContain(current.GetProperty("findings").EnumerateArray(), f => f.GetProperty("records").GetString()!.Contains("campaign:AN-C"));

        // Years later the campaign is overdue for disclosure and the gift is idle money.
        var later = JsonDocument.Parse((await ChainBinary.RunAsync([.. report, "--as-of", "2099-01-01", "--format", "json"])).StdOut).RootElement.GetProperty("findings").EnumerateArray().ToList();
        var overdue = Assert.Single(later, f => f.GetProperty("check").GetString() == "overdue disclosure" && f.GetProperty("records").GetString()!.Contains("campaign:AN-C"));
        Assert.Equal("campaign:AN-C charity:CharityFoundation", overdue.GetProperty("records").GetString());
        var idle = Assert.Single(later, f => f.GetProperty("check").GetString() == "idle funds" && f.GetProperty("records").GetString()!.Contains("donation:AN-D"));
        Assert.Equal("100.00", idle.GetProperty("detail").GetProperty("remaining").GetString());

        var table = await ChainBinary.RunAsync([.. report, "--as-of", "2099-01-01"]);
        Ok(table);
        Assert.StartsWith("anomalies on channel charity (charity) as of 2099-01-01 00:00 UTC+8, at height ", table.StdOut);
        Assert.Contains("!!  overdue disclosure:", table.StdOut);
        Assert.Contains("ok  conservation law violated: 0", table.StdOut);
        var csv = (await ChainBinary.RunAsync([.. report, "--as-of", "2099-01-01", "--format", "csv"])).StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("as_of,channel,height,check,records,detail", csv[0]);
        Assert.Contains(csv, line => line.StartsWith("2099-01-01 00:00 UTC+8,charity,", StringComparison.Ordinal) && line.Contains(",overdue disclosure,campaign:AN-C charity:CharityFoundation,"));
    }

    [Fact]
    public async Task AnAuditExport_VerifiesAgainstTheChainAndTheContract_AndAnEditedRowOrTotalIsCaught()
    {
        using var dir = new TempDirectory();
        await net.OpenCampaignAsync("EX-C");
        await net.DonateAsync("EX-D1", "EX-C", 12_345);
        await net.DonateAsync("EX-D2", "EX-C", 100);
        var genesis = net.GenesisFile;
        string[] auditor = ["--endpoint", net.Node.Endpoint, "--as", "AuditBureau/auditor1", "--crypto", net.Node.CryptoDir];
        var export = dir.Combine("export");
        Ok(await ChainBinary.RunAsync(["audit", "export", "-c", "charity", "--out", export, .. auditor]));
        var lines = File.ReadAllLines(Path.Combine(export, "movements.csv"));
        Assert.Equal("tx_id,block,tx_index,event_index,time,actor,organization,event,amount_fen,amount_yuan,source,destination,subject", lines[0]);
        var gift = Assert.Single(lines, l => l.EndsWith(",donation:EX-D1", StringComparison.Ordinal));
        Assert.Contains($",{net.Teller.AddressText},Bank,DonationConfirmed,12345,123.45,bank:Bank,pool:C:EX-C,", gift);

        var verified = await ChainBinary.RunAsync(["audit", "verify-export", export, "--trust", genesis, .. auditor]);
        Ok(verified);
        Assert.StartsWith($"verified: {lines.Length - 1} movements of channel charity, blocks 1..", verified.StdOut);
        Assert.Contains("totals equal the charity contract's donated, refunded and paid-out figures (CheckInvariants, as the node answers it)", verified.StdOut);

        // An edited file no longer matches its manifest; with the manifest's hash edited too, the row itself is caught.
        var at = Array.IndexOf(lines, gift);
        File.WriteAllLines(Path.Combine(export, "movements.csv"), lines.Select((l, i) => i == at ? l.Replace(",12345,123.45,", ",12346,123.46,") : l));
        var edited = await ChainBinary.RunAsync(["audit", "verify-export", export, "--trust", genesis, .. auditor]);
        Assert.Equal("error: not verified: movements.csv is not the file the manifest names (its SHA-256 differs)", edited.StdErr.Trim());
        var manifestPath = Path.Combine(export, "manifest.json");
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["files"]![0]!["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(export, "movements.csv"))));
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        var row = await ChainBinary.RunAsync(["audit", "verify-export", export, "--trust", genesis, .. auditor]);
        Assert.Equal(1, row.ExitCode);
        Assert.StartsWith($"error: not verified: line {at + 1} of movements.csv is not the chain's movement DonationConfirmed of tx ", row.StdErr);

        // Columns swapped in the header (source and destination) with the hash fixed up: the header itself is checked.
        File.WriteAllLines(Path.Combine(export, "movements.csv"), lines.Select((l, i) => i == 0 ? l.Replace("source,destination", "destination,source") : l));
        manifest["files"]![0]!["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(export, "movements.csv"))));
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        var header = await ChainBinary.RunAsync(["audit", "verify-export", export, "--trust", genesis, .. auditor]);
        Assert.StartsWith("error: not verified: line 1 of movements.csv is not the export's column header", header.StdErr);
        // A manifest naming a file elsewhere is not an export manifest.
        manifest["files"]![0]!["name"] = "sub/movements.csv";
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        Assert.StartsWith("error: not verified: manifest.json does not describe an export", (await ChainBinary.RunAsync(["audit", "verify-export", export, "--trust", genesis, .. auditor])).StdErr);
        manifest["files"]![0]!["name"] = "movements.csv";

        File.WriteAllLines(Path.Combine(export, "movements.csv"), lines);
        manifest["files"]![0]!["sha256"] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(export, "movements.csv"))));
        manifest["totalsFen"]!["DonationConfirmed"] = 1;
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        var total = await ChainBinary.RunAsync(["audit", "verify-export", export, "--trust", genesis, .. auditor]);
        Assert.StartsWith("error: not verified: the manifest's total of DonationConfirmed is 0.01 yuan", total.StdErr);
    }

    [Fact]
    public async Task AReadWithoutACaller_ExitsOneWithOneLine_APublicOneAnswers()
    {
        var unsigned = await Charity("trace", "donation", "CLI-NONE");
        Assert.Equal(1, unsigned.ExitCode);
        Assert.Single(unsigned.StdErr.Trim().Split('\n'));
        Assert.StartsWith("error: Unauthenticated: UNSIGNED_READ: charity.TraceDonation needs a signed read (the channel policy 'readers')", unsigned.StdErr);
        Ok(await Charity("campaign", "list", "--charity", "CharityFoundation"));
    }

    [Theory]
    [InlineData("--amount", "2.345", "not an amount in yuan")]
    [InlineData("--amount", "-5", "not an amount in yuan")]
    [InlineData("--value-date", "yesterday", "is not a date")]
    public async Task BadInput_ExitsTwoWithOneLine(string option, string value, string expected)
    {
        var args = new List<string> { "donate", "BAD", "--charity", "CharityFoundation", "--amount", "1.00", "--donor-ref", CharityWorld.Hash("x"), "--bank-ref", "B", "--as", "Bank/teller1" };
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value; else args.AddRange([option, value]);
        var result = await Charity([.. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.Single(result.StdErr.Trim().Split('\n'));
        Assert.Contains(expected, result.StdErr);
    }

    [Fact]
    public async Task UnknownSampleAccount_ExitsTwoWithOneLine()
    {
        var result = await Charity("approve", "X", "--as", "Bank/nobody");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no account Bank/nobody", result.StdErr);
    }

    [Fact]
    public async Task Demo_LoadsABalancedScenario()
    {
        var summary = await CharityDemo.RunAsync(net.Node.Client, "charity", net.Node.CryptoDir, "t", TextWriter.Null, CancellationToken.None);
        Assert.Equal(50, summary.Donations);
        Assert.Equal(7, summary.Payments);
        foreach (var campaign in new[] { "t-edu", "t-clinic", "t-elder" })
            Assert.True((await net.QueryAsync("CampaignLedger", new { campaignId = campaign })).GetProperty("balanced").GetBoolean(), campaign);
        var clinic = await net.QueryAsync("GetCampaign", new { campaignId = "t-clinic" });
        Assert.Equal("Settled", clinic.GetProperty("campaign").GetProperty("status").GetString());
        Assert.Equal(0, clinic.GetProperty("pool").GetProperty("balance").GetInt64());
        Assert.Empty((await net.QueryAsync("UnevidencedOrSelfApproved", new { limit = 1000 })).GetProperty("items").EnumerateArray());
        var back = await net.QueryAsync("TraceDisbursement", new { disbId = summary.SamplePayment });
        Assert.Equal(80_000, back.GetProperty("sources").EnumerateArray().Sum(s => s.GetProperty("amount").GetInt64()));
        // Every conservation law holds on the node's own ledger after the demo's blocks; the table names what was checked.
        var check = await Charity("check", "--as", "CivilAffairs/inspector1");
        Ok(check);
        Assert.Matches(@"^sound: checked \d+ lots, \d+ pools, \d+ donations", check.StdOut);
    }
}
