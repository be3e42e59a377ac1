using Chain.Contracts.Abstractions;
using Chain.Node.Ledger;
using Chain.Node.Storage;
using Chain.Protocol;
using Google.Protobuf;

namespace Chain.Node.Execution;

/// <summary>
/// A contract's view of state during one transaction (or one query): its own writes, over the block's
/// earlier writes, over committed state. Writes stay here until the executor merges them into the block.
/// </summary>
internal sealed class TxContext : IContractHost
{
    private readonly IStateReader _ledger;
    private readonly IReadOnlyDictionary<byte[], byte[]?> _blockWrites;
    private readonly bool _readOnly;
    private readonly string _contract;

    private readonly long _readBudget;
    private long _reads;

    /// <param name="readBudget">For a query: the most state entries it may read (<see cref="QueryBudgetExceededException"/> past it).</param>
    public TxContext(IStateReader ledger, IReadOnlyDictionary<byte[], byte[]?> blockWrites, string contract, Caller caller,
        string txId, long timestampMs, ulong blockNumber, bool readOnly, long readBudget = long.MaxValue)
    {
        _readBudget = readBudget;
        _ledger = ledger;
        _blockWrites = blockWrites;
        _contract = contract;
        _readOnly = readOnly;
        Caller = caller;
        TxId = txId;
        TimestampMs = timestampMs;
        BlockNumber = blockNumber;
    }

    public Caller Caller { get; }
    public string Channel => _ledger.Channel;
    public string TxId { get; }
    public long TimestampMs { get; }
    public ulong BlockNumber { get; }

    public Dictionary<byte[], byte[]?> Writes { get; } = new(ByteArrayComparer.Instance);
    /// <summary>Writes in the order the contract made them, for key history.</summary>
    public List<(byte[] StateKey, byte[]? Value)> WriteLog { get; } = [];
    public List<ContractEvent> Events { get; } = [];

    /// <summary>State entries this call has read.</summary>
    public long Reads => _reads;

    /// <summary>
    /// When set (a query asked with proof), every key read with <see cref="GetState"/> in first-read order, and what
    /// was read that a state proof cannot cover (a range scan or a key history), if anything.
    /// </summary>
    public List<byte[]>? PointReads { get; init; }
    public string? Unprovable { get; private set; }
    private HashSet<byte[]>? _seen;

    private void Charge(long entries)
    {
        _reads += Math.Max(1, entries);
        if (_reads > _readBudget) throw new QueryBudgetExceededException(_readBudget);
    }

    public byte[]? GetState(string key)
    {
        Charge(1);
        var stateKey = KeyCodec.State(_contract, key);
        if (PointReads is not null && (_seen ??= new(ByteArrayComparer.Instance)).Add(stateKey)) PointReads.Add(stateKey);
        if (Writes.TryGetValue(stateKey, out var own)) return own;
        if (_blockWrites.TryGetValue(stateKey, out var block)) return block;
        return _ledger.GetState(stateKey);
    }

    public void PutState(string key, ReadOnlySpan<byte> value)
    {
        EnsureWritable();
        if (key.Length == 0) throw new ContractException(ContractErrors.BadArgs, "state key must not be empty");
        var stateKey = KeyCodec.State(_contract, key);
        var copy = value.ToArray();
        Writes[stateKey] = copy;
        WriteLog.Add((stateKey, copy));
    }

    public void DeleteState(string key)
    {
        EnsureWritable();
        var stateKey = KeyCodec.State(_contract, key);
        Writes[stateKey] = null;
        WriteLog.Add((stateKey, null));
    }

    public IReadOnlyList<KeyValuePair<string, byte[]>> GetStateByPrefix(string prefix, int limit = int.MaxValue)
    {
        if (PointReads is not null) Unprovable ??= $"it scans the keys under '{prefix}'";
        var lower = KeyCodec.State(_contract, prefix);
        var upper = prefix.Length == 0 ? KeyCodec.ContractUpperBound(_contract) : KeyCodec.PrefixUpperBound(lower);
        return Scan(lower, upper, limit);
    }

    public IReadOnlyList<KeyValuePair<string, byte[]>> GetStateByRange(string startKey, string endKey, int limit = int.MaxValue)
    {
        if (PointReads is not null) Unprovable ??= $"it scans the keys from '{startKey}' to '{endKey}'";
        var lower = KeyCodec.State(_contract, startKey);
        var upper = endKey.Length == 0 ? KeyCodec.ContractUpperBound(_contract) : KeyCodec.State(_contract, endKey);
        return Scan(lower, upper, limit);
    }

    public IReadOnlyList<KeyHistoryEntry> GetHistory(string key, int limit = int.MaxValue)
    {
        if (PointReads is not null) Unprovable ??= $"it reads the history of '{key}'";
        return _ledger.GetHistory(KeyCodec.State(_contract, key), 0, 0, limit)
            .Select(h => new KeyHistoryEntry(Convert.ToHexStringLower(h.TxId), h.Block, h.TimestampMs, h.Value, h.Value is null))
            .ToList();
    }

    public void EmitEvent(string name, ReadOnlySpan<byte> payload)
    {
        EnsureWritable();
        if (string.IsNullOrEmpty(name)) throw new ContractException(ContractErrors.BadArgs, "event name must not be empty");
        Events.Add(new ContractEvent { Contract = _contract, Name = name, Payload = ByteString.CopyFrom(payload) });
    }

    private IReadOnlyList<KeyValuePair<string, byte[]>> Scan(byte[] lower, byte[]? upper, int limit)
    {
        if (limit <= 0) return [];
        // Never read more than the budget allows: a scan past it stops at the budget, not after reading everything.
        if (_readBudget != long.MaxValue) limit = (int)Math.Min(limit, _readBudget - _reads + 1);
        var comparer = ByteArrayComparer.Instance;
        bool InRange(byte[] k) => comparer.Compare(k, lower) >= 0 && (upper is null || comparer.Compare(k, upper) < 0);

        // Pending writes can hide committed keys (deletes), so read enough committed rows to still fill the limit.
        var pending = _blockWrites.Where(kv => InRange(kv.Key)).Concat(Writes.Where(kv => InRange(kv.Key))).ToList();
        long committedLimit = Math.Min((long)limit + pending.Count, int.MaxValue);
        var merged = new SortedDictionary<byte[], byte[]?>(comparer);
        foreach (var (key, value) in _ledger.ScanState(lower, upper, (int)committedLimit)) merged[key] = value;
        foreach (var (key, value) in pending) merged[key] = value; // tx writes come last and win
        var found = merged.Where(kv => kv.Value is not null).Take(limit)
            .Select(kv => new KeyValuePair<string, byte[]>(KeyCodec.ParseStateKey(kv.Key), kv.Value!))
            .ToList();
        Charge(found.Count);
        return found;
    }

    private void EnsureWritable()
    {
        if (_readOnly) throw new ContractException(ContractErrors.NotAuthorized, "a query function cannot change state or emit events");
    }
}

/// <summary>A query read more state entries than the channel's budget for one query allows.</summary>
internal sealed class QueryBudgetExceededException(long budget) : Exception(
    $"the query read more than {budget} state entries, the most this node reads for one query (queryReadBudget); ask for less: a page, a narrower scope")
{
    public long Budget { get; } = budget;
}

/// <summary>A query asked with proof read something a state proof cannot cover (a range scan, a key history).</summary>
internal sealed class QueryNotProvableException(string message) : Exception(message);
