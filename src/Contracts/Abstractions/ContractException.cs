namespace Chain.Contracts.Abstractions;

/// <summary>
/// A rule of the contract refused the call. The host records the transaction as CONTRACT_ERROR
/// (or rejects an Evaluate) with "<see cref="Code"/>: message" and discards all its writes.
/// </summary>
/// <remarks>
/// An exception rather than a result value because a refusal can come from any depth of a handler
/// and must unwind all of it; the host catches it at exactly one place per transaction.
/// </remarks>
public sealed class ContractException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>Stable error codes shared by all contracts.</summary>
public static class ContractErrors
{
    public const string BadArgs = "BAD_ARGS";
    public const string NotFound = "NOT_FOUND";
    public const string NotAuthorized = "NOT_AUTHORIZED";
    public const string Conflict = "CONFLICT";
    /// <summary>The object is not in a state that allows the call (the message names current and attempted state).</summary>
    public const string BadState = "BAD_STATE";
    /// <summary>A regulator or auditor placed a hold on the target.</summary>
    public const string Held = "HELD";
    /// <summary>Arithmetic on amounts left the range of a 64-bit integer (checked arithmetic refused it).</summary>
    public const string Overflow = "OVERFLOW";
}
