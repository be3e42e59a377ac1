using Chain.Protocol;

namespace Chain.Node.Execution;

/// <summary>
/// Why a transaction is not VALID: the code recorded in the block and a specific message; for a contract error the
/// contract's own code too (the message starts with it).
/// </summary>
internal readonly record struct TxRejection(ValidationCode Code, string Message, string? ContractCode = null)
{
    public static TxRejection Contract(Chain.Contracts.Abstractions.ContractException e) => new(ValidationCode.ContractError, $"{e.Code}: {e.Message}", e.Code);
}

/// <summary>A transaction refused at admission; the gRPC layer maps its code to a status in one place.</summary>
internal sealed class TxRejectedException(TxRejection rejection) : Exception($"{rejection.Code}: {rejection.Message}")
{
    public TxRejection Rejection { get; } = rejection;
}
