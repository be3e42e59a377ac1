using Chain.Protocol;

namespace Chain.Node.Execution;

/// <summary>Why a transaction is not VALID: the code recorded in the block and a specific message.</summary>
public readonly record struct TxRejection(ValidationCode Code, string Message);

/// <summary>A transaction refused at admission; the gRPC layer maps its code to a status in one place.</summary>
public sealed class TxRejectedException(TxRejection rejection) : Exception($"{rejection.Code}: {rejection.Message}")
{
    public TxRejection Rejection { get; } = rejection;
}
