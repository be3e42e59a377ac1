using Chain.Node.Ledger;
using Chain.Node.Storage;
using Xunit;

namespace Chain.Tests.Node.Storage;

public class KeyCodecTests
{
    [Fact]
    public void BlockNumbers_SortInNumericOrder()
    {
        var keys = new ulong[] { 256, 1, 65536, 2, 255 }.Select(KeyCodec.BlockNumber).Order(ByteArrayComparer.Instance).Select(k => KeyCodec.ParseBlockNumber(k));
        Assert.Equal([1UL, 2, 255, 256, 65536], keys);
    }

    [Fact]
    public void ContractRanges_DoNotOverlap()
    {
        // "kv" + "x..." must not fall inside contract "kvx"'s range, whatever the key.
        var kvKey = KeyCodec.State("kv", "x/anything");
        var kvxLower = KeyCodec.State("kvx", "");
        var kvxUpper = KeyCodec.ContractUpperBound("kvx");
        var comparer = ByteArrayComparer.Instance;
        Assert.False(comparer.Compare(kvKey, kvxLower) >= 0 && comparer.Compare(kvKey, kvxUpper!) < 0);
        Assert.Equal("x/anything", KeyCodec.ParseStateKey(kvKey));
    }

    [Fact]
    public void PrefixUpperBound_IsTheNextPrefix()
    {
        Assert.Equal(new byte[] { 1, 3 }, KeyCodec.PrefixUpperBound([1, 2]));
        Assert.Equal(new byte[] { 2 }, KeyCodec.PrefixUpperBound([1, 0xFF]));
        // Regression: the last state-root bucket (0xFFFF) has no upper bound; it used to throw and halt the channel.
        Assert.Null(KeyCodec.PrefixUpperBound([0xFF, 0xFF]));
    }

    [Fact]
    public void HistoryKeys_OfOneStateKey_SortByVersion()
    {
        var state = KeyCodec.State("kv", "k");
        var a = KeyCodec.History(state, 1, 5);
        var b = KeyCodec.History(state, 2, 0);
        var prefix = KeyCodec.HistoryPrefix(state);
        Assert.True(ByteArrayComparer.Instance.Compare(a, b) < 0);
        Assert.True(a.AsSpan().StartsWith(prefix) && b.AsSpan().StartsWith(prefix));
        Assert.Equal((2UL, 0U), KeyCodec.ParseHistoryVersion(b));
    }

    [Fact]
    public void HistoryOfOneKey_IsNotAPrefixOfALongerKey()
    {
        // Length-prefixing keeps key "k" and key "k2" histories apart.
        var prefix = KeyCodec.HistoryPrefix(KeyCodec.State("kv", "k"));
        var other = KeyCodec.History(KeyCodec.State("kv", "k2"), 0, 0);
        Assert.False(other.AsSpan().StartsWith(prefix));
    }
}
