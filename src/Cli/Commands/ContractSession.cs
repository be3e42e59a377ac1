using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chain.Contracts.Charity;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Grpc.Core;

namespace Chain.Cli.Commands;

/// <summary>Signed calls to one contract for multi-step commands (demos, benchmarks): any refusal stops the command with its reason.</summary>
internal class ContractSession(ChainClient client, string channel, string contract, string what, CancellationToken cancel)
{
    public string Contract { get; } = contract;

    public async Task CallAsync(AccountKey signer, string function, object args)
    {
        var status = await client.InvokeAsync(signer, channel, Contract, function, DomainCli.Serialize(args), cancel);
        if (status.Code != ValidationCode.Valid) throw new CommandFailedException($"{what} step {function} was refused: {status.Message}");
    }

    public async Task<JsonElement> QueryAsync(string function, object args)
    {
        using var document = JsonDocument.Parse(await client.QueryAsync(channel, Contract, function, DomainCli.Serialize(args), cancel));
        return document.RootElement.Clone();
    }

    public static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>A session with the charity contract.</summary>
internal sealed class CharitySession(ChainClient client, string channel, string what, CancellationToken cancel) : ContractSession(client, channel, "charity", what, cancel)
{
    /// <summary>Registers the sample network's bank, charities and executor unless the regulator already did.</summary>
    public async Task RegisterSampleOrganisationsAsync(AccountKey regulator)
    {
        foreach (var org in SampleOrganisations)
        {
            try { await QueryAsync("GetOrg", new { orgId = org.OrgId }); }
            catch (RpcException e) when (ErrorCodes.ContractCodeOf(e) == Chain.Contracts.Abstractions.ContractErrors.NotFound)
            {
                await CallAsync(regulator, "RegisterOrg", org);
            }
        }
    }

    /// <summary>The sample network's bank, charities and executor as the regulator registers them.</summary>
    public static IReadOnlyList<CharityContract.RegisterOrgArgs> SampleOrganisations { get; } = new (string, OrgType, string, OrgForm, bool)[]
    {
        ("Bank", OrgType.Bank, "91110000BANK00001X", OrgForm.Other, false),
        ("CharityFoundation", OrgType.Charity, "53100000FOUND0001A", OrgForm.Foundation, true),
        ("CharitySmall", OrgType.Charity, "52100000SMALL0001B", OrgForm.SocialGroup, false),
        ("Executor", OrgType.Executor, "11100000EXEC00001C", OrgForm.Other, false),
    }.Select(o => new CharityContract.RegisterOrgArgs(o.Item1, o.Item2, o.Item1, o.Item3, o.Item4, o.Item5,
        CharityContract.DefaultDualApprovalThreshold, CharityContract.DefaultIdleDays, AccountBank: o.Item2 == OrgType.Bank ? null : "Bank")).ToArray();

    /// <summary>
    /// The calls that open a restricted, public campaign of the sample foundation for benchmarks and demos, in order, with
    /// the sample account that signs each (created by the foundation's officer, filed with the regulator, opened).
    /// </summary>
    public static IEnumerable<(string Signer, string Function, object Args)> OpenSampleCampaign(string campaignId, long nowMs) =>
    [
        ("CharityFoundation/officer1", "CreateCampaign", new CharityContract.CreateCampaignArgs(campaignId, "CharityFoundation", "benchmark " + campaignId, "EDU",
            Restricted: true, Public: true, Target: 10_000_000_000L, StartAt: nowMs - 86_400_000, EndAt: nowMs + 86_400_000L * 365, Sha(campaignId),
            CharityContract.DefaultMgmtFeeCapBps, LeftoverRule.SimilarProject, LeftoverTarget: null, NoInvest: false, CharityContract.DefaultDisclosureEveryDays)),
        ("CivilAffairs/inspector1", "AcknowledgeFiling", new CharityContract.FilingArgs(campaignId, "MZ-" + campaignId, NewPurposeCode: null)),
        ("CharityFoundation/officer1", "OpenCampaign", new CharityContract.CampaignIdArgs(campaignId)),
    ];

    /// <summary>Donation <paramref name="i"/> of a benchmark run: 100.00 yuan confirmed by the bank into a campaign, from one of 100 donors.</summary>
    public static CharityContract.ConfirmDonationArgs BenchDonation(string run, string campaignId, int i, long nowMs) =>
        new($"{run}-{i}", PledgeId: null, BenchDonorRef(run, i % 100), DisplayName: null, Anonymous: false, DonorAccount: null, "CharityFoundation", campaignId,
            BenchDonationAmount, BankTxRef: $"{run}-{i}", ValueDate: nowMs);

    public const long BenchDonationAmount = 10_000;

    public static string BenchDonorRef(string run, int donor) => Sha($"{run} donor {donor}");
}
