using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Chain.Contracts.Abstractions;

/// <summary>The one JSON encoding of contract state values, events and query results.</summary>
/// <remarks>
/// Deterministic: properties are written in declaration order, enums as their names, no indentation.
/// State types therefore use lists, never dictionaries or sets.
/// </remarks>
public static class ContractJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Compile-time metadata of the contracts' state types first; reflection for the rest (events, query results).
        TypeInfoResolver = System.Text.Json.Serialization.Metadata.JsonTypeInfoResolver.Combine(Charity.CharityJson.Default, DemolitionFund.FundJson.Default, new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver()),
    };

    public static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Options);

    public static T Deserialize<T>(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize<T>(utf8, Options) ?? throw new InvalidDataException($"state value is null, expected {typeof(T).Name}");

    /// <summary>SHA-256 (lower-case hex) of a value's canonical JSON; identifies a request's content.</summary>
    public static string ContentHash<T>(T value) => Convert.ToHexStringLower(SHA256.HashData(Serialize(value)));
}

/// <summary>Typed state access over <see cref="IContractContext"/>.</summary>
public static class ContractStateExtensions
{
    public static T? Get<T>(this IContractContext context, string key) where T : class =>
        context.GetState(key) is { } bytes ? ContractJson.Deserialize<T>(bytes) : null;

    public static T Require<T>(this IContractContext context, string key, string what) where T : class =>
        context.Get<T>(key) ?? throw new ContractException(ContractErrors.NotFound, $"{what} does not exist");

    public static void Put<T>(this IContractContext context, string key, T value) => context.PutState(key, ContractJson.Serialize(value));

    public static void Emit<T>(this IContractContext context, string name, T payload) => context.EmitEvent(name, ContractJson.Serialize(payload));

    public static bool Exists(this IContractContext context, string key) => context.GetState(key) is not null;

    public static long GetLong(this IContractContext context, string key) =>
        context.GetState(key) is { } bytes ? long.Parse(Encoding.UTF8.GetString(bytes), System.Globalization.CultureInfo.InvariantCulture) : 0;

    public static void PutLong(this IContractContext context, string key, long value) =>
        context.PutState(key, Encoding.UTF8.GetBytes(value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
