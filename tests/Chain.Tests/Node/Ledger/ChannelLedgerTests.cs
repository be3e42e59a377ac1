using Chain.Node.Ledger;
using Chain.Node.Storage;
using Chain.Node.Storage.Rocks;
using Chain.Protocol;
using Chain.Sdk.Encoding;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Node.Ledger;

public class ChannelLedgerTests
{
    [Fact]
    public void Reopen_KeepsBlocksStateHistoryAndRoot()
    {
        using var h = new LedgerHarness();
        var put = Build.Put("a", "1");
        h.Commit(put);
        h.Commit(Build.Put("a", "2"), Build.Put("b", "x"));
        var (height, hash, root) = (h.Ledger.Height, h.Ledger.LastHash, h.Ledger.StateRoot);

        h.Reopen();

        Assert.Equal(3UL, h.Ledger.Height);
        Assert.Equal(height, h.Ledger.Height);
        Assert.Equal(hash, h.Ledger.LastHash);
        Assert.Equal(root, h.Ledger.StateRoot);
        Assert.Equal("2", System.Text.Json.JsonDocument.Parse(h.Query("get", "{\"key\":\"a\"}")!).RootElement.GetProperty("value").GetString());
        var history = h.Ledger.GetHistory(KeyCodec.State("kv", "v/a"), 0, 0, 10).ToList();
        Assert.Equal([1UL, 2UL], history.Select(r => r.Block));
        Assert.Equal(ProtocolHashes.TxId(put.Payload.Span), history[0].TxId);
        Assert.NotNull(h.Ledger.GetTxLocation(ProtocolHashes.TxId(put.Payload.Span)));
    }

    [Fact]
    public void StateRoot_DependsOnStateNotOnHowItWasReached()
    {
        using var one = new LedgerHarness();
        using var two = new LedgerHarness();
        one.Commit(Build.Put("a", "1"), Build.Put("b", "2"));
        two.Commit(Build.Put("b", "2"));
        two.Commit(Build.Put("a", "0"));
        two.Commit(Build.Put("a", "1"));
        Assert.Equal(one.Ledger.StateRoot, two.Ledger.StateRoot);

        two.Commit(Build.Call("delete", "{\"key\":\"b\"}"));
        Assert.NotEqual(one.Ledger.StateRoot, two.Ledger.StateRoot);
    }

    [Fact]
    public void StateRoot_AfterIncrementalUpdates_EqualsRootRebuiltFromStore()
    {
        using var h = new LedgerHarness();
        for (int block = 0; block < 5; block++)
            h.Commit(Enumerable.Range(0, 40).Select(i => Build.Put($"k{(block * 17 + i) % 60}", $"{block}")).ToArray());
        var incremental = h.Ledger.StateRoot;
        h.Reopen(); // StateCommitment.Load rebuilds the tree from the stored buckets
        Assert.Equal(incremental, h.Ledger.StateRoot);
    }

    [Fact]
    public void SameBlock_ExecutedTwiceFromSameState_GivesSameRootAndHash()
    {
        using var one = new LedgerHarness();
        using var two = new LedgerHarness { Now = one.Now };
        var txs = Enumerable.Range(0, 50).Select(i => Build.Put($"k{i % 7}", $"v{i}", i % 2 == 0 ? Build.Alice : Build.Bob)).ToArray();
        var a = one.Commit(txs);
        var b = two.Commit(txs);
        Assert.Equal(a.Header.StateRoot, b.Header.StateRoot);
        Assert.Equal(a.Results, b.Results);
        Assert.Equal(ProtocolHashes.BlockHash(a.Header), ProtocolHashes.BlockHash(b.Header));
    }

    [Fact]
    public void FlippedByteInLastBlock_RefusesToOpenNamingTheBlock()
    {
        using var h = new LedgerHarness();
        h.Commit(Build.Put("a", "1"));
        h.Commit(Build.Put("b", "2"));
        h.Ledger.Dispose();
        CorruptBlock(h.Path, 2);

        var error = Assert.Throws<LedgerCorruptException>(() => ChannelLedger.Open(h.Path, LedgerHarness.Channel));
        Assert.Equal(2UL, error.BlockNumber);
    }

    [Fact]
    public void Verifier_NamesTheFirstBadBlock()
    {
        using var h = new LedgerHarness();
        for (int i = 0; i < 4; i++) h.Commit(Build.Put($"k{i}", "v"));
        h.Ledger.Dispose();
        Assert.True(LedgerVerifier.Verify(h.Path, LedgerHarness.Channel).Intact);

        CorruptBlock(h.Path, 2);
        var report = LedgerVerifier.Verify(h.Path, LedgerHarness.Channel);

        Assert.False(report.Intact);
        Assert.Equal(2UL, report.FirstBadBlock);
        Assert.Contains("block 2", report.Problem);
    }

