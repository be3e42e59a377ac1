using System.Text.Json;
using Chain.Cli.Commands;
using Chain.Contracts.Abstractions;
using Chain.Contracts.Charity;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// Who may read what, over real gRPC against a node of the sample network: every read method against every class of
/// caller, signed reads that are replayed, stale, tampered with or moved to another channel, and the donor's own view.
/// </summary>
public sealed class ReadAccessFixture : IAsyncLifetime
{
    public NodeProcess Node { get; private set; } = null!;
    public string DonorRef { get; } = ContractSession.Sha("read-access donor");
    public string TxId { get; private set; } = "";
    /// <summary>A transaction CharityFoundation/officer1 signed.</summary>
    public string OfficerTxId { get; private set; } = "";

    public AccountKey Sample(string account) => Signer.LoadSample(Node.CryptoDir, account);

    public async Task InitializeAsync()
    {
        Node = await NodeProcess.StartAsync();
        var session = new CharitySession(Node.Client, "charity", "read-access setup", CancellationToken.None);
        await session.RegisterSampleOrganisationsAsync(Sample("CivilAffairs/inspector1"));
        var teller = Sample("Bank/teller1");
        // Two gifts of one donor reference: one given at the counter, then one from the donor's own chain account.
        foreach (var (id, account) in new[] { ("ra-d1", (string?)null), ("ra-d2", Sample("Bank/donor1").AddressText) })
        {
            var status = await Node.Client.InvokeAsync(teller, "charity", "charity", "ConfirmDonation", DomainCli.Serialize(new CharityContract.ConfirmDonationArgs(
                id, PledgeId: null, DonorRef, DisplayName: null, Anonymous: true, account, "CharityFoundation", CampaignId: null, 10_000, BankTxRef: id,
                ValueDate: DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));
            Assert.Equal(ValidationCode.Valid, status.Code);
            TxId = status.TxId;
        }
        var officer = await Node.Client.InvokeAsync(Sample("CharityFoundation/officer1"), "charity", "charity", "DeclareRelatedParties",
            DomainCli.Serialize(new CharityContract.RelatedPartiesArgs("CharityFoundation", [ContractSession.Sha("related party")])));
        Assert.Equal(ValidationCode.Valid, officer.Code);
        OfficerTxId = officer.TxId;
    }

    public async Task DisposeAsync() => await Node.DisposeAsync();
}

public class ReadAccessTests(ReadAccessFixture fixture) : IClassFixture<ReadAccessFixture>
{
    private NodeProcess Node => fixture.Node;

    public enum Outcome { Allowed, Unsigned, Denied }

    private const Outcome A = Outcome.Allowed, U = Outcome.Unsigned, D = Outcome.Denied;

    /// <summary>The caller classes: none, not enrolled, a member without the role, a member with it, the donor, the regulator.</summary>
    public static readonly string[] Callers = ["none", "stranger", "CharityFoundation/officer1", "AuditBureau/auditor1", "Bank/donor1", "CivilAffairs/inspector1"];

