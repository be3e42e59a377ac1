using System.Reflection;
using Chain.Contracts.Charity;
using Chain.Contracts.DemolitionFund;
using Chain.Contracts.Domain;
using Xunit;

namespace Chain.Tests.Contracts.Domain;

/// <summary>The shared helpers' keys and a contract's own keys never meet: no key a contract builds starts with a domain prefix.</summary>
public sealed class DomainKeysTests
{
    [Theory]
    [InlineData(typeof(CharityKeys))]
    [InlineData(typeof(FundKeys))]
    public void NoKeyOfAContract_StartsWithAPrefixOfTheDomainHelpers(Type keys)
    {
        var built = new List<string>();
        foreach (var method in keys.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(string)))
            built.Add((string)method.Invoke(null, method.GetParameters().Select(Sample).ToArray())!);
        foreach (var field in keys.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.FieldType == typeof(string)))
            built.Add((string)field.GetValue(null)!);
        Assert.True(built.Count > 10, $"only {built.Count} keys of {keys.Name} were built");
        foreach (var key in built)
            Assert.DoesNotContain(DomainKeys.Prefixes, prefix => key.StartsWith(prefix, StringComparison.Ordinal));
    }

    [Fact]
    public void TheDomainHelpersWriteUnderTheirDeclaredPrefixes()
    {
        Assert.StartsWith(DomainKeys.HoldPrefix, Holds.Key("pool:C:1"));
        Assert.StartsWith(DomainKeys.BankReferencePrefix, DomainKeys.BankReference("Bank", "BK1"));
        Assert.StartsWith(DomainKeys.RequestPrefix, DomainKeys.Request("ConfirmDonation", "D1"));
    }

    private static object Sample(ParameterInfo parameter) => parameter.ParameterType switch
    {
        var t when t == typeof(string) => "x",
        var t when t == typeof(int) => 1,
        var t when t == typeof(long) => 1L,
        var t when t.IsEnum => Enum.GetValues(t).GetValue(0)!,
        var t => throw new InvalidOperationException($"no sample for {t.Name} ({parameter.Name})"),
    };
}
