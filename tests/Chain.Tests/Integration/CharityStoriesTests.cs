using System.Text.Json;
using Chain.Contracts.Charity;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// The charity user stories (docs/CHARITY.md, Who does what), end to end: signed transactions over gRPC to a real node process,
/// RocksDB in a temp folder, the sample network's accounts. Each story uses its own campaign.
/// </summary>
public sealed class CharityStoriesTests(CharityNode net) : IClassFixture<CharityNode>
{
    private static readonly long Now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private static string Hash(string text) => CharityWorld.Hash(text);

    [Fact]
    public async Task Story1_Donor_DonationIsOnChainWithAReceiptNumber()
    {
        await net.OpenCampaignAsync("S1-C");
        await net.DonateAsync("S1-D", "S1-C", 20_000);
        await net.OkAsync(net.Officer1, "IssueReceipt", new { donationId = "S1-D", receiptNo = "R2026-000123" });

        var donation = await net.QueryAsync("GetDonation", new { donationId = "S1-D" });
        Assert.Equal(20_000, donation.GetProperty("amount").GetInt64());
        Assert.Equal("R2026-000123", donation.GetProperty("receiptNo").GetString());
        Assert.Equal("S1-C", donation.GetProperty("campaignId").GetString());
        Assert.Equal("Bank", donation.GetProperty("bankId").GetString());
    }

    [Fact]
    public async Task Story2_Donor_SeesWhatWasPaidWithEvidenceAndWhatIsUnspent()
    {
        await net.OpenCampaignAsync("S2-C");
        await net.DonateAsync("S2-D", "S2-C", 20_000);
        var invoiceX = Hash("invoice #X school supplies");
        await net.OkAsync(net.Officer1, "ProposeDisbursement", new
        {
            disbId = "S2-P", poolId = "C:S2-C", payeeType = "Supplier", payeeRef = Hash("supplier S"), amount = 15_000, category = "Charitable",
            evidence = new[] { new { kind = "Invoice", hash = invoiceX } },
        });
        await net.OkAsync(net.Officer2, "ApproveDisbursement", new { disbId = "S2-P" });
        await net.OkAsync(net.Teller, "ConfirmPayment", new { disbId = "S2-P", bankTxRef = "BK-S2-P", paidAt = Now });

        var trace = await net.QueryAsync("TraceDonation", new { donationId = "S2-D" });
        Assert.Equal(15_000, trace.GetProperty("paid").GetInt64());
        Assert.Equal(5_000, trace.GetProperty("remaining").GetInt64());
        var use = Assert.Single(trace.GetProperty("tree").GetProperty("uses").EnumerateArray());
        Assert.Equal("S2-P", use.GetProperty("id").GetString());
        Assert.Equal("Supplier", use.GetProperty("payeeType").GetString());
        Assert.Equal(invoiceX, use.GetProperty("evidence")[0].GetProperty("hash").GetString());
    }

