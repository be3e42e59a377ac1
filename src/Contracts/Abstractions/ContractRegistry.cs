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
}