    [Fact]
    public void Commit_OfABlockThatDoesNotFollowTheTip_IsRefusedAndWritesNothing()
    {
        using var h = new LedgerHarness();
        var set = h.Execute(Build.Put("a", "1"));
        h.Commit(Build.Put("b", "1"));
        var height = h.Ledger.Height;
        Assert.Throws<InvalidOperationException>(() => h.Ledger.Commit(set));
        Assert.Equal(height, h.Ledger.Height);
        Assert.Null(h.Query("get", "{\"key\":\"a\"}"));
    }

    [Fact]
    public void KeysInTheFirstAndLastBucket_CommitAndReopen()
    {
        // Regression: a write to bucket 0xFFFF made the state-root update throw and halted the channel.
        using var h = new LedgerHarness();
        string KeyIn(ushort bucket) => Enumerable.Range(0, 10_000_000).Select(i => $"k{i}").First(k => StateCommitment.BucketOf(KeyCodec.State("kv", "v/" + k)) == bucket);
        var (first, last) = (KeyIn(0), KeyIn(0xFFFF));
        h.Commit(Build.Put(first, "a"), Build.Put(last, "b"));
        h.Commit(Build.Put(last, "c"));
        var root = h.Ledger.StateRoot;
        h.Reopen();
        Assert.Equal(root, h.Ledger.StateRoot);
        h.Ledger.Dispose();
        Assert.True(LedgerVerifier.Verify(h.Path, LedgerHarness.Channel).Intact);
    }

    [Fact]
    public void Snapshot_IsNotAffectedByLaterCommits()
    {
        using var h = new LedgerHarness();
        h.Commit(Build.Put("a", "1"));
        using var snapshot = h.Ledger.OpenSnapshot();
        var stateKey = KeyCodec.State("kv", "v/a");
        h.Commit(Build.Put("a", "2"), Build.Put("b", "new"));

        Assert.Equal("1", System.Text.Encoding.UTF8.GetString(snapshot.GetState(stateKey)!));
        Assert.Equal(h.Ledger.Height - 1, snapshot.Head.Height);
        Assert.Null(snapshot.GetState(KeyCodec.State("kv", "v/b")));
        Assert.Single(snapshot.GetHistory(stateKey, 0, 0, 10));
        Assert.Equal("2", System.Text.Encoding.UTF8.GetString(h.Ledger.GetState(stateKey)!));
    }

    [Fact]
    public void Verifier_DetectsAlteredStateValue()
    {
        using var h = new LedgerHarness();
        h.Commit(Build.Put("a", "1"), Build.Put("b", "2"));
        h.Ledger.Dispose();
        Rewrite(h.Path, Column.State, KeyCodec.State("kv", "v/a"), value => { value[^1] = (byte)'9'; return value; });

        var report = LedgerVerifier.Verify(h.Path, LedgerHarness.Channel);

        Assert.False(report.Intact);
        Assert.Contains("state was altered", report.Problem);
    }

    [Fact]
    public void Verifier_ReportsAMalformedSavepointInsteadOfCrashing()
    {
        using var h = new LedgerHarness();
        h.Commit(Build.Put("a", "1"));
        h.Ledger.Dispose();
        Rewrite(h.Path, Column.Meta, KeyCodec.SavepointKey, _ => [1, 2, 3]);
        var report = LedgerVerifier.Verify(h.Path, LedgerHarness.Channel);
        Assert.False(report.Intact);
        Assert.Contains("malformed", report.Problem);
    }

    [Fact]
    public void Verifier_AcceptsBlocksWithRefusedTransactions()
    {
        using var h = new LedgerHarness();
        var tx = Build.Put("a", "1");
        h.Commit(tx, tx, new Transaction { Payload = Google.Protobuf.ByteString.CopyFrom(1, 2, 3) }, Build.Call("nope", "{}"));
        h.Ledger.Dispose();
        var report = LedgerVerifier.Verify(h.Path, LedgerHarness.Channel);
        Assert.True(report.Intact, report.Problem);
        Assert.Equal(2UL, report.Height);
    }

    /// <summary>Flips one byte in the middle of a stored block's bytes, as disk corruption would.</summary>
    internal static void CorruptBlock(string path, ulong number) =>
        Rewrite(path, Column.Blocks, KeyCodec.BlockNumber(number), bytes => { bytes[bytes.Length / 2] ^= 0x5A; return bytes; });

    /// <summary>Changes one stored value behind the ledger's back, as disk corruption or tampering would.</summary>
    internal static void Rewrite(string path, Column column, byte[] key, Func<byte[], byte[]> change)
    {
        using var store = RocksStore.Open(path);
        var value = change(store.Get(column, key) ?? []);
        using var batch = store.CreateBatch();
        batch.Put(column, key, value);
        batch.Commit();
    }
}
