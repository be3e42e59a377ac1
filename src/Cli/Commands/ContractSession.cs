using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Grpc.Core;

namespace Chain.Cli.Commands;

/// <summary>Signed calls to one contract for multi-step commands (demos, benchmarks): any refusal stops the command with its reason.</summary>
public class ContractSession(ChainClient client, string channel, string contract, string what, CancellationToken cancel)
{
    public string Contract { get; } = contract;

    public async Task CallAsync(AccountKey signer, string function, object args)
    {
        var status = await client.InvokeAsync(signer, channel, Contract, function, JsonSerializer.Serialize(args, JsonSerializerOptions.Web), cancel);
        if (status.Code != ValidationCode.Valid) throw new CommandFailedException($"{what} step {function} was refused: {status.Message}");
    }

    public async Task<JsonElement> QueryAsync(string function, object args)
    {
        using var document = JsonDocument.Parse(await client.QueryAsync(channel, Contract, function, JsonSerializer.Serialize(args, JsonSerializerOptions.Web), cancel));
        return document.RootElement.Clone();
    }

    public static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
}

/// <summary>A session with the charity contract.</summary>
public sealed class CharitySession(ChainClient client, string channel, string what, CancellationToken cancel) : ContractSession(client, channel, "charity", what, cancel)
{
    /// <summary>Registers the sample network's bank, charities and executor unless the regulator already did.</summary>
    public async Task RegisterSampleOrganisationsAsync(AccountKey regulator)
    {
        foreach (var (orgId, type, uscc, form, publicFundraising) in new (string, string, string, string?, bool)[]
        {
            ("Bank", "Bank", "91110000BANK00001X", null, false),
            ("CharityFoundation", "Charity", "53100000FOUND0001A", "Foundation", true),
            ("CharitySmall", "Charity", "52100000SMALL0001B", "SocialGroup", false),
            ("Executor", "Executor", "11100000EXEC00001C", null, false),
        })
        {
            try { await QueryAsync("GetOrg", new { orgId }); }
            catch (RpcException e) when (ErrorCodes.ContractCodeOf(e) == Chain.Contracts.Abstractions.ContractErrors.NotFound)
            {
                await CallAsync(regulator, "RegisterOrg", new { orgId, type, name = orgId, uscc, form, publicFundraising, accountBank = type == "Bank" ? null : "Bank" });
            }
        }
    }
}
