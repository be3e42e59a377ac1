using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;
using Chain.Node.Membership;
using Xunit;

namespace Chain.Tests.TestKit;

/// <summary>
/// Runs a contract's functions in memory for rule tests: the function's real access rule is checked with the
/// real policy evaluator, every call sees its own writes, and a refused call leaves no write behind.
/// Integration tests use real nodes instead; this host exists so thousands of random sequences stay fast.
/// </summary>
public sealed class MemoryContractHost(Contract contract, IReadOnlyCollection<string> channelOrgs)
{
    private readonly SortedDictionary<string, byte[]> _state = new(StringComparer.Ordinal);
    private long _tx;

    public Contract Contract { get; } = contract;
    public long Now { get; set; } = 1_767_225_600_000; // 2026-01-01T00:00:00Z
    public List<(string Name, JsonElement Payload)> Events { get; } = [];

    /// <summary>Calls an invoke function; returns its result, or throws the contract's refusal.</summary>
    public byte[]? Invoke(Caller caller, string function, object args)
    {
        var fn = Resolve(function, FunctionKind.Invoke);
        if (fn.Access is { } access)
        {
            var policy = PolicyParser.Parse(access);
            if (!policy.IsSatisfiedBy([new Identity(caller.Address, caller.Organization, caller.Roles)], channelOrgs))
                throw new ContractException(ContractErrors.NotAuthorized, $"{Contract.Name}.{function} requires {policy}; signer is {caller.Organization} with roles {string.Join(", ", caller.Roles.Order())}");
        }
        var parsed = Parse(args);
        fn.ValidateArgs(parsed);
        RoundTrip(function, fn, parsed);
        var context = new Context(this, caller, $"tx{++_tx:D8}", Now, (ulong)_tx, readOnly: false);
        var result = fn.Execute(context, parsed, verifyWrites: true);
        foreach (var (key, value) in context.Writes)
        {
            if (value is null) _state.Remove(key);
            else _state[key] = value;
        }
        foreach (var (name, payload) in context.Emitted) Events.Add((name, JsonDocument.Parse(payload).RootElement.Clone()));
        return result;
    }

    /// <summary>
    /// A function's argument record, serialized in the contract's encoding, is itself a call with the same meaning:
    /// clients (the CLI among them) build calls from these records, so every name and shape must match the parser.
    /// </summary>
    private void RoundTrip(string function, ContractFunction fn, ContractArgs parsed)
    {
        if (fn.ParseArgs(parsed) is not { } record || !record.GetType().Name.EndsWith("Args", StringComparison.Ordinal)) return;
        var json = JsonSerializer.Serialize(record, record.GetType(), Contract.Json);
        object? again;
        try { again = fn.ParseArgs(ContractArgs.Parse(Encoding.UTF8.GetBytes(json))); }
        catch (ContractException e) { throw new Xunit.Sdk.XunitException($"{function}: its argument record {json} is not a valid call: {e.Message}"); }
        var back = JsonSerializer.Serialize(again, again!.GetType(), Contract.Json);
        if (back != json) throw new Xunit.Sdk.XunitException($"{function}: its argument record {json} reads back as {back}");
    }

    /// <summary>Calls and expects a refusal; returns it.</summary>
    public ContractException Refused(Caller caller, string function, object args)
    {
        var before = Fingerprint();
        var error = Assert.Throws<ContractException>(() => Invoke(caller, function, args));
        Assert.Equal(before, Fingerprint()); // a refused call writes nothing
        return error;
    }

    public JsonElement Query(string function, object args)
    {
        var fn = Resolve(function, FunctionKind.Query);
        var parsed = Parse(args);
        fn.ValidateArgs(parsed);
        var bytes = fn.Execute(new Context(this, new Caller(""), "", Now, (ulong)_tx, readOnly: true), parsed, verifyWrites: true) ?? [];
        return JsonDocument.Parse(bytes).RootElement.Clone();
    }

    public T? Get<T>(string key) where T : class => _state.TryGetValue(key, out var bytes) ? ContractJson.Deserialize<T>(bytes) : null;

    /// <summary>The stored bytes of a key, as the contract wrote them.</summary>
    public byte[]? Raw(string key) => _state.GetValueOrDefault(key);

    /// <summary>Writes a state object directly, past every rule: what a contract bug or a tampered store would leave behind.</summary>
    public void Tamper<T>(string key, T value) => _state[key] = ContractJson.Serialize(value);

    public IEnumerable<KeyValuePair<string, byte[]>> Entries(string prefix) =>
        _state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>SHA-256 over every key and value: equal fingerprints mean equal state.</summary>
    public string Fingerprint()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (key, value) in _state)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(key));
            hash.AppendData([0]);
            hash.AppendData(value);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private ContractFunction Resolve(string name, FunctionKind kind)
    {
        if (!Contract.Functions.TryGetValue(name, out var fn) || fn.Kind != kind) throw new ArgumentException($"{Contract.Name} has no {kind} function '{name}'");
        return fn;
    }

    private static ContractArgs Parse(object args) =>
        ContractArgs.Parse(args is string json ? Encoding.UTF8.GetBytes(json) : JsonSerializer.SerializeToUtf8Bytes(args, JsonSerializerOptions.Web));

    /// <summary>Every call is its own block: block numbers follow call order.</summary>
    private sealed class Context(MemoryContractHost host, Caller caller, string txId, long now, ulong block, bool readOnly) : IContractHost
    {
        public SortedDictionary<string, byte[]?> Writes { get; } = new(StringComparer.Ordinal);
        public List<(string, byte[])> Emitted { get; } = [];
        public Caller Caller => caller;
        public string Channel => "charity";
        public string TxId => txId;
        public long TimestampMs => now;
        public ulong BlockNumber => block;

        public byte[]? GetState(string key) => Writes.TryGetValue(key, out var own) ? own : host._state.GetValueOrDefault(key);

        public void PutState(string key, ReadOnlySpan<byte> value)
        {
            if (readOnly) throw new InvalidOperationException("a query tried to write");
            Writes[key] = value.ToArray();
        }

        public void DeleteState(string key)
        {
            if (readOnly) throw new InvalidOperationException("a query tried to write");
            Writes[key] = null;
        }

        public IReadOnlyList<KeyValuePair<string, byte[]>> GetStateByRange(string startKey, string endKey, int limit = int.MaxValue)
        {
            bool InRange(string k) => string.CompareOrdinal(k, startKey) >= 0 && (endKey.Length == 0 || string.CompareOrdinal(k, endKey) < 0);
            var merged = new SortedDictionary<string, byte[]?>(StringComparer.Ordinal);
            foreach (var (k, v) in host._state)
            {
                if (string.CompareOrdinal(k, startKey) < 0) continue;
                if (!InRange(k)) break;
                merged[k] = v;
            }
            foreach (var (k, v) in Writes) if (InRange(k)) merged[k] = v;
            return merged.Where(kv => kv.Value is not null).Take(limit).Select(kv => new KeyValuePair<string, byte[]>(kv.Key, kv.Value!)).ToList();
        }

        public IReadOnlyList<KeyValuePair<string, byte[]>> GetStateByPrefix(string prefix, int limit = int.MaxValue) =>
            GetStateByRange(prefix, Paging.UpperBound(prefix), limit);

        public IReadOnlyList<KeyHistoryEntry> GetHistory(string key, int limit = int.MaxValue) => [];

        public void EmitEvent(string name, ReadOnlySpan<byte> payload)
        {
            if (readOnly) throw new InvalidOperationException("a query tried to emit");
            Emitted.Add((name, payload.ToArray()));
        }
    }
}
