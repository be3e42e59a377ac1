using Chain.Contracts.Abstractions;
using Xunit;

namespace Chain.Tests.Contracts;

public class CompositeKeyTests
{
    [Fact]
    public void SplitOfCreate_ReturnsTheParts_IncludingEmptyOnes() =>
        Assert.Equal(["donation", "c1", ""], CompositeKey.Split(CompositeKey.Create("donation", "c1", "")));

    [Fact]
    public void Prefix_MatchesOnlyWholeAttributes()
    {
        var key = CompositeKey.Create("lot", "campaign-10", "l1");
        Assert.StartsWith(CompositeKey.Prefix("lot", "campaign-10"), key);
        Assert.False(key.StartsWith(CompositeKey.Prefix("lot", "campaign-1"), StringComparison.Ordinal));
    }

    [Fact]
    public void PartWithSeparator_IsRejected() =>
        Assert.Equal(ContractErrors.BadArgs, Assert.Throws<ContractException>(() => CompositeKey.Create("t", "a\0b")).Code);
}
