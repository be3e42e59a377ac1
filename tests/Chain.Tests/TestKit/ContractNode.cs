using System.Collections.Concurrent;
using System.Text.Json;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Xunit;

namespace Chain.Tests.TestKit;

/// <summary>
/// A real node running the sample network, with the sample accounts' keys, for end-to-end tests of one
/// contract over gRPC: signed calls that wait for their block, queries, and a block's events.
/// </summary>
public abstract class ContractNode(string channel, string contract) : IAsyncLifetime
{
    private readonly ConcurrentDictionary<string, AccountKey> _keys = new();

    public string Channel { get; } = channel;
    public string Contract { get; } = contract;
    public NodeProcess Node { get; private set; } = null!;

    /// <summary>The channel's genesis block file, the trust anchor a verifier is given.</summary>
    public string GenesisFile => Node.Config.Resolve(Node.Config.Channels.Single(c => c.Name == Channel).GenesisFile!);

    public byte[] GenesisHash => Chain.Sdk.Encoding.ProtocolHashes.BlockHash(Chain.Protocol.Block.Parser.ParseFrom(File.ReadAllBytes(GenesisFile)).Header);

    public async Task InitializeAsync()
    {
        Node = await NodeProcess.StartAsync();
        await SetUpAsync();
    }

    protected virtual Task SetUpAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await Node.DisposeAsync();

    public AccountKey Key(string org, string name) => _keys.GetOrAdd(org + "/" + name, _ =>
        Keystore.Read(Node.Account(org, name), File.ReadAllText(Path.ChangeExtension(Node.Account(org, name), ".password")).Trim()));

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

    /// <summary>Contract events of one committed block.</summary>
    public async Task<List<(string Name, JsonElement Payload)>> EventsOfBlockAsync(ulong block)
    {
        using var stream = Node.Client.Events.Subscribe(new SubscribeRequest { Channel = Channel, StartBlock = block });
        Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
        return stream.ResponseStream.Current.Events.Select(e => (e.Event.Name, JsonDocument.Parse(e.Event.Payload.Memory).RootElement.Clone())).ToList();
    }
}
