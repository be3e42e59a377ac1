namespace Chain.Contracts.Abstractions;

/// <summary>
/// An event a contract emits (<see cref="ContractContext.Emit{T}"/>): a record declared next to its contract, named by
/// its type, with its properties, in order, as the payload.
/// </summary>
public interface IContractEvent;

/// <summary>An alert: every alert is emitted under the name "Alert", its <see cref="Kind"/> written first.</summary>
public interface IAlert : IContractEvent
{
    string Kind { get; }
}
