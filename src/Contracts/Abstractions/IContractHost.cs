namespace Chain.Contracts.Abstractions;

/// <summary>
/// What a node (or a test host) provides for one transaction or query: the caller, the transaction's facts,
/// and raw access to the contract's own key space. The host implements it over an in-memory overlay of the
/// channel's world state; nothing reaches the ledger unless the whole transaction succeeds. Contract handlers
/// never see this directly: they get a <see cref="ContractContext"/> built over it.
/// </summary>
/// <remarks>
/// Determinism: contracts must use <see cref="TimestampMs"/> instead of the wall clock, must not use
/// randomness or floating point for money, and range scans return keys in ascending ordinal byte order.
/// Keys are scoped to the calling contract; one contract cannot read another's keys.
/// </remarks>
public interface IContractHost
{
    Caller Caller { get; }
    string Channel { get; }
    string TxId { get; }
    /// <summary>The transaction's timestamp, already checked by the host against the block time.</summary>
    long TimestampMs { get; }
    ulong BlockNumber { get; }

    byte[]? GetState(string key);
    void PutState(string key, ReadOnlySpan<byte> value);
    void DeleteState(string key);

    /// <summary>Keys in [startKey, endKey) in ascending order; an empty endKey means "to the end".</summary>
    IReadOnlyList<KeyValuePair<string, byte[]>> GetStateByRange(string startKey, string endKey, int limit = int.MaxValue);

    IReadOnlyList<KeyValuePair<string, byte[]>> GetStateByPrefix(string prefix, int limit = int.MaxValue);

    /// <summary>Committed modifications of a key, oldest first (not including this block's pending writes).</summary>
    IReadOnlyList<KeyHistoryEntry> GetHistory(string key, int limit = int.MaxValue);

    void EmitEvent(string name, ReadOnlySpan<byte> payload);
}

/// <summary>
/// The verified signer of the transaction and, on a channel with a configuration, the organisation and
/// roles it is enrolled with (every enrolled account has the role "member").
/// </summary>
public sealed record Caller(string Address, string Organization, IReadOnlySet<string> Roles)
{
    public static readonly IReadOnlySet<string> NoRoles = new HashSet<string>();

    public Caller(string address) : this(address, "", NoRoles) { }

    public bool HasRole(string role) => Roles.Contains(role);
}

public sealed record KeyHistoryEntry(string TxId, ulong BlockNumber, long TimestampMs, byte[]? Value, bool IsDelete);
