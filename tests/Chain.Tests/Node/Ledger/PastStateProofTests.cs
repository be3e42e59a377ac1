using Chain.Node.Ledger;
using Chain.Node.Storage;
using Chain.Protocol;
using Chain.Sdk.Verification;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.Node.Ledger;

/// <summary>State proofs at past blocks: the head's tree rolled back with each block's undo record proves what the key held then.</summary>
public sealed class PastStateProofTests
{
    private static byte[]? Check(ChannelLedger ledger, string key, ulong block)
    {
        var proof = Proofs.State(ledger, "kv", "v/" + key, block);
        Assert.Equal(block, proof.Header.Number);
        // The header is the block's own, and the proof leads to its state root.
        Assert.Equal(ledger.GetBlock(block)!.Header, proof.Header);
        return ProofVerifier.VerifyAgainstStateRoot(proof.Read, proof.Header.StateRoot.Span, block);
    }

    [Fact]
    public void EveryRecentBlock_ProvesWhatAKeyHeldThen_AndOlderBlocksSayHowFarBackProofsGo()
    {
        using var harness = new LedgerHarness();
        harness.Ledger.ProofHistoryBlocks = 6;
        var values = new Dictionary<ulong, string?>();
        for (int i = 1; i <= 9; i++)
        {
            // Other keys change too, in other buckets: the past block's siblings differ from today's.
            var txs = new List<Transaction> { Build.Put("other-" + i, "x"), i == 7 ? Build.Call("delete", "{\"key\":\"k\"}") : Build.Put("k", "value-" + i) };
            var block = harness.Commit([.. txs]);
            values[block.Header.Number] = i == 7 ? null : "value-" + i;
        }
        harness.Reopen(); // the undo records are on disk, not only in memory
        harness.Ledger.ProofHistoryBlocks = 6;
        var head = harness.Ledger.Height - 1;
        for (ulong block = head - 6; block <= head; block++)
        {
            var value = Check(harness.Ledger, "k", block);
            Assert.Equal(values[block], value is null ? null : System.Text.Encoding.UTF8.GetString(value));
        }
        // A proof rolled back to one block does not verify against the next block's root.
        var atSix = Proofs.State(harness.Ledger, "kv", "v/k", head - 2);
        Assert.Throws<VerificationException>(() => ProofVerifier.VerifyAgainstStateRoot(atSix.Read, harness.Ledger.GetBlock(head - 1)!.Header.StateRoot.Span, head - 1));

        var old = Assert.Throws<Chain.Node.Errors.RequestException>(() => Proofs.State(harness.Ledger, "kv", "v/k", head - 7));
        Assert.Contains($"proves states back to 6 blocks before its latest (proofHistoryBlocks: blocks {head - 6}..{head}); block {head - 7} is older", old.Message);
        var future = Assert.Throws<Chain.Node.Errors.RequestException>(() => Proofs.State(harness.Ledger, "kv", "v/k", head + 1));
        Assert.Contains($"has blocks 0..{head}, not {head + 1}", future.Message);
        // Only the last six undo records are kept.
        Assert.Null(harness.Ledger.Store.Get(Column.Events, KeyCodec.TreeUndo(head - 6)));
        Assert.NotNull(harness.Ledger.Store.Get(Column.Events, KeyCodec.TreeUndo(head - 5)));
    }

    [Fact]
    public void WithNoProofHistory_NoUndoRecordIsWritten_AndOnlyTheLatestBlockIsProven_AndTheSettingHasARange()
    {
        using var harness = new LedgerHarness();
        harness.Ledger.ProofHistoryBlocks = 0;
        harness.Commit(Build.Put("k", "1"));
        harness.Commit(Build.Put("k", "2"));
        var head = harness.Ledger.Height - 1;
        Assert.Null(harness.Ledger.Store.Get(Column.Events, KeyCodec.TreeUndo(head)));
        Assert.Equal("2", System.Text.Encoding.UTF8.GetString(Check(harness.Ledger, "k", head)!));
        Assert.Contains("proves states back to 0 blocks", Assert.Throws<Chain.Node.Errors.RequestException>(() => Proofs.State(harness.Ledger, "kv", "v/k", head - 1)).Message);

        foreach (var bad in new[] { -1, 1_000_001 })
        {
            var settings = new Chain.Node.Configuration.ChannelSettings { Name = "sandbox", ProofHistoryBlocks = bad };
            Assert.Contains($"proofHistoryBlocks is {bad}, allowed range is 0..1000000", Assert.Throws<Chain.Node.Configuration.ConfigException>(settings.Validate).Message);
        }
        new Chain.Node.Configuration.ChannelSettings { Name = "sandbox", ProofHistoryBlocks = 0 }.Validate();
    }
}