    /// <summary>One row per read: what each caller class in <see cref="Callers"/> gets.</summary>
    public static TheoryData<string, Outcome[]> Table => new()
    {
        { "Evaluate charity.FieldUnits (public)", [A, D, A, A, A, A] },
        { "Evaluate charity.GetCampaign (public)", [A, D, A, A, A, A] },
        { "Evaluate charity.OverdueDisclosures (readers)", [U, D, A, A, A, A] },
        { "Evaluate charity.GetDonation (readers)", [U, D, A, A, A, A] },
        { "Evaluate charity.DonorStatement (bank, oversight, donor)", [U, D, D, A, A, A] },
        { "CommitStatus of another's transaction (readers, own or rawReaders)", [U, D, D, A, D, A] },
        { "CommitStatus of the officer's own transaction", [U, D, A, A, D, A] },
        { "GetBlockByNumber (rawReaders)", [U, D, D, A, D, A] },
        { "GetBlockByHash (rawReaders)", [U, D, D, A, D, A] },
        { "GetTransaction (rawReaders)", [U, D, D, A, D, A] },
        { "GetKeyHistory (rawReaders)", [U, D, D, A, D, A] },
        { "GetStateProof (rawReaders)", [U, D, D, A, D, A] },
        { "GetSubjectHistory (rawReaders)", [U, D, D, A, D, A] },
        { "GetAccountActivity (rawReaders)", [U, D, D, A, D, A] },
        { "GetReceipt of another's transaction (readers, own or rawReaders)", [U, D, D, A, D, A] },
        { "GetReceipt of the officer's own transaction", [U, D, A, A, D, A] },
        { "Subscribe with full blocks (rawReaders)", [U, D, D, A, D, A] },
        { "Subscribe (readers)", [U, D, A, A, A, A] },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task EachReadAnswersOnlyTheCallersItsRuleAllows(string read, Outcome[] expected)
    {
        var actual = new List<Outcome>();
        foreach (var caller in Callers)
        {
            var reader = caller switch { "none" => null, "stranger" => AccountKey.Generate(), _ => fixture.Sample(caller) };
            using var client = new ChainClient(Node.Endpoint, reader: reader);
            actual.Add(await TryAsync(() => ReadAsync(client, read)));
        }
        Assert.Equal(string.Join(", ", expected), string.Join(", ", actual));
    }

    private async Task ReadAsync(ChainClient client, string read)
    {
        var genesis = await Node.Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "charity", Number = 0 });
        switch (read.Split(" (")[0])
        {
            case "Evaluate charity.FieldUnits": await client.QueryAsync("charity", "charity", "FieldUnits", "{}"); break;
            case "Evaluate charity.GetCampaign": await Ignoring(ContractErrors.NotFound, () => client.QueryAsync("charity", "charity", "GetCampaign", "{\"campaignId\":\"none\"}")); break;
            case "Evaluate charity.OverdueDisclosures": await client.QueryAsync("charity", "charity", "OverdueDisclosures", "{}"); break;
            case "Evaluate charity.GetDonation": await client.QueryAsync("charity", "charity", "GetDonation", "{\"donationId\":\"ra-d1\"}"); break;
            case "Evaluate charity.DonorStatement": await client.QueryAsync("charity", "charity", "DonorStatement", $"{{\"donorRef\":\"{fixture.DonorRef}\"}}"); break;
            case "CommitStatus of another's transaction": await client.Gateway.CommitStatusAsync(new CommitStatusRequest { Channel = "charity", TxId = fixture.TxId }); break;
            case "CommitStatus of the officer's own transaction": await client.Gateway.CommitStatusAsync(new CommitStatusRequest { Channel = "charity", TxId = fixture.OfficerTxId }); break;
            case "GetBlockByNumber": await client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "charity", Number = 0 }); break;
            case "GetBlockByHash": await client.Ledger.GetBlockByHashAsync(new BlockByHashRequest { Channel = "charity", Hash = ByteString.CopyFrom(ProtocolHashes.BlockHash(genesis.Header)) }); break;
            case "GetTransaction": await client.Ledger.GetTransactionAsync(new TransactionRequest { Channel = "charity", TxId = fixture.TxId }); break;
            case "GetKeyHistory": await client.Ledger.GetKeyHistoryAsync(new KeyHistoryRequest { Channel = "charity", Contract = "charity", Key = "donation/ra-d1" }); break;
            case "GetSubjectHistory": await client.Ledger.GetSubjectHistoryAsync(new SubjectHistoryRequest { Channel = "charity", Contract = "charity", Kind = "donation", Id = "ra-d1" }); break;
            case "GetAccountActivity": await client.Ledger.GetAccountActivityAsync(new AccountActivityRequest { Channel = "charity", Account = fixture.Sample("CharityFoundation/officer1").AddressText }); break;
            case "GetStateProof": await client.Ledger.GetStateProofAsync(new StateProofRequest { Channel = "charity", Contract = "charity", Key = "donation/ra-d1" }); break;
            case "GetReceipt of another's transaction": await client.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = "charity", TxId = fixture.TxId }); break;
            case "GetReceipt of the officer's own transaction": await client.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = "charity", TxId = fixture.OfficerTxId }); break;
            case "Subscribe with full blocks": await FirstEventAsync(client, full: true); break;
            case "Subscribe": await FirstEventAsync(client, full: false); break;
            default: throw new ArgumentException(read);
        }
    }

    private static async Task FirstEventAsync(ChainClient client, bool full)
    {
        using var call = client.Events.Subscribe(new SubscribeRequest { Channel = "charity", StartBlock = 0, IncludeFullBlock = full }, deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.True(await call.ResponseStream.MoveNext());
    }

    private static async Task Ignoring(string contractCode, Func<Task> read)
    {
        try { await read(); }
        catch (RpcException e) when (ErrorCodes.ContractCodeOf(e) == contractCode) { }
    }

    private static async Task<Outcome> TryAsync(Func<Task> read)
    {
        try
        {
            await read();
            return Outcome.Allowed;
        }
        catch (RpcException e) when (e.Is(ErrorCodes.UnsignedRead)) { return Outcome.Unsigned; }
        catch (RpcException e) when (e.Is(ErrorCodes.ReadDenied)) { return Outcome.Denied; }
    }

    [Fact]
    public async Task ARefusalNamesThePolicyAndTheCaller()
    {
        using var officer = new ChainClient(Node.Endpoint, reader: fixture.Sample("CharityFoundation/officer1"));
        var e = await Assert.ThrowsAsync<RpcException>(() => officer.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "charity", Number = 0 }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
        Assert.Contains("GetBlockByNumber (raw ledger data) on channel 'charity' requires the channel policy 'rawReaders' (OR(ANY bank, ANY regulator, ANY auditor))", e.Status.Detail);
        Assert.Contains("is CharityFoundation with roles charity-officer, member", e.Status.Detail);

        var unsigned = await Assert.ThrowsAsync<RpcException>(() => Node.Anonymous.QueryAsync("charity", "charity", "GetDonation", "{\"donationId\":\"ra-d1\"}"));
        Assert.Equal(StatusCode.Unauthenticated, unsigned.StatusCode);
        Assert.StartsWith("UNSIGNED_READ: charity.GetDonation needs a signed read (the channel policy 'readers')", unsigned.Status.Detail);
    }

    [Fact]
    public async Task ADonorReadsOnlyTheGiftsItsOwnAccountGave_TheRegulatorReadsAll()
    {
        var args = $"{{\"donorRef\":\"{fixture.DonorRef}\"}}";
        using var donor = new ChainClient(Node.Endpoint, reader: fixture.Sample("Bank/donor1"));
        using var regulator = new ChainClient(Node.Endpoint, reader: fixture.Sample("CivilAffairs/inspector1"));
        static string[] Ids(byte[] json) => JsonDocument.Parse(json).RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("donationId").GetString()!).ToArray();
        Assert.Equal(["ra-d2"], Ids(await donor.QueryAsync("charity", "charity", "DonorStatement", args)));
        Assert.Equal(["ra-d1", "ra-d2"], Ids(await regulator.QueryAsync("charity", "charity", "DonorStatement", args)));

        // Page by page, the donor's cursor names only its own gifts: the counter gift ra-d1 comes first in the index,
        // yet the donor's one-item page is its own gift and ends the list.
        var paged = $"{{\"donorRef\":\"{fixture.DonorRef}\",\"limit\":1}}";
        var page = JsonDocument.Parse(await donor.QueryAsync("charity", "charity", "DonorStatement", paged)).RootElement;
        Assert.Equal(["ra-d2"], page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("donationId").GetString()));
        Assert.False(page.TryGetProperty("next", out var next) && next.ValueKind != JsonValueKind.Null, page.ToString());
        var all = JsonDocument.Parse(await regulator.QueryAsync("charity", "charity", "DonorStatement", paged)).RootElement;
        Assert.Equal(["ra-d1"], all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("donationId").GetString()));
        Assert.Equal(JsonValueKind.String, all.GetProperty("next").ValueKind);
    }

    [Fact]
    public async Task AReaderWithoutRawAccessFollowsOnlyItsOwnTransactions()
    {
        using var officer = new ChainClient(Node.Endpoint, reader: fixture.Sample("CharityFoundation/officer1"));
        using var call = officer.Events.Subscribe(new SubscribeRequest { Channel = "charity", StartBlock = 0 }, deadline: DateTime.UtcNow.AddSeconds(30));
        var height = (await Node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "charity" })).Channels[0].Height;
        bool ownSeen = false;
        for (ulong seen = 0; seen < height; seen++)
        {
            Assert.True(await call.ResponseStream.MoveNext());
            // Every other transaction so far was the bank's or the regulator's: only the officer's own shows.
            Assert.All(call.ResponseStream.Current.TxStatuses, t => Assert.Equal(fixture.OfficerTxId, t.TxId));
            Assert.All(call.ResponseStream.Current.Events, e => Assert.Equal(fixture.OfficerTxId, e.TxId));
            ownSeen |= call.ResponseStream.Current.TxStatuses.Count > 0;
            Assert.Null(call.ResponseStream.Current.Block);
        }
        Assert.True(ownSeen, "the officer's own transaction was not in its stream");
    }

    [Fact]
    public async Task ARevokedReader_LosesItsOpenStream_AtTheNextBlock()
    {
        var bankAdmin = fixture.Sample("Bank/admin");
        var reader = AccountKey.Generate();
        var enrolled = await Node.Client.InvokeAsync(bankAdmin, "charity", "_members", "enroll", $"{{\"address\":\"{reader.AddressText}\",\"roles\":[\"donor\"]}}");
        Assert.Equal(ValidationCode.Valid, enrolled.Code);
        using var client = new ChainClient(Node.Endpoint, reader: reader);
        var height = (await Node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "charity" })).Channels[0].Height;
        using var call = client.Events.Subscribe(new SubscribeRequest { Channel = "charity", StartBlock = height }, deadline: DateTime.UtcNow.AddSeconds(60));
        await Task.Delay(300); // the stream is open and waits for the next block

        var revoked = await Node.Client.InvokeAsync(bankAdmin, "charity", "_members", "revoke", $"{{\"address\":\"{reader.AddressText}\"}}");
        Assert.Equal(ValidationCode.Valid, revoked.Code);
        var ended = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext());
        Assert.True(ended.Is(ErrorCodes.ReadDenied), ended.Status.Detail);
        Assert.Contains("was revoked by Bank", ended.Status.Detail);
    }

    private Metadata SignedHeaders(AccountKey reader, string method, string channel, IMessage request, long timeMs) =>
        ReadSigning.Sign(reader, method, channel, request, timeMs);

    [Fact]
    public async Task AStaleTamperedOrMovedSignatureIsRefused()
    {
        var auditor = fixture.Sample("AuditBureau/auditor1");
        var request = new BlockByNumberRequest { Channel = "charity", Number = 0 };
        const string Method = "/chain.v1.Ledger/GetBlockByNumber";
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        // The same signature twice inside the window: a read is idempotent, so a repeat answers.
        var fresh = SignedHeaders(auditor, Method, "charity", request, now);
        await Node.Anonymous.Ledger.GetBlockByNumberAsync(request, fresh);
        await Node.Anonymous.Ledger.GetBlockByNumberAsync(request, fresh);

        // Replayed after the channel's window (300 s in the sample network), or signed ahead of it.
        foreach (var time in new[] { now - 301_000, now + 301_000 })
        {
            var stale = await Assert.ThrowsAsync<RpcException>(() => Node.Anonymous.Ledger.GetBlockByNumberAsync(request, SignedHeaders(auditor, Method, "charity", request, time)).ResponseAsync);
            Assert.True(stale.Is(ErrorCodes.ReadExpired), stale.Status.Detail);
            Assert.Contains("accepts 300000 ms either way", stale.Status.Detail);
        }

        // Signed for one request, sent with another.
        var tampered = await Assert.ThrowsAsync<RpcException>(() => Node.Anonymous.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "charity", Number = 1 }, fresh).ResponseAsync);
        Assert.True(tampered.Is(ErrorCodes.BadReadSignature), tampered.Status.Detail);

        // Signed for the charity channel, sent to the demolition-fund channel (where the auditor may read too).
        var moved = new BlockByNumberRequest { Channel = "demolition-fund", Number = 0 };
        var elsewhere = await Assert.ThrowsAsync<RpcException>(() => Node.Anonymous.Ledger.GetBlockByNumberAsync(moved, SignedHeaders(auditor, Method, "charity", moved, now)).ResponseAsync);
        Assert.True(elsewhere.Is(ErrorCodes.BadReadSignature), elsewhere.Status.Detail);

        // Signed by one account, claiming to be another.
        var claimed = SignedHeaders(auditor, Method, "charity", request, now);
        var forged = new Metadata { { ReadSigning.ReaderHeader, fixture.Sample("CivilAffairs/inspector1").AddressText }, { ReadSigning.TimeHeader, claimed.GetValue(ReadSigning.TimeHeader)! },
            { ReadSigning.SignatureHeader, claimed.GetValue(ReadSigning.SignatureHeader)! } };
        var impostor = await Assert.ThrowsAsync<RpcException>(() => Node.Anonymous.Ledger.GetBlockByNumberAsync(request, forged).ResponseAsync);
        Assert.True(impostor.Is(ErrorCodes.BadReadSignature), impostor.Status.Detail);

        // Half a signature.
        var partial = new Metadata { { ReadSigning.ReaderHeader, auditor.AddressText } };
        var incomplete = await Assert.ThrowsAsync<RpcException>(() => Node.Anonymous.Ledger.GetBlockByNumberAsync(request, partial).ResponseAsync);
        Assert.True(incomplete.Is(ErrorCodes.BadReadSignature), incomplete.Status.Detail);
    }
}
