using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// The HTTP/JSON API of a real node over plain <see cref="HttpClient"/>: every read answers what gRPC answers (the
/// same message, or the same status and message), submits work, and the OpenAPI document lists every client method.
/// </summary>
public sealed class HttpApiTests(CharityNode net) : IClassFixture<CharityNode>, IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = new Uri(net.Node.HttpEndpoint) };

    public void Dispose() => _http.Dispose();

    /// <summary>One read: its gRPC method, the request, the gRPC call, and the HTTP request that means the same.</summary>
    private sealed record Read(string Method, IMessage Request, Func<ChainClient, Task<IMessage>> Grpc, HttpMethod Verb, string Path, bool Signed = true)
    {
        public override string ToString() => $"{Method} {Path}";
    }

    private static Read Get(string method, IMessage request, Func<ChainClient, Task<IMessage>> grpc, string path, bool signed = true) => new(method, request, grpc, HttpMethod.Get, path, signed);

    private async Task<List<Read>> ReadsAsync()
    {
        await net.OpenCampaignAsync("HTTP-C");
        var donated = await net.DonateAsync("HTTP-D1", "HTTP-C", 12_345);
        var put = Build.Put("http/greeting", "hello");
        await net.Node.Client.SubmitAndWaitAsync(put);
        var block = await net.Node.Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "charity", Number = donated.BlockNumber });
        var hash = Chain.Sdk.Encoding.ProtocolHashes.BlockHash(block.Header);
        string txId = donated.TxId, teller = net.Teller.AddressText;
        var trace = new EvaluateRequest { Channel = "charity", Contract = "charity", Function = "TraceDonation", Args = ByteString.CopyFromUtf8("""{"donationId":"HTTP-D1"}""") };

        return
        [
            Get("/chain.v1.Ledger/GetChainInfo", new ChainInfoRequest { Channel = "charity" }, async c => await c.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "charity" }), "/v1/info?channel=charity", signed: false),
            Get("/chain.v1.Ledger/GetBlockByNumber", new BlockByNumberRequest { Channel = "charity", Number = donated.BlockNumber },
                async c => await c.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "charity", Number = donated.BlockNumber }), $"/v1/channels/charity/blocks/{donated.BlockNumber}"),
            Get("/chain.v1.Ledger/GetBlockByHash", new BlockByHashRequest { Channel = "charity", Hash = ByteString.CopyFrom(hash) },
                async c => await c.Ledger.GetBlockByHashAsync(new BlockByHashRequest { Channel = "charity", Hash = ByteString.CopyFrom(hash) }), $"/v1/channels/charity/blockByHash?hash={Uri.EscapeDataString(Convert.ToBase64String(hash))}"),
            Get("/chain.v1.Ledger/GetTransaction", new TransactionRequest { Channel = "charity", TxId = txId },
                async c => await c.Ledger.GetTransactionAsync(new TransactionRequest { Channel = "charity", TxId = txId }), $"/v1/channels/charity/transactions/{txId}"),
            Get("/chain.v1.Gateway/CommitStatus", new CommitStatusRequest { Channel = "charity", TxId = txId },
                async c => await c.Gateway.CommitStatusAsync(new CommitStatusRequest { Channel = "charity", TxId = txId }), $"/v1/channels/charity/transactions/{txId}/status"),
            Get("/chain.v1.Ledger/GetReceipt", new ReceiptRequest { Channel = "charity", TxId = txId },
                async c => await c.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = "charity", TxId = txId }), $"/v1/channels/charity/receipts/{txId}"),
            // A key with a slash: the route's {key=**} takes the rest of the path.
            Get("/chain.v1.Ledger/GetKeyHistory", new KeyHistoryRequest { Channel = "sandbox", Contract = "kv", Key = "v/http/greeting", PageSize = 10 },
                async c => await c.Ledger.GetKeyHistoryAsync(new KeyHistoryRequest { Channel = "sandbox", Contract = "kv", Key = "v/http/greeting", PageSize = 10 }), "/v1/channels/sandbox/contracts/kv/history/v/http/greeting?pageSize=10"),
            Get("/chain.v1.Ledger/GetStateProof", new StateProofRequest { Channel = "sandbox", Contract = "kv", Key = "v/http/greeting" },
                async c => await c.Ledger.GetStateProofAsync(new StateProofRequest { Channel = "sandbox", Contract = "kv", Key = "v/http/greeting" }), "/v1/channels/sandbox/contracts/kv/proof/v/http/greeting"),
            Get("/chain.v1.Ledger/GetSubjectHistory", new SubjectHistoryRequest { Channel = "charity", Contract = "charity", Kind = "donation", Id = "HTTP-D1", WithReceipts = true },
                async c => await c.Ledger.GetSubjectHistoryAsync(new SubjectHistoryRequest { Channel = "charity", Contract = "charity", Kind = "donation", Id = "HTTP-D1", WithReceipts = true }),
                "/v1/channels/charity/contracts/charity/subjects/donation/HTTP-D1/events?with_receipts=true"),
            Get("/chain.v1.Ledger/GetAccountActivity", new AccountActivityRequest { Channel = "charity", Account = teller, PageSize = 5 },
                async c => await c.Ledger.GetAccountActivityAsync(new AccountActivityRequest { Channel = "charity", Account = teller, PageSize = 5 }), $"/v1/channels/charity/accounts/{teller}/activity?pageSize=5"),
            new("/chain.v1.Gateway/Evaluate", trace, async c => await c.Gateway.EvaluateAsync(trace), HttpMethod.Post, "/v1/channels/charity/contracts/charity/functions/TraceDonation:evaluate"),
        ];
    }

    /// <summary>The same reads, each made wrong in a way the node must refuse with a specific code.</summary>
    private static IEnumerable<Read> Refused(IEnumerable<Read> reads) => reads.SelectMany(read => new[]
    {
        // An unknown channel.
        read.Method.EndsWith("GetChainInfo") ? read with { Request = new ChainInfoRequest { Channel = "nope" }, Path = "/v1/info?channel=nope",
            Grpc = async c => await c.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "nope" }) } : Retarget(read, "nope"),
        // Unsigned, where the read needs a signature (GetChainInfo and the public query need none).
        read with { Signed = false },
    }).Where(r => r.Signed || r.Method is not ("/chain.v1.Ledger/GetChainInfo" or "/chain.v1.Gateway/Evaluate"));

    private static Read Retarget(Read read, string channel)
    {
        var request = read.Request.Descriptor.Parser.ParseFrom(read.Request.ToByteString());
        request.Descriptor.FindFieldByName("channel").Accessor.SetValue(request, channel);
        var path = read.Path.Replace("/channels/charity/", $"/channels/{channel}/").Replace("/channels/sandbox/", $"/channels/{channel}/");
        return read with { Request = request, Path = path, Grpc = c => CallAsync(c, read.Method, request) };
    }

    /// <summary>Calls a unary method by name, as the generated client would.</summary>
    private static async Task<IMessage> CallAsync(ChainClient client, string method, IMessage request) => method switch
    {
        "/chain.v1.Ledger/GetBlockByNumber" => await client.Ledger.GetBlockByNumberAsync((BlockByNumberRequest)request),
        "/chain.v1.Ledger/GetBlockByHash" => await client.Ledger.GetBlockByHashAsync((BlockByHashRequest)request),
        "/chain.v1.Ledger/GetTransaction" => await client.Ledger.GetTransactionAsync((TransactionRequest)request),
        "/chain.v1.Gateway/CommitStatus" => await client.Gateway.CommitStatusAsync((CommitStatusRequest)request),
        "/chain.v1.Ledger/GetReceipt" => await client.Ledger.GetReceiptAsync((ReceiptRequest)request),
        "/chain.v1.Ledger/GetKeyHistory" => await client.Ledger.GetKeyHistoryAsync((KeyHistoryRequest)request),
        "/chain.v1.Ledger/GetStateProof" => await client.Ledger.GetStateProofAsync((StateProofRequest)request),
        "/chain.v1.Ledger/GetSubjectHistory" => await client.Ledger.GetSubjectHistoryAsync((SubjectHistoryRequest)request),
        "/chain.v1.Ledger/GetAccountActivity" => await client.Ledger.GetAccountActivityAsync((AccountActivityRequest)request),
        "/chain.v1.Gateway/Evaluate" => await client.Gateway.EvaluateAsync((EvaluateRequest)request),
        _ => throw new ArgumentException(method),
    };

    private async Task<HttpResponseMessage> SendAsync(Read read, AccountKey? reader)
    {
        var message = new HttpRequestMessage(read.Verb, read.Path);
        if (read.Verb == HttpMethod.Post) message.Content = new StringContent(JsonFormatter.Default.Format(read.Request), System.Text.Encoding.UTF8, "application/json");
        if (reader is not null)
            foreach (var header in ReadSigning.Sign(reader, read.Method, ReadSigning.ChannelOf(read.Request) ?? "", read.Request, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
                message.Headers.Add(header.Key, header.Value);
        return await _http.SendAsync(message);
    }

    [Fact]
    public async Task EveryReadMethod_AnswersOverHttp_AsItDoesOverGrpc_IncludingItsErrors()
    {
        var reads = await ReadsAsync();
        Assert.Equal(ClientMethods().Count(m => !m.IsServerStreaming && m.Name is not ("Submit" or "SubmitBatch" or "SubmitAndWait")), reads.Count);
        foreach (var read in reads)
        {
            var expected = await read.Grpc(net.Node.Client);
            using var response = await SendAsync(read, Build.Alice);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{read}: {(int)response.StatusCode} {body}");
            var parsed = JsonParser.Default.Parse(body, expected.Descriptor);
            Assert.True(Stable(expected).Equals(Stable(parsed)), $"{read}: the HTTP answer differs from gRPC's\n{body}");
        }

        foreach (var read in Refused(reads))
        {
            var client = read.Signed ? net.Node.Client : net.Node.Anonymous;
            var grpcError = await Assert.ThrowsAsync<RpcException>(() => read.Grpc(client));
            using var response = await SendAsync(read, read.Signed ? Build.Alice : null);
            var body = await response.Content.ReadAsStringAsync();
            var error = JsonDocument.Parse(body).RootElement;
            Assert.True((int)grpcError.StatusCode == error.GetProperty("code").GetInt32(), $"{read} (signed {read.Signed}): gRPC {grpcError.StatusCode}, HTTP {body}");
            Assert.Equal(grpcError.Status.Detail, error.GetProperty("message").GetString());
            Assert.Equal(HttpStatusOf(grpcError.StatusCode), response.StatusCode);
        }
    }

    /// <summary>The answer without what moves between two calls by itself: a store's size on disk (its log is flushed in the background).</summary>
    private static IMessage Stable(IMessage answer)
    {
        if (answer is not ChainInfoResponse info) return answer;
        var copy = info.Clone();
        foreach (var channel in copy.Channels) channel.StoreBytes = 0;
        return copy;
    }

    /// <summary>The HTTP status each gRPC status maps to (google.rpc.Code's documented mapping).</summary>
    private static HttpStatusCode HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange or StatusCode.FailedPrecondition => HttpStatusCode.BadRequest,
        StatusCode.Unauthenticated => HttpStatusCode.Unauthorized,
        StatusCode.PermissionDenied => HttpStatusCode.Forbidden,
        StatusCode.NotFound => HttpStatusCode.NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => HttpStatusCode.Conflict,
        StatusCode.ResourceExhausted => HttpStatusCode.TooManyRequests,
        StatusCode.Unavailable => HttpStatusCode.ServiceUnavailable,
        _ => HttpStatusCode.InternalServerError,
    };

    [Fact]
    public async Task ATransactionSubmittedAsJson_CommitsAndIsRefusedTheSecondTime()
    {
        var request = new SubmitRequest { Transaction = Build.Put("http/submitted", "over json") };
        using var first = await _http.PostAsync("/v1/transactions:submitAndWait", new StringContent(JsonFormatter.Default.Format(request), System.Text.Encoding.UTF8, "application/json"));
        var status = JsonParser.Default.Parse<CommitStatusResponse>(await first.Content.ReadAsStringAsync());
        Assert.True(status.Committed);
        Assert.Equal(ValidationCode.Valid, status.Code);

        using var again = await _http.PostAsync("/v1/transactions:submit", new StringContent(JsonFormatter.Default.Format(request), System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.StartsWith("DUPLICATE_TXID:", JsonDocument.Parse(await again.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());

        using var garbage = await _http.PostAsync("/v1/transactions:submit", new StringContent("{\"transaction\": 7}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
    }

    [Fact]
    public async Task TheEventStream_OverHttp_StartsWithTheBlocksGrpcSends()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var request = new SubscribeRequest { Channel = "sandbox", StartBlock = 0 };
        using var call = net.Node.Client.Events.Subscribe(request, cancellationToken: cancel.Token);
        Assert.True(await call.ResponseStream.MoveNext(cancel.Token));
        var first = call.ResponseStream.Current;

        var message = new HttpRequestMessage(HttpMethod.Get, "/v1/channels/sandbox/events?startBlock=0");
        foreach (var header in ReadSigning.Sign(Build.Alice, "/chain.v1.Events/Subscribe", "sandbox", request, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
            message.Headers.Add(header.Key, header.Value);
        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        var line = await reader.ReadLineAsync(cancel.Token);
        Assert.Equal(first, JsonParser.Default.Parse<BlockEvent>(line!));
    }

    private static IEnumerable<MethodDescriptor> ClientMethods() =>
        new[] { Protocol.Gateway.Descriptor, Protocol.Ledger.Descriptor, Protocol.Events.Descriptor }.SelectMany(s => s.Methods);

    [Fact]
    public async Task TheOpenApiDocument_ListsEveryClientMethod_WithItsRoute()
    {
        var document = await _http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths");
        foreach (var method in ClientMethods())
        {
            var rule = method.GetOptions()?.GetExtension(AnnotationsExtensions.Http);
            Assert.True(rule is not null, $"{method.FullName} has no HTTP route");
            var (verb, template) = rule!.PatternCase switch
            {
                HttpRule.PatternOneofCase.Get => ("get", rule.Get),
                HttpRule.PatternOneofCase.Post => ("post", rule.Post),
                _ => throw new InvalidOperationException($"{method.FullName}: unexpected verb {rule.PatternCase}"),
            };
            // OpenAPI names path parameters by their JSON name and drops the {key=**} pattern.
            var path = System.Text.RegularExpressions.Regex.Replace(template, @"\{([a-z_]+)(=[^}]*)?\}", m => "{" + ToJsonName(m.Groups[1].Value) + "}");
            Assert.True(paths.TryGetProperty(path, out var operations) && operations.TryGetProperty(verb, out _), $"{method.FullName}: {verb.ToUpperInvariant()} {path} is not in the OpenAPI document");
        }
    }

    private static string ToJsonName(string field) => System.Text.RegularExpressions.Regex.Replace(field, "_([a-z])", m => m.Groups[1].Value.ToUpperInvariant());
}
