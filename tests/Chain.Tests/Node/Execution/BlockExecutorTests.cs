using System.Text.Json;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.Node.Execution;

public class BlockExecutorTests
{
    private static ValidationCode Single(Block block) => Assert.Single(block.Results).Code;

    [Fact]
    public void ValidPut_IsCommittedWithItsEvent()
    {
        using var h = new LedgerHarness();
        var block = h.Commit(Build.Put("a", "1"));
        var result = Assert.Single(block.Results);
        Assert.Equal(ValidationCode.Valid, result.Code);
        var e = Assert.Single(result.Events);
        Assert.Equal(("kv", "Put"), (e.Contract, e.Name));
    }

    [Fact]
    public void BadSignature_IsRecordedAndChangesNothing()
    {
        using var h = new LedgerHarness();
        var root = h.Ledger.StateRoot;
        var tx = Build.Put("a", "1");
        var forged = new Transaction { Payload = tx.Payload, Signature = ByteString.CopyFrom(Build.Bob.Sign(Hashes.Sha256(tx.Payload.Span))) };
        var block = h.Commit(forged);
        Assert.Equal(ValidationCode.BadSignature, Single(block));
        Assert.Contains("creator", block.Results[0].Message);
        Assert.Equal(root, h.Ledger.StateRoot);
    }

    [Fact]
    public void Unsigned_IsBadSignature()
    {
        using var h = new LedgerHarness();
        var block = h.Commit(new Transaction { Payload = Build.Put("a", "1").Payload });
        Assert.Equal(ValidationCode.BadSignature, Single(block));
        Assert.Equal("transaction is not signed", block.Results[0].Message);
    }

    [Fact]
    public void DuplicateInBlockAndAcrossBlocks_IsDuplicateTxid()
    {
        using var h = new LedgerHarness();
        var tx = Build.Put("a", "1");
        var first = h.Commit(tx, tx);
        Assert.Equal([ValidationCode.Valid, ValidationCode.DuplicateTxid], first.Results.Select(r => r.Code));
        Assert.Equal(ValidationCode.DuplicateTxid, Single(h.Commit(tx)));
    }

    [Fact]
    public void TimestampOutsideTheWindow_IsExpired()
    {
        using var h = new LedgerHarness();
        var block = h.Commit(Build.Put("old", "1", timestampMs: h.Now - LedgerHarness.WindowMs - 1), Build.Put("new", "1", timestampMs: h.Now + LedgerHarness.WindowMs + 1),
            Build.Put("edge", "1", timestampMs: h.Now - LedgerHarness.WindowMs));
        Assert.Equal([ValidationCode.Expired, ValidationCode.Expired, ValidationCode.Valid], block.Results.Select(r => r.Code));
        Assert.Contains("window", block.Results[0].Message);
    }

    [Theory]
    [InlineData("other", "kv", "put", "{\"key\":\"a\",\"value\":\"b\"}", ValidationCode.WrongChannel)]
    [InlineData("sandbox", "nope", "put", "{}", ValidationCode.UnknownContract)]
    [InlineData("sandbox", "kv", "nope", "{}", ValidationCode.UnknownFunction)]
    [InlineData("sandbox", "kv", "get", "{\"key\":\"a\"}", ValidationCode.UnknownFunction)]
    [InlineData("sandbox", "kv", "put", "{\"key\":\"a\"}", ValidationCode.BadArgs)]
    [InlineData("sandbox", "kv", "put", "not json", ValidationCode.BadArgs)]
    [InlineData("sandbox", "kv", "put", "[1,2]", ValidationCode.BadArgs)]
    [InlineData("sandbox", "kv", "delete", "{\"key\":\"missing\"}", ValidationCode.ContractError)]
    public void InvalidTarget_GetsItsSpecificCode(string channel, string contract, string function, string args, ValidationCode expected)
    {
        using var h = new LedgerHarness();
        var root = h.Ledger.StateRoot;
        var block = h.Commit(Build.Call(function, args, channel: channel, contract: contract, timestampMs: h.Now));
        Assert.Equal(expected, Single(block));
        Assert.NotEmpty(block.Results[0].Message);
        Assert.Equal(root, h.Ledger.StateRoot);
    }

    [Fact]
    public void ContractError_DiscardsOnlyThatTransactionsWrites()
    {
        using var h = new LedgerHarness();
        h.Commit(Build.Put("owned", "alice", Build.Alice, timestampMs: h.Now));
        var block = h.Commit(
            Build.Put("free", "1", Build.Bob, timestampMs: h.Now),
            Build.Put("owned", "bob", Build.Bob, timestampMs: h.Now),
            Build.Put("free2", "2", Build.Bob, timestampMs: h.Now));
        Assert.Equal([ValidationCode.Valid, ValidationCode.ContractError, ValidationCode.Valid], block.Results.Select(r => r.Code));
        Assert.Contains("NOT_AUTHORIZED", block.Results[1].Message);
        Assert.Equal("alice", Value(h, "owned"));
        Assert.Equal("1", Value(h, "free"));
        Assert.Empty(block.Results[1].Events);
    }

    [Fact]
    public void LaterTransaction_SeesEarlierWritesOfTheSameBlock()
    {
        using var h = new LedgerHarness();
        var block = h.Commit(Build.Put("k", "1", timestampMs: h.Now), Build.Call("delete", "{\"key\":\"k\"}", timestampMs: h.Now), Build.Put("k", "3", timestampMs: h.Now));
        Assert.All(block.Results, r => Assert.Equal(ValidationCode.Valid, r.Code));
        Assert.Equal("3", Value(h, "k"));
        var history = h.Ledger.GetHistory(Chain.Node.Storage.KeyCodec.State("kv", "v/k"), 0, 0, 10).ToList();
        Assert.Equal([false, true, false], history.Select(r => r.Value is null));
    }

    [Fact]
    public void ListQuery_MergesNothingPendingAndReturnsInKeyOrder()
    {
        using var h = new LedgerHarness();
        h.Commit(Build.Put("b", "2", timestampMs: h.Now), Build.Put("a", "1", timestampMs: h.Now), Build.Put("c", "3", timestampMs: h.Now));
        h.Commit(Build.Call("delete", "{\"key\":\"b\"}", timestampMs: h.Now));
        var list = JsonDocument.Parse(h.Query("list", "{\"limit\":10}")!).RootElement.EnumerateArray().Select(e => e.GetProperty("key").GetString()!).ToArray();
        Assert.Equal(["a", "c"], list);
    }

    private static string? Value(LedgerHarness h, string key) =>
        h.Query("get", $"{{\"key\":\"{key}\"}}") is { } bytes ? JsonDocument.Parse(bytes).RootElement.GetProperty("value").GetString() : null;
}
