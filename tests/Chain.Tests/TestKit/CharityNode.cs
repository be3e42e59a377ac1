using Chain.Protocol;
using Chain.Sdk.Crypto;

namespace Chain.Tests.TestKit;

/// <summary>
/// A real node running the sample network, with the sample accounts' keys and the charity organisations
/// registered by the regulator, for end-to-end tests over gRPC.
/// </summary>
public sealed class CharityNode() : ContractNode("charity", "charity")
{
    protected override Task SetUpAsync() =>
        new Chain.Cli.Commands.CharitySession(Node.Client, Channel, "fixture", CancellationToken.None).RegisterSampleOrganisationsAsync(Regulator);

    public AccountKey Regulator => Key("CivilAffairs", "inspector1");
    public AccountKey Teller => Key("Bank", "teller1");
    public AccountKey Officer1 => Key("CharityFoundation", "officer1");
    public AccountKey Officer2 => Key("CharityFoundation", "officer2");
    public AccountKey Officer3 => Key("CharityFoundation", "officer3");
    public AccountKey Auditor => Key("AuditBureau", "auditor1");

    public async Task OpenCampaignAsync(string campaignId, string purpose = "EDU", bool restricted = true, int mgmtFeeCapBps = 1000)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await OkAsync(Officer1, "CreateCampaign", new
        {
            campaignId, charityId = "CharityFoundation", title = "Campaign " + campaignId, purposeCode = purpose, restricted, target = 100_000_000L,
            startAt = now - 86_400_000, endAt = now + 365L * 86_400_000, planHash = CharityWorld.Hash("plan " + campaignId), mgmtFeeCapBps,
        });
        await OkAsync(Regulator, "AcknowledgeFiling", new { campaignId, filingNo = "F-" + campaignId });
        await OkAsync(Officer1, "OpenCampaign", new { campaignId });
    }

    public Task<CommitStatusResponse> DonateAsync(string donationId, string campaignId, long amount, string donor = "donor-a", bool anonymous = false, string? displayName = "Li Lei") =>
        OkAsync(Teller, "ConfirmDonation", new
        {
            donationId, donorRef = CharityWorld.Hash(donor), displayName = anonymous ? null : displayName, anonymous, charityId = "CharityFoundation", campaignId, amount,
            bankTxRef = "BK-" + donationId, valueDate = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        });
}
