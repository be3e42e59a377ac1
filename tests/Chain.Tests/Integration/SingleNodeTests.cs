using System.Text;
using System.Text.Json;
using Chain.Protocol;
using Chain.Sdk.Encoding;
using Chain.Sdk.Transactions;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>One real node process over real gRPC with RocksDB in a temp folder, shared by the tests of this class.</summary>
public sealed class NodeFixture : IAsyncLifetime
{
    public NodeProcess Node { get; private set; } = null!;
    public async Task InitializeAsync() => Node = await NodeProcess.StartAsync();
    public async Task DisposeAsync() => await Node.DisposeAsync();
}

public class SingleNodeTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private NodeProcess Node => fixture.Node;

    [Fact]
    public async Task Submit_CommitsAndIsQueryable()
    {
        var tx = Build.Put("greeting", "hello");
        var status = await Node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = tx });

        Assert.True(status.Committed);
        Assert.Equal(ValidationCode.Valid, status.Code);
        Assert.Equal(TransactionFactory.TxIdOf(tx), status.TxId);

        var value = await Node.Client.Gateway.EvaluateAsync(new EvaluateRequest { Channel = "sandbox", Contract = "kv", Function = "get", Args = ByteString.CopyFromUtf8("{\"key\":\"greeting\"}") });
        Assert.Equal("hello", JsonDocument.Parse(value.Result.Memory).RootElement.GetProperty("value").GetString());

        var stored = await Node.Client.Ledger.GetTransactionAsync(new TransactionRequest { Channel = "sandbox", TxId = status.TxId });
        Assert.Equal(status.BlockNumber, stored.BlockNumber);
        Assert.Equal("put", stored.Payload.Function);

        var block = await Node.Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "sandbox", Number = status.BlockNumber });
        var byHash = await Node.Client.Ledger.GetBlockByHashAsync(new BlockByHashRequest { Channel = "sandbox", Hash = ByteString.CopyFrom(ProtocolHashes.BlockHash(block.Header)) });
        Assert.Equal(block, byHash);

        var commit = await Node.Client.Gateway.CommitStatusAsync(new CommitStatusRequest { Channel = "sandbox", TxId = status.TxId });
        Assert.Equal((true, ValidationCode.Valid, status.BlockNumber), (commit.Committed, commit.Code, commit.BlockNumber));
    }

    [Fact]
    public async Task SubmitThenCommitStatusWait_ReportsTheBlock()
    {
        var tx = Build.Put("async", "1");
        var submitted = await Node.Client.Gateway.SubmitAsync(new SubmitRequest { Transaction = tx });
        var status = await Node.Client.Gateway.CommitStatusAsync(new CommitStatusRequest { Channel = "sandbox", TxId = submitted.TxId, Wait = true },
            deadline: DateTime.UtcNow.AddSeconds(60));
        Assert.True(status.Committed);
        Assert.Equal(ValidationCode.Valid, status.Code);
    }

    [Fact]
    public async Task KeyHistory_IsPagedOldestFirst()
    {
        var key = "hist-" + Guid.NewGuid().ToString("N")[..6];
        for (int i = 0; i < 5; i++)
            await Node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = Build.Put(key, $"v{i}") });

        var values = new List<string>();
        string token = "";
        int pages = 0;
        do
        {
            var page = await Node.Client.Ledger.GetKeyHistoryAsync(new KeyHistoryRequest { Channel = "sandbox", Contract = "kv", Key = "v/" + key, PageSize = 2, PageToken = token });
            values.AddRange(page.Entries.Select(e => e.Value.ToStringUtf8()));
            token = page.NextPageToken;
            pages++;
        } while (token != "");

        Assert.Equal(["v0", "v1", "v2", "v3", "v4"], values);
        Assert.Equal(3, pages);
        var bad = await Assert.ThrowsAsync<RpcException>(() => Node.Client.Ledger.GetKeyHistoryAsync(new KeyHistoryRequest { Channel = "sandbox", Contract = "kv", Key = "k", PageToken = "???" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, bad.StatusCode);
    }

    [Fact]
    public async Task Events_DeliverEveryBlockFromAChosenHeight_AlsoAfterReconnect()
    {
        var start = (await Node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "sandbox" })).Channels[0].Height;
        var ids = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            var tx = Build.Put($"ev{i}", "x");
            ids.Add(TransactionFactory.TxIdOf(tx));
            await Node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = tx });
        }

        // First connection: read two blocks, then drop the stream.
        var seen = new List<BlockEvent>();
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        using (var stream = Node.Client.Events.Subscribe(new SubscribeRequest { Channel = "sandbox", StartBlock = start }, cancellationToken: cts.Token))
        {
            while (seen.Count < 2 && await stream.ResponseStream.MoveNext(cts.Token)) seen.Add(stream.ResponseStream.Current);
        }

        // Resume from the last block seen + 1, then submit one more and get it live.
        var liveTx = Build.Put("ev-live", "x");
        ids.Add(TransactionFactory.TxIdOf(liveTx));
        using (var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        using (var stream = Node.Client.Events.Subscribe(new SubscribeRequest { Channel = "sandbox", StartBlock = seen[^1].Number + 1 }, cancellationToken: cts.Token))
        {
            var submitted = false;
            while (seen.SelectMany(b => b.TxStatuses).Count(s => ids.Contains(s.TxId)) < ids.Count && await stream.ResponseStream.MoveNext(cts.Token))
            {
                seen.Add(stream.ResponseStream.Current);
                if (!submitted && seen[^1].Number + 1 >= start + 4)
                {
                    submitted = true;
                    await Node.Client.Gateway.SubmitAsync(new SubmitRequest { Transaction = liveTx });
                }
            }
        }

        Assert.Equal(Enumerable.Range(0, seen.Count).Select(i => start + (ulong)i), seen.Select(b => b.Number));
        Assert.Equal(ids, seen.SelectMany(b => b.TxStatuses).Select(s => s.TxId).Where(ids.Contains));
        Assert.All(seen.SelectMany(b => b.Events), e => Assert.Equal("Put", e.Event.Name));
    }

    [Fact]
    public async Task BadInput_GetsSpecificStatusAndChangesNothing()
    {
        var before = await Node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "sandbox" });
        var valid = Build.Put("bad-input", "v");
        await Node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = valid });
        var afterValid = await Node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "sandbox" });

        var payload = Build.PayloadOf(Build.Put("bad-input-2", "v"));
        var cases = new (string Name, Transaction Tx, StatusCode Status, string Code)[]
        {
            ("unsigned", new Transaction { Payload = payload.ToByteString() }, StatusCode.Unauthenticated, "BAD_SIGNATURE: transaction is not signed"),
            ("bad signature", new Transaction { Payload = payload.ToByteString(), Signature = ByteString.CopyFrom(Build.Bob.Sign(ProtocolHashes.TxId(payload.ToByteArray()))) }, StatusCode.Unauthenticated, "BAD_SIGNATURE"),
            ("garbage payload", new Transaction { Payload = ByteString.CopyFrom(0xFF, 0xFF, 0xFF), Signature = ByteString.CopyFrom(new byte[65]) }, StatusCode.InvalidArgument, "BAD_PAYLOAD"),
            ("wrong channel", Build.Put("x", "v", channel: "nope"), StatusCode.NotFound, "WRONG_CHANNEL"),
            ("unknown contract", Build.Call("put", "{}", contract: "nope"), StatusCode.NotFound, "UNKNOWN_CONTRACT"),
            ("unknown signer", Build.Put("x", "v", Chain.Sdk.Crypto.AccountKey.Generate()), StatusCode.PermissionDenied, "NOT_AUTHORIZED"),
            ("user call to the genesis", Build.Call("genesis", "{}", contract: "_config"), StatusCode.NotFound, "UNKNOWN_FUNCTION"),
            ("unknown function", Build.Call("explode", "{}"), StatusCode.NotFound, "UNKNOWN_FUNCTION"),
            ("malformed args", Build.Call("put", "{\"key\":"), StatusCode.InvalidArgument, "BAD_ARGS"),
            ("missing arg", Build.Call("put", "{\"key\":\"k\"}"), StatusCode.InvalidArgument, "BAD_ARGS: missing required argument 'value'"),
            ("oversized", Build.Put("big", new string('x', 1_100_000)) /* the channel configuration allows 1 MiB */, StatusCode.InvalidArgument, "TOO_LARGE"),
            ("replayed", valid, StatusCode.AlreadyExists, "DUPLICATE_TXID"),
            ("expired", Build.Put("old", "v", timestampMs: DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeMilliseconds()), StatusCode.FailedPrecondition, "EXPIRED"),
            ("from the future", Build.Put("future", "v", timestampMs: DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()), StatusCode.FailedPrecondition, "EXPIRED"),
        };
        foreach (var (name, tx, status, code) in cases)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => Node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = tx }).ResponseAsync);
            Assert.True(status == error.StatusCode, $"{name}: expected {status}, got {error.StatusCode} ({error.Status.Detail})");
            Assert.True(error.Status.Detail.StartsWith(code, StringComparison.Ordinal), $"{name}: '{error.Status.Detail}' should start with '{code}'");
        }
        var missing = await Assert.ThrowsAsync<RpcException>(() => Node.Client.Gateway.SubmitAsync(new SubmitRequest()).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);

        var after = await Node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "sandbox" });
        Assert.Equal(afterValid.Channels[0].StateRoot, after.Channels[0].StateRoot);
        Assert.NotEqual(before.Channels[0].StateRoot, after.Channels[0].StateRoot);
        Assert.Equal(afterValid.Channels[0].LastBlockHash, after.Channels[0].LastBlockHash);
    }

    [Fact]
    public async Task Queries_RejectBadRequestsWithSpecificStatus()
    {
        async Task<RpcException> Fails(Func<Task> call) => await Assert.ThrowsAsync<RpcException>(call);
        var noBlock = await Fails(() => Node.Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "sandbox", Number = 1_000_000 }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, noBlock.StatusCode);
        var badTx = await Fails(() => Node.Client.Ledger.GetTransactionAsync(new TransactionRequest { Channel = "sandbox", TxId = "xyz" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, badTx.StatusCode);
        var queryWrite = await Fails(() => Node.Client.Gateway.EvaluateAsync(new EvaluateRequest { Channel = "sandbox", Contract = "kv", Function = "put", Args = ByteString.CopyFromUtf8("{}") }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, queryWrite.StatusCode);
        Assert.StartsWith("UNKNOWN_FUNCTION", queryWrite.Status.Detail);
        var missingKey = await Fails(() => Node.Client.Gateway.EvaluateAsync(new EvaluateRequest { Channel = "sandbox", Contract = "kv", Function = "get", Args = ByteString.CopyFromUtf8("{\"key\":\"never-written\"}") }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, missingKey.StatusCode);
        Assert.Contains("NOT_FOUND", missingKey.Status.Detail);
    }

    [Fact]
    public async Task SubmitBatch_ReportsEachTransaction()
    {
        var good = Build.Put("batch-a", "1");
        var request = new SubmitBatchRequest();
        request.Transactions.Add(good);
        request.Transactions.Add(Build.Put("batch-b", "1", channel: "nope"));
        request.Transactions.Add(good);
        var response = await Node.Client.Gateway.SubmitBatchAsync(request);
        Assert.Equal([true, false, false], response.Statuses.Select(s => s.Accepted));
        Assert.Equal((int)StatusCode.NotFound, response.Statuses[1].StatusCode);
        Assert.Equal((int)StatusCode.AlreadyExists, response.Statuses[2].StatusCode);
    }

    [Fact]
    public async Task Channels_AreIsolated()
    {
        async Task<ulong> Height(string channel) => (await Node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = channel })).Channels[0].Height;
        var otherBefore = await Height("demolition-fund");
        await Node.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = Build.Put("isolated", "sandbox-only") });
        // Each channel has its own ledger and contracts: the write exists on one and the other neither grew nor knows the contract.
        var here = await Node.Client.Ledger.GetKeyHistoryAsync(new KeyHistoryRequest { Channel = "sandbox", Contract = "kv", Key = "v/isolated" });
        Assert.Equal("sandbox-only", Assert.Single(here.Entries).Value.ToStringUtf8());
        Assert.Equal(otherBefore, await Height("demolition-fund"));
        var elsewhere = await Assert.ThrowsAsync<RpcException>(() => Node.Client.Ledger.GetKeyHistoryAsync(new KeyHistoryRequest { Channel = "demolition-fund", Contract = "kv", Key = "v/isolated" }).ResponseAsync);
        Assert.Contains("UNKNOWN_CONTRACT", elsewhere.Status.Detail);
        // A transaction signed for one channel cannot be replayed on the other: the channel is part of what is signed.
        var tx = Build.Put("isolated-2", "v");
        var payload = Build.PayloadOf(tx);
        payload.Channel = "demolition-fund";
        var moved = new Transaction { Payload = payload.ToByteString(), Signature = tx.Signature };
        var refused = await Assert.ThrowsAsync<RpcException>(() => Node.Client.Gateway.SubmitAsync(new SubmitRequest { Transaction = moved }).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
    }

    [Fact]
    public async Task Genesis_CarriesTheChannelConfiguration()
    {
        var genesis = await Node.Client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = "demolition-fund", Number = 0 });
        var payload = TxPayload.Parser.ParseFrom(Assert.Single(genesis.Transactions).Payload);
        var config = ChannelConfig.Parser.ParseFrom(payload.Args);
        Assert.Equal(("_config", "genesis", "demolition-fund"), (payload.Contract, payload.Function, config.Channel));
        Assert.Contains(config.Organizations, o => o.Name == "StreetOffice" && o.Roles.Contains("household"));
        Assert.Equal(ValidationCode.Valid, genesis.Results[0].Code);
    }

    [Fact]
    public void Node_WatchesNoFiles()
    {
        // Regression: the host's configuration reload watched the working directory, waking on every RocksDB file change.
        if (!OperatingSystem.IsLinux()) return;
        var descriptors = new DirectoryInfo($"/proc/{Node.ProcessId}/fd").EnumerateFileSystemInfos().Select(f => f.LinkTarget ?? "");
        Assert.DoesNotContain(descriptors, target => target.Contains("inotify"));
    }

    [Fact]
    public async Task HealthAndReflection_AreServed()
    {
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(Node.Endpoint);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("chain.v1.Gateway", services);
        Assert.Contains("chain.v1.Ledger", services);
        Assert.Contains("chain.v1.Events", services);
    }

    /// <summary>A transaction whose args make the serialized request about <paramref name="mib"/> MiB.</summary>
    private static Transaction Huge(int mib) => Build.Put("huge-" + mib, new string('x', mib * 1024 * 1024));

    [Fact]
    public async Task ARequestAboveTheLimit_IsRefusedUnreadWithResourceExhausted_OneBelowIsAnsweredPerTransaction()
    {
        // Below the 32 MiB request limit: read and judged; the transaction itself is above the channel's maxTxBytes.
        var below = await Node.Client.Gateway.SubmitBatchAsync(new SubmitBatchRequest { Transactions = { Huge(29) } });
        Assert.False(below.Statuses[0].Accepted);
        Assert.Equal("TOO_LARGE", below.Statuses[0].Code);

        var above = await Assert.ThrowsAsync<RpcException>(() => Node.Client.Gateway.SubmitBatchAsync(new SubmitBatchRequest { Transactions = { Huge(33) } }).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, above.StatusCode);
        Assert.Contains("exceeds the maximum", above.Status.Detail);
        // The node still answers.
        Assert.NotNull(await Node.Client.Ledger.GetChainInfoAsync(new ChainInfoRequest()));
    }
}
