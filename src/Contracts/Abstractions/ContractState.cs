using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Chain.Contracts.Abstractions;

/// <summary>The one JSON encoding of contract state values, events and query results.</summary>
/// <remarks>
/// Deterministic: properties are written in declaration order, enums as their names, no indentation.
/// State types therefore use lists, never dictionaries or sets.
/// </remarks>
public static class ContractJson
{
    /// <summary>The encoding, with reflection metadata for every type (events, query results, tests).</summary>
    public static readonly JsonSerializerOptions Options = Create(new DefaultJsonTypeInfoResolver());

    /// <summary>The same encoding with a contract's compile-time metadata for its state types tried first (the hot path: no reflection).</summary>
    public static JsonSerializerOptions With(IJsonTypeInfoResolver stateTypes) => Create(JsonTypeInfoResolver.Combine(stateTypes, new DefaultJsonTypeInfoResolver()));

    private static JsonSerializerOptions Create(IJsonTypeInfoResolver resolver)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            Converters = { new JsonStringEnumConverter() },
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            TypeInfoResolver = resolver,
        };
        options.MakeReadOnly();
        return options;
    }

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Deserialize<T>(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize<T>(utf8, Options) ?? throw new InvalidDataException($"state value is null, expected {typeof(T).Name}");

    /// <summary>SHA-256 (lower-case hex) of a value's canonical JSON; identifies a request's content.</summary>
    public static string ContentHash<T>(T value) => Convert.ToHexStringLower(SHA256.HashData(Serialize(value)));
}

/// <summary>
/// A contract handler's view of one transaction (or query): the caller and the transaction's facts, raw key
/// access, and typed access to state objects with <b>one live copy per key</b>.
/// </summary>
/// <remarks>
/// Typed reads go through an identity map: every <see cref="Get{T}"/> (and <see cref="Objects{T}"/>) of a key
/// in this transaction returns the same instance, so two parts of a handler that load the same pool or
/// campaign change one object, and the last <see cref="Put{T}"/> writes all of their changes. Without it, two
/// copies of one object could each be changed and written, and the last write would silently drop the
/// other's changes (money would appear or vanish). Writes reach the host at once, so scans see them.
/// One instance per transaction; not thread-safe.
/// </remarks>
public sealed class ContractContext(IContractHost host, JsonSerializerOptions json)
{
    // key → the live object, or null when the key is known to be absent.
    private readonly Dictionary<string, object?> _objects = new(StringComparer.Ordinal);

    public Caller Caller => host.Caller;
    public string Channel => host.Channel;
    public string TxId => host.TxId;
    /// <summary>The transaction's timestamp (for queries: the last block's). Contracts never read the clock.</summary>
    public long TimestampMs => host.TimestampMs;
    public ulong BlockNumber => host.BlockNumber;

    // ---- raw keys (markers, counters, foreign encodings) ----

    public byte[]? GetState(string key) => host.GetState(key);

    public void PutState(string key, ReadOnlySpan<byte> value)
    {
        host.PutState(key, value);
        _objects.Remove(key);
    }

    public void DeleteState(string key)
    {
        host.DeleteState(key);
        _objects[key] = null;
    }

    public IReadOnlyList<KeyValuePair<string, byte[]>> GetStateByRange(string startKey, string endKey, int limit = int.MaxValue) => host.GetStateByRange(startKey, endKey, limit);

    public IReadOnlyList<KeyValuePair<string, byte[]>> GetStateByPrefix(string prefix, int limit = int.MaxValue) => host.GetStateByPrefix(prefix, limit);

    public IReadOnlyList<KeyHistoryEntry> GetHistory(string key, int limit = int.MaxValue) => host.GetHistory(key, limit);

    public void EmitEvent(string name, ReadOnlySpan<byte> payload) => host.EmitEvent(name, payload);

    public bool Exists(string key) => _objects.TryGetValue(key, out var known) ? known is not null : host.GetState(key) is not null;

    public long GetLong(string key) =>
        host.GetState(key) is { } bytes ? long.Parse(Encoding.UTF8.GetString(bytes), System.Globalization.CultureInfo.InvariantCulture) : 0;

    public void PutLong(string key, long value) => PutState(key, Encoding.UTF8.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    // ---- typed state objects ----

    /// <summary>The live object under <paramref name="key"/>, or null when there is none.</summary>
    public T? Get<T>(string key) where T : class
    {
        if (_objects.TryGetValue(key, out var known)) return known is null ? null : Cast<T>(key, known);
        var value = host.GetState(key) is { } bytes ? Deserialize<T>(bytes) : null;
        _objects[key] = value;
        return value;
    }

    public T Require<T>(string key, string what) where T : class =>
        Get<T>(key) ?? throw new ContractException(ContractErrors.NotFound, $"{what} does not exist");

    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/>; it becomes the key's live object.</summary>
    public void Put<T>(string key, T value) where T : class
    {
        host.PutState(key, JsonSerializer.SerializeToUtf8Bytes(value, json));
        _objects[key] = value;
    }

    /// <summary>The objects under a prefix in key order, each the key's live object (see <see cref="Get{T}"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, T>> Objects<T>(string prefix, int limit = int.MaxValue) where T : class =>
        Live<T>(host.GetStateByPrefix(prefix, limit));

    /// <summary>The objects of a key range in key order, each the key's live object.</summary>
    public IReadOnlyList<KeyValuePair<string, T>> ObjectsInRange<T>(string startKey, string endKey, int limit = int.MaxValue) where T : class =>
        Live<T>(host.GetStateByRange(startKey, endKey, limit));

    /// <summary>Emits an event under its type's name ("Alert" for every <see cref="IAlert"/>).</summary>
    public void Emit<T>(T payload) where T : IContractEvent =>
        host.EmitEvent(payload is IAlert ? "Alert" : typeof(T).Name, JsonSerializer.SerializeToUtf8Bytes(payload, json));

    /// <summary>A query's answer (or any other value) in the contract's encoding.</summary>
    public byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, json);

    /// <summary>
    /// Keys whose live object differs from what was last written (changed in memory, never put back): a handler
    /// bug, because the change is lost. Test hosts check this after every call.
    /// </summary>
    public IReadOnlyList<string> UnwrittenChanges() =>
        _objects.Where(kv => kv.Value is not null && host.GetState(kv.Key) is { } stored
                && !stored.AsSpan().SequenceEqual(JsonSerializer.SerializeToUtf8Bytes(kv.Value, kv.Value.GetType(), json)))
            .Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();

    private List<KeyValuePair<string, T>> Live<T>(IReadOnlyList<KeyValuePair<string, byte[]>> entries) where T : class
    {
        var items = new List<KeyValuePair<string, T>>(entries.Count);
        foreach (var (key, bytes) in entries)
        {
            T value;
            if (_objects.TryGetValue(key, out var known) && known is not null) value = Cast<T>(key, known);
            else _objects[key] = value = Deserialize<T>(bytes);
            items.Add(new KeyValuePair<string, T>(key, value));
        }
        return items;
    }

    private T Deserialize<T>(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize<T>(utf8, json) ?? throw new InvalidDataException($"state value is null, expected {typeof(T).Name}");

    private static T Cast<T>(string key, object known) where T : class =>
        known as T ?? throw new InvalidOperationException($"state key '{key}' holds a {known.GetType().Name}, read as {typeof(T).Name}");
}