    [Fact]
    public async Task Story3_Treasurer_PaymentWaitsForADifferentOfficersApproval()
    {
        await net.OpenCampaignAsync("S3-C");
        await net.DonateAsync("S3-D", "S3-C", 50_000);
        await net.OkAsync(net.Officer1, "ProposeDisbursement", Proposal("S3-P", "C:S3-C", 10_000));

        var early = await net.RefusedAsync(net.Teller, "ConfirmPayment", new { disbId = "S3-P", bankTxRef = "BK-S3-early", paidAt = Now }, "BAD_STATE");
        Assert.Contains("is Proposed", early);
        var self = await net.RefusedAsync(net.Officer1, "ApproveDisbursement", new { disbId = "S3-P" }, CharityErrors.MakerChecker);
        Assert.Contains("proposer", self);

        await net.OkAsync(net.Officer2, "ApproveDisbursement", new { disbId = "S3-P" });
        await net.OkAsync(net.Teller, "ConfirmPayment", new { disbId = "S3-P", bankTxRef = "BK-S3-P", paidAt = Now });
        var paid = await net.QueryAsync("GetDisbursement", new { disbId = "S3-P" });
        Assert.Equal("Paid", paid.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Story4_Charity_CannotPayCampaignAMoneyToACampaignBSupplier()
    {
        await net.OpenCampaignAsync("S4-A");
        await net.OpenCampaignAsync("S4-B", purpose: "HEALTH");
        await net.DonateAsync("S4-D", "S4-A", 30_000);
        var message = await net.RefusedAsync(net.Officer1, "ProposeDisbursement", Proposal("S4-P", "C:S4-A", 10_000, campaignId: "S4-B"), CharityErrors.Restricted);
        Assert.Contains("restricted to campaign 'S4-A'", message);
        var pool = await net.QueryAsync("GetPool", new { poolId = "C:S4-A" });
        Assert.Equal(30_000, pool.GetProperty("balance").GetInt64());
    }

    [Fact]
    public async Task Story6_Regulator_ListsCampaignsOverdueForTheirQuarterlyDisclosure()
    {
        await net.OpenCampaignAsync("S6-C");
        const long Day = 86_400_000;
        var soon = await net.QueryAsync("OverdueDisclosures", new { asOf = Now + 30 * Day, limit = 1000 });
        Assert.DoesNotContain(soon.GetProperty("items").EnumerateArray(), i => i.GetProperty("campaignId").GetString() == "S6-C");
        var later = await net.QueryAsync("OverdueDisclosures", new { asOf = Now + 200 * Day, limit = 1000 });
        var item = Assert.Single(later.GetProperty("items").EnumerateArray(), i => i.GetProperty("campaignId").GetString() == "S6-C");
        Assert.Contains("last disclosure never", item.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Story7_Auditor_ExportsCampaignLineage_InflowsEqualOutflowsPlusBalance()
    {
        await net.OpenCampaignAsync("S7-C");
        await net.DonateAsync("S7-D1", "S7-C", 40_000);
        await net.DonateAsync("S7-D2", "S7-C", 25_000, donor: "donor-b");
        await net.OkAsync(net.Officer1, "ProposeDisbursement", Proposal("S7-P", "C:S7-C", 30_000));
        await net.OkAsync(net.Officer2, "ApproveDisbursement", new { disbId = "S7-P" });
        await net.OkAsync(net.Teller, "ConfirmPayment", new { disbId = "S7-P", bankTxRef = "BK-S7-P", paidAt = Now });
        await net.OkAsync(net.Teller, "ConfirmRefund", new { refundId = "S7-R", donationId = "S7-D2", amount = 5_000, reasonCode = "BankError", bankTxRef = "BK-S7-R", originalBankTxRef = "BK-S7-D2" });

        var ledger = await net.QueryAsync("CampaignLedger", new { campaignId = "S7-C" });
        Assert.True(ledger.GetProperty("balanced").GetBoolean());
        var entries = ledger.GetProperty("entries").EnumerateArray().ToList();
        long inflow = entries.Sum(e => e.GetProperty("in").GetInt64()), outflow = entries.Sum(e => e.GetProperty("out").GetInt64());
        Assert.Equal(65_000, inflow);
        Assert.Equal(35_000, outflow);
        Assert.Equal(inflow - outflow, ledger.GetProperty("pool").GetProperty("balance").GetInt64());
        Assert.Equal(["Donation", "Donation", "Payment", "Refund"], entries.Select(e => e.GetProperty("kind").GetString()).Order());
    }

    [Fact]
    public async Task Story8_AnonymousDonor_NameNeverPublic_ButCanTraceTheMoney()
    {
        await net.OpenCampaignAsync("S8-C");
        var donorRef = Hash("anonymous donor 8");
        var status = await net.DonateAsync("S8-D", "S8-C", 10_000, donor: "anonymous donor 8", anonymous: true);
        await net.OkAsync(net.Officer1, "ProposeDisbursement", Proposal("S8-P", "C:S8-C", 4_000));
        await net.OkAsync(net.Officer2, "ApproveDisbursement", new { disbId = "S8-P" });
        await net.OkAsync(net.Teller, "ConfirmPayment", new { disbId = "S8-P", bankTxRef = "BK-S8-P", paidAt = Now });

        var donation = await net.QueryAsync("GetDonation", new { donationId = "S8-D" });
        Assert.Equal("anonymous", donation.GetProperty("donor").GetString());
        Assert.False(donation.TryGetProperty("donorRef", out _));
        var back = await net.QueryAsync("TraceDisbursement", new { disbId = "S8-P" });
        var source = Assert.Single(back.GetProperty("sources").EnumerateArray());
        Assert.Equal("anonymous", source.GetProperty("donor").GetString());
        Assert.False(source.TryGetProperty("donorRef", out _));
        var events = await net.EventsOfBlockAsync(status.BlockNumber);
        var confirmed = Assert.Single(events, e => e.Name == "DonationConfirmed" && e.Payload.GetProperty("donationId").GetString() == "S8-D");
        Assert.Equal("anonymous", confirmed.Payload.GetProperty("donor").GetString());

        // The donor, holding its reference, still sees its own donation and where it went.
        var statement = await net.QueryAsync("DonorStatement", new { donorRef });
        var own = Assert.Single(statement.GetProperty("items").EnumerateArray());
        Assert.Equal(4_000, own.GetProperty("used").GetInt64());
        var trace = await net.QueryAsync("TraceDonation", new { donationId = "S8-D" });
        Assert.Equal(6_000, trace.GetProperty("remaining").GetInt64());
    }

    private static object Proposal(string disbId, string poolId, long amount, string? campaignId = null) => new
    {
        disbId, poolId, campaignId, payeeType = "Supplier", payeeRef = Hash("supplier " + disbId), amount, category = "Charitable",
        evidence = new[] { new { kind = "Invoice", hash = Hash("invoice " + disbId) } },
    };
}

/// <summary>Story 5 on a node of its own, so no other story's spending changes the charity's yearly figures.</summary>
public sealed class CharityRatioStoryTests(CharityNode net) : IClassFixture<CharityNode>
{
    [Fact]
    public async Task Story5_Regulator_ManagementCostOf12Percent_RaisesARatioAlert()
    {
        await net.OpenCampaignAsync("S5-C", mgmtFeeCapBps: 1500);
        await net.DonateAsync("S5-D", "S5-C", 300_000_000); // 3,000,000.00 yuan
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        // 1,760,000.00 charitable + 240,000.00 management = 2,000,000.00 spent; management is 12% (cap 10%; above the 200,000 exemption).
        foreach (var (id, amount, category, payeeType) in new[] { ("S5-P1", 176_000_000L, "Charitable", "Supplier"), ("S5-M1", 24_000_000L, "Management", "Staff") })
        {
            await net.OkAsync(net.Officer1, "ProposeDisbursement", new
            {
                disbId = id, poolId = "C:S5-C", payeeType, payeeRef = CharityWorld.Hash(id), amount, category,
                evidence = new[] { new { kind = "Invoice", hash = CharityWorld.Hash("invoice " + id) } },
            });
            await net.OkAsync(net.Officer2, "ApproveDisbursement", new { disbId = id });
            await net.OkAsync(net.Officer3, "ApproveDisbursement", new { disbId = id }); // above the dual-approval threshold
            await net.OkAsync(net.Teller, "ConfirmPayment", new { disbId = id, bankTxRef = "BK-" + id, paidAt = now });
        }
        int year = CharityContract.YearOf(now);
        var published = await net.OkAsync(net.Officer1, "PublishAnnual", new
        {
            charityId = "CharityFoundation", year,
            figures = new { income = 300_000_000L, charitableSpend = 176_000_000L, mgmtSpend = 24_000_000L, totalSpend = 200_000_000L, netAssetsEnd = 100_000_000L },
            reportHash = CharityWorld.Hash("annual report"),
        });

        var ratios = await net.QueryAsync("AnnualRatios", new { charityId = "CharityFoundation", year });
        Assert.Equal(1200, ratios.GetProperty("ledger").GetProperty("mgmtBps").GetInt32());
        var events = await net.EventsOfBlockAsync(published.BlockNumber);
        var alert = Assert.Single(events, e => e.Name == "Alert");
        Assert.Equal("RatioBreach", alert.Payload.GetProperty("kind").GetString());
        Assert.Contains(alert.Payload.GetProperty("breaches").EnumerateArray(), b => b.GetString()!.Contains("12% of total spending"));
    }
}
