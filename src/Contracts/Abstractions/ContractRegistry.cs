namespace Chain.Contracts.Abstractions;

/// <summary>Maps contract names to handlers. Built once at start-up, read concurrently afterwards.</summary>
public sealed class ContractRegistry
{
    private readonly Dictionary<string, Contract> _contracts = new(StringComparer.Ordinal);

    public ContractRegistry Add(Contract contract)
    {
        if (!_contracts.TryAdd(contract.Name, contract)) throw new ArgumentException($"contract '{contract.Name}' is registered twice");
        return this;
    }

    public bool TryGet(string name, out Contract contract) => _contracts.TryGetValue(name, out contract!);

    public IEnumerable<string> Names => _contracts.Keys.Order(StringComparer.Ordinal);

    /// <summary>Names of the contracts that ship with the node.</summary>
    public static readonly IReadOnlyList<string> Known = [Kv.KvContract.ContractName, Charity.CharityContract.ContractName, DemolitionFund.FundContract.ContractName];

    /// <summary>The field units of a contract that ships with the node (<see cref="FieldUnits.None"/> for others).</summary>
    public static FieldUnits UnitsOf(string contract) => contract switch
    {
        Charity.CharityContract.ContractName => Charity.CharityContract.FieldUnits,
        DemolitionFund.FundContract.ContractName => DemolitionFund.FundContract.FieldUnits,
        _ => FieldUnits.None,
    };

    /// <summary>Every contract that ships with the node, by name.</summary>
    public static ContractRegistry BuiltIn(IEnumerable<string> names)
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
