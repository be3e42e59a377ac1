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
        foreach (var (orgId, type, uscc, form, publicFundraising) in new (string, OrgType, string, OrgForm, bool)[]
        {
            ("Bank", OrgType.Bank, "91110000BANK00001X", OrgForm.Other, false),
            ("CharityFoundation", OrgType.Charity, "53100000FOUND0001A", OrgForm.Foundation, true),
            ("CharitySmall", OrgType.Charity, "52100000SMALL0001B", OrgForm.SocialGroup, false),
            ("Executor", OrgType.Executor, "11100000EXEC00001C", OrgForm.Other, false),
        })
        {
            try { await QueryAsync("GetOrg", new { orgId }); }
            catch (RpcException e) when (ErrorCodes.ContractCodeOf(e) == Chain.Contracts.Abstractions.ContractErrors.NotFound)
            {
                await CallAsync(regulator, "RegisterOrg", new CharityContract.RegisterOrgArgs(orgId, type, orgId, uscc, form, publicFundraising,
                    CharityContract.DefaultDualApprovalThreshold, CharityContract.DefaultIdleDays, AccountBank: type == OrgType.Bank ? null : "Bank"));
            }
        }
    }
}
