using Chain.Contracts.Abstractions;
using Chain.Protocol;

namespace Chain.Node.Execution;

/// <summary>
/// A transaction after the stateless checks (decoding, size, signature). Admission does this work once,
/// in parallel on the gRPC threads, so the block executor does not repeat it for its own transactions.
/// </summary>
internal sealed class CheckedTx
{
    public required Transaction Transaction { get; init; }
    public required byte[] TxId { get; init; }
    private string? _txIdHex;
    /// <summary>The id as lowercase hex, computed once (admission, ordering and execution all use it).</summary>
    public string TxIdHex => _txIdHex ??= Convert.ToHexStringLower(TxId);
    public TxPayload? Payload { get; init; }
    /// <summary>Set when a stateless check failed; the transaction is then recorded with this code.</summary>
    public TxRejection? Rejection { get; init; }
    private int _size = -1;
    public int Size => _size >= 0 ? _size : _size = Transaction.CalculateSize();
    /// <summary>Parsed arguments, kept from admission for execution.</summary>
    public ContractArgs? Args { get; set; }
    /// <summary>The submit call's trace context and the time it was admitted, when tracing is on (<see cref="Observability.NodeTelemetry"/>).</summary>
    public System.Diagnostics.ActivityContext TraceParent { get; set; }
    public DateTime AdmittedUtc { get; set; }
}
