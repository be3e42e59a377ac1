using System.Collections.Concurrent;
using System.Text.Json;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Xunit;

namespace Chain.Tests.TestKit;

/// <summary>
/// A real node running the sample network, with the sample accounts' keys and the charity organisations
/// registered by the regulator, for end-to-end tests over gRPC.
/// </summary>
public sealed class CharityNode : IAsyncLifetime
{
    public const string Channel = "charity";
    public const string Contract = "charity";
    private readonly ConcurrentDictionary<string, AccountKey> _keys = new();

    public NodeProcess Node { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Node = await NodeProcess.StartAsync();
        await new Chain.Cli.Commands.CharitySession(Node.Client, Channel, "fixture", CancellationToken.None).RegisterSampleOrganisationsAsync(Regulator);
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();

    public AccountKey Key(string org, string name) => _keys.GetOrAdd(org + "/" + name, _ =>
        Keystore.Read(Node.Account(org, name), File.ReadAllText(Path.ChangeExtension(Node.Account(org, name), ".password")).Trim()));

    public AccountKey Regulator => Key("CivilAffairs", "inspector1");
    public AccountKey Teller => Key("Bank", "teller1");
    public AccountKey Officer1 => Key("CharityFoundation", "officer1");
    public AccountKey Officer2 => Key("CharityFoundation", "officer2");
    public AccountKey Officer3 => Key("CharityFoundation", "officer3");
    public AccountKey Auditor => Key("AuditBureau", "auditor1");

    public Task<CommitStatusResponse> InvokeAsync(AccountKey signer, string function, object args) =>
        Node.Client.InvokeAsync(signer, Channel, Contract, function, JsonSerializer.Serialize(args, JsonSerializerOptions.Web));

    /// <summary>Invokes and asserts the transaction committed as VALID; returns its status.</summary>
    public async Task<CommitStatusResponse> OkAsync(AccountKey signer, string function, object args)
    {
        var status = await InvokeAsync(signer, function, args);
        Assert.True(status.Code == ValidationCode.Valid, $"{function} committed as {status.Code}: {status.Message}");
        return status;
    }

    /// <summary>Invokes and asserts the contract refused it with <paramref name="code"/>; returns the message.</summary>
    public async Task<string> RefusedAsync(AccountKey signer, string function, object args, string code)
    {
        var status = await InvokeAsync(signer, function, args);
        Assert.True(status.Code != ValidationCode.Valid, $"{function} was expected to be refused with {code}");
        Assert.StartsWith(code + ":", status.Message);
        return status.Message;
    }

    public async Task<JsonElement> QueryAsync(string function, object args) =>
        JsonDocument.Parse(await Node.Client.QueryAsync(Channel, Contract, function, JsonSerializer.Serialize(args, JsonSerializerOptions.Web))).RootElement.Clone();

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

    /// <summary>Contract events of one committed block.</summary>
    public async Task<List<(string Name, JsonElement Payload)>> EventsOfBlockAsync(ulong block)
    {
        using var stream = Node.Client.Events.Subscribe(new SubscribeRequest { Channel = Channel, StartBlock = block });
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
        return stream.ResponseStream.Current.Events.Select(e => (e.Event.Name, JsonDocument.Parse(e.Event.Payload.Memory).RootElement.Clone())).ToList();
    }
}
