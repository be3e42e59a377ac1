using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Domain;

/// <summary>Refusals of illegal state transitions, in one wording.</summary>
public static class StateMachine
{
    /// <summary>An illegal state transition: names the object, its current state and the attempted step.</summary>
    public static ContractException Illegal(string what, object current, string attempted) =>
        new(ContractErrors.BadState, $"{what} is {current}; cannot {attempted}");
}
