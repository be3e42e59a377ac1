using Chain.Contracts.Abstractions;

namespace Chain.Contracts;

/// <summary>The contracts that ship with the node, by name.</summary>
public static class BuiltInContracts
{
    public static readonly IReadOnlyList<string> Known = [Kv.KvContract.ContractName, Charity.CharityContract.ContractName, DemolitionFund.FundContract.ContractName];

    /// <summary>The field units of a contract that ships with the node (<see cref="FieldUnits.None"/> for others).</summary>
    public static FieldUnits UnitsOf(string contract) => contract switch
    {
        Charity.CharityContract.ContractName => Charity.CharityContract.FieldUnits,
        DemolitionFund.FundContract.ContractName => DemolitionFund.FundContract.FieldUnits,
        _ => FieldUnits.None,
    };

    /// <summary>A registry of the named contracts.</summary>
    public static ContractRegistry Registry(IEnumerable<string> names)
    {
        var registry = new ContractRegistry();
        foreach (var name in names)
        {
            registry.Add(name switch
            {
                Kv.KvContract.ContractName => new Kv.KvContract(),
                Charity.CharityContract.ContractName => new Charity.CharityContract(),
                DemolitionFund.FundContract.ContractName => new DemolitionFund.FundContract(),
                _ => throw new ArgumentException($"unknown contract '{name}' (known: {string.Join(", ", Known)})"),
            });
        }
        return registry;
    }
}
