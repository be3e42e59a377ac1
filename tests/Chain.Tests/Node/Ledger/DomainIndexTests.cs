using Chain.Node.Ledger;
using Chain.Node.Storage;
using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.Node.Ledger;

/// <summary>The domain index: which objects an event names, the actor rows, and indexing a ledger that has blocks without them.</summary>
public sealed class DomainIndexTests
{
    [Fact]
    public void AnEventNamesTheObjectsOfItsTopLevelIdFields_OnceEach_AndNothingElse()
    {
        var subjects = DomainIndex.SubjectsOf(ByteString.CopyFromUtf8(
            """{"donationId":"D-1","campaignId":"C-1","amount":100,"lotId":"","nested":{"householdId":"H"},"id":"x","payeeId":7,"charityId":"F","otherCampaignId":"C-1","donationId2":"no"}"""));
        Assert.Equal([("donation", "D-1"), ("campaign", "C-1"), ("charity", "F"), ("otherCampaign", "C-1")], subjects);
        Assert.Empty(DomainIndex.SubjectsOf(ByteString.CopyFromUtf8("not json")));
        Assert.Empty(DomainIndex.SubjectsOf(ByteString.CopyFromUtf8("[{\"donationId\":\"D\"}]")));
        Assert.Empty(DomainIndex.SubjectsOf(ByteString.CopyFromUtf8("{\"donationId\":")));
    }

    [Fact]
    public void IdsThatArePrefixesOfEachOther_HaveSeparateHistories()
    {
        var one = KeyCodec.SubjectPrefix("charity", "donation", "D-1");
        var ten = KeyCodec.SubjectKey("charity", "donation", "D-10", 5, 0, 0);
        Assert.False(ten.AsSpan().StartsWith(one));
    }

    [Fact]
    public void ATransactionWhoseSignatureIsNotItsCreators_IsNotPutInTheCreatorsActivity()
    {
        using var harness = new LedgerHarness();
        var claimsAlice = new Chain.Protocol.TxPayload
        {
            Channel = "sandbox", Contract = "kv", Function = "put", Args = ByteString.CopyFromUtf8("{\"key\":\"x\",\"value\":\"y\"}"),
            Creator = ByteString.CopyFrom(Build.Alice.Address), TimestampMs = harness.Now,
        };
        var forged = Build.WithPayload(claimsAlice, AccountKey.Generate()); // signed by someone else
        var block = harness.Commit(forged, Build.Put("real", "1"));
        Assert.Equal(Chain.Protocol.ValidationCode.BadSignature, block.Results[0].Code);
        var rows = harness.Ledger.ReadIndex(KeyCodec.ActorPrefix(Build.Alice.Address), 0, 0, 0, 100).ToList();
        Assert.Equal([(block.Header.Number, 1U)], rows.Select(r => (r.Block, r.Tx)));
    }

    [Fact]
    public void ALedgerWhoseBlocksWereNotIndexed_IndexesThemWhenOpened()
    {
        using var harness = new LedgerHarness();
        harness.Commit(Build.Put("a", "1"), Build.Put("b", "2"));
        harness.Commit(Build.Put("c", "3"));
        var actor = KeyCodec.ActorPrefix(Build.Alice.Address);
        var before = harness.Ledger.ReadIndex(actor, 0, 0, 0, 100).ToList();
        Assert.Equal([(1UL, 0U), (1UL, 1U), (2UL, 0U)], before.Select(r => (r.Block, r.Tx)));

        // As a ledger written before the index existed: no rows, no marker.
        using (var batch = harness.Ledger.Store.CreateBatch())
        {
            foreach (var row in before) batch.Delete(Column.Events, KeyCodec.ActorKey(Build.Alice.Address, row.Block, row.Tx));
            batch.Delete(Column.Meta, DomainIndex.IndexedHeightKey);
            batch.Commit();
        }
        Assert.Empty(harness.Ledger.ReadIndex(actor, 0, 0, 0, 100));
        harness.Reopen();
        var after = harness.Ledger.ReadIndex(actor, 0, 0, 0, 100).ToList();
        Assert.Equal(before.Select(r => (r.Block, r.Tx, Hashes.ToHex(r.Value))), after.Select(r => (r.Block, r.Tx, Hashes.ToHex(r.Value))));
    }

    [Fact]
    public void AnEventNamingSeveralObjects_IsStoredOnce_AndEachObjectsHistoryReadsIt_AsDoRowsOfEarlierVersions()
    {
        using var harness = new LedgerHarness();
        var block = harness.Commit(Build.Put("a", "1")).Clone();
        var payload = ByteString.CopyFromUtf8("""{"donationId":"D-1","campaignId":"C-1","amount":100}""");
        block.Results[0].Events.Add(new Chain.Protocol.ContractEvent { Contract = "charity", Name = "DonationConfirmed", Payload = payload });
        var rows = DomainIndex.RowsOf(block, block.Transactions.Select(t => Chain.Sdk.Encoding.ProtocolHashes.TxId(t.Payload.Span)).ToArray()).ToList();
        var n = block.Header.Number;
        var e = (uint)block.Results[0].Events.Count - 1; // after the put's own event
        var body = Assert.Single(rows, r => r.Key.AsSpan().SequenceEqual(KeyCodec.EventBody(n, 0, e)));
        Assert.Equal(payload, Chain.Protocol.SubjectEvent.Parser.ParseFrom(body.Value).Payload);
        foreach (var (kind, id) in new[] { ("donation", "D-1"), ("campaign", "C-1") })
            Assert.Empty(Assert.Single(rows, r => r.Key.AsSpan().SequenceEqual(KeyCodec.SubjectKey("charity", kind, id, n, 0, e))).Value);

        using (var batch = harness.Ledger.Store.CreateBatch())
        {
            foreach (var row in rows) batch.Put(Column.Events, row.Key, row.Value);
            // A row as an earlier version wrote it: the body inside the subject row, no body row.
            batch.Put(Column.Events, KeyCodec.SubjectKey("charity", "donation", "D-1", n + 5, 3, 1), body.Value);
            batch.Commit();
        }
        foreach (var (kind, id) in new[] { ("donation", "D-1"), ("campaign", "C-1") })
        {
            var read = harness.Ledger.ReadIndex(KeyCodec.SubjectPrefix("charity", kind, id), 0, 0, 0, 10).ToList();
            Assert.Equal(payload, Chain.Protocol.SubjectEvent.Parser.ParseFrom(read[0].Value).Payload);
            Assert.Equal(kind == "donation" ? [(n, 0U), (n + 5, 3U)] : new[] { (n, 0U) }, read.Select(r => (r.Block, r.Tx)));
        }

        // A subject row whose body is gone is a damaged ledger, said so, not an empty entry.
        using (var batch = harness.Ledger.Store.CreateBatch())
        {
            batch.Delete(Column.Events, KeyCodec.EventBody(n, 0, e));
            batch.Commit();
        }
        var damaged = Assert.Throws<LedgerCorruptException>(() => harness.Ledger.ReadIndex(KeyCodec.SubjectPrefix("charity", "campaign", "C-1"), 0, 0, 0, 10).ToList());
        Assert.Contains("body is missing", damaged.Message);
    }
}
