using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Encoding;
using Chain.Sdk.Verification;
using Chain.Tests.TestKit;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>Domain histories over real gRPC: every action on an object exactly once, in block order, across pages, while blocks commit.</summary>
public sealed class DomainHistoryTests(CharityNode net) : IClassFixture<CharityNode>
{
    [Fact]
    public async Task ACampaignsHistory_PagedWhileDonationsCommit_HasEveryActionOnceInBlockOrder()
    {
        await net.OpenCampaignAsync("DH-C");
        var request = new SubjectHistoryRequest { Channel = "charity", Contract = "charity", Kind = "campaign", Id = "DH-C", PageSize = 3 };
        var seen = new List<SubjectEvent>();
        int donated = 0;
        // Read a page, commit two more donations, read the next page, … until the history has caught up with the donations.
        while (true)
        {
            var page = await net.Node.Client.Ledger.GetSubjectHistoryAsync(request);
            seen.AddRange(page.Entries);
            if (donated < 12)
            {
                await Task.WhenAll(net.DonateAsync($"DH-D{donated}", "DH-C", 1_000 + donated), net.DonateAsync($"DH-D{donated + 1}", "DH-C", 2_000 + donated));
                donated += 2;
            }
            if (page.NextPageToken.Length == 0)
            {
                if (donated == 12 && seen.Count(e => e.Name == "DonationConfirmed") == 12) break;
                // Caught up with the commits so far: ask again from just after the last entry seen.
                request.PageToken = await TokenAfterAsync(seen[^1]);
                continue;
            }
            request.PageToken = page.NextPageToken;
        }

        var positions = seen.Select(e => (e.BlockNumber, e.TxIndex, e.EventIndex)).ToList();
        Assert.Equal(positions.Distinct().Count(), positions.Count);
        Assert.Equal(positions.OrderBy(p => p).ToList(), positions);
        Assert.Equal("CampaignCreated", seen[0].Name);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => $"DH-D{i}").Order(), seen.Where(e => e.Name == "DonationConfirmed")
            .Select(e => System.Text.Json.JsonDocument.Parse(e.Payload.Memory).RootElement.GetProperty("donationId").GetString()).Order());
        // Read again in one go: the same entries.
        var whole = await net.Node.Client.Ledger.GetSubjectHistoryAsync(new SubjectHistoryRequest { Channel = "charity", Contract = "charity", Kind = "campaign", Id = "DH-C", PageSize = 1000 });
        Assert.Equal(positions, whole.Entries.Select(e => (e.BlockNumber, e.TxIndex, e.EventIndex)));
    }

    /// <summary>The page token that resumes just after <paramref name="last"/> (what next_page_token would have been).</summary>
    private async Task<string> TokenAfterAsync(SubjectEvent last)
    {
        var probe = await net.Node.Client.Ledger.GetSubjectHistoryAsync(new SubjectHistoryRequest { Channel = "charity", Contract = "charity", Kind = "campaign", Id = "DH-C", PageSize = 1000 });
        var index = probe.Entries.ToList().FindIndex(e => (e.BlockNumber, e.TxIndex, e.EventIndex) == (last.BlockNumber, last.TxIndex, last.EventIndex));
        var again = await net.Node.Client.Ledger.GetSubjectHistoryAsync(new SubjectHistoryRequest { Channel = "charity", Contract = "charity", Kind = "campaign", Id = "DH-C", PageSize = (uint)(index + 1) });
        return again.NextPageToken.Length > 0 ? again.NextPageToken : throw new InvalidOperationException("no entry after the last one yet");
    }

    [Fact]
    public async Task AnAccountsActivity_ListsItsRefusedAttemptsToo_AndPagesWithProofsVerify()
    {
        await net.OpenCampaignAsync("DH-A");
        await net.DonateAsync("DH-A1", "DH-A", 500);
        var refused = await net.InvokeAsync(net.Officer2, "OpenCampaign", new { campaignId = "DH-NONE" }); // refused by the contract, recorded in its block
        Assert.NotEqual(ValidationCode.Valid, refused.Code);

        var activity = await net.Node.Client.Ledger.GetAccountActivityAsync(new AccountActivityRequest { Channel = "charity", Account = net.Officer2.AddressText, PageSize = 1000, WithReceipts = true });
        var attempt = Assert.Single(activity.Entries, e => e.TxId == refused.TxId);
        Assert.Equal(("charity", "OpenCampaign", refused.Code), (attempt.Contract, attempt.Function, attempt.Code));
        var proven = ProofVerifier.VerifyInclusions(activity.Inclusions, activity.Consenters, net.GenesisHash);
        Assert.Equal(activity.Entries.Select(e => e.TxId), proven.Select(p => p.TxId));

        var history = await net.Node.Client.Ledger.GetSubjectHistoryAsync(new SubjectHistoryRequest { Channel = "charity", Contract = "charity", Kind = "donation", Id = "DH-A1", WithReceipts = true });
        Assert.Equal("DonationConfirmed", Assert.Single(history.Entries).Name);
        Assert.Equal(history.Entries[0].TxId, Assert.Single(ProofVerifier.VerifyInclusions(history.Inclusions, history.Consenters, net.GenesisHash)).TxId);

        var genesis = net.GenesisFile;
        var cli = await ChainBinary.RunAsync("--endpoint", net.Node.Endpoint, "history", "subject", "donation", "DH-A1", "-c", "charity", "--verify", genesis,
            "--as", "CivilAffairs/inspector1", "--crypto", net.Node.CryptoDir);
        Assert.True(cli.ExitCode == 0, cli.StdErr);
        Assert.Contains("DonationConfirmed", cli.StdOut);
        Assert.Contains("1 entry, each transaction verified against the genesis", cli.StdOut);

        using var officer = new ChainClient(net.Node.Endpoint, reader: net.Officer1);
        var denied = await Assert.ThrowsAsync<RpcException>(() => officer.Ledger.GetSubjectHistoryAsync(new SubjectHistoryRequest { Channel = "charity", Contract = "charity", Kind = "donation", Id = "DH-A1" }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, denied.StatusCode);
        var badToken = await Assert.ThrowsAsync<RpcException>(() => net.Node.Client.Ledger.GetAccountActivityAsync(new AccountActivityRequest { Channel = "charity", Account = net.Officer2.AddressText, PageToken = "nope" }).ResponseAsync);
        Assert.StartsWith("BAD_PAGE_TOKEN:", badToken.Status.Detail);
    }
}
