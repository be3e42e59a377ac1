using System.Text.Json;

namespace Chain.Contracts.Abstractions;

/// <summary>Typed access to a call's JSON object arguments, with specific errors for what is missing or wrong.</summary>
public readonly struct ContractArgs(JsonElement root)
{
    public JsonElement Root { get; } = root;

    public static ContractArgs Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.IsEmpty) utf8Json = "{}"u8;
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = 32 });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new ContractException(ContractErrors.BadArgs, $"args are not valid JSON: {e.Message}");
        }
        if (document.RootElement.ValueKind != JsonValueKind.Object)
            throw new ContractException(ContractErrors.BadArgs, $"args must be a JSON object, got {document.RootElement.ValueKind}");
        return new ContractArgs(document.RootElement);
    }

    public string RequiredString(string name, int maxLength = 1024)
    {
        if (!Root.TryGetProperty(name, out var value)) throw Missing(name, "string");
        if (value.ValueKind != JsonValueKind.String) throw WrongType(name, "string", value);
        var text = value.GetString()!;
        if (text.Length == 0) throw new ContractException(ContractErrors.BadArgs, $"'{name}' must not be empty");
        if (text.Length > maxLength) throw new ContractException(ContractErrors.BadArgs, $"'{name}' is {text.Length} characters, at most {maxLength} allowed");
        return text;
    }

    public string? OptionalString(string name, int maxLength = 1024)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return RequiredString(name, maxLength);
    }

    public long RequiredLong(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!Root.TryGetProperty(name, out var value)) throw Missing(name, "integer");
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var number)) throw WrongType(name, "integer", value);
        if (number < min || number > max) throw new ContractException(ContractErrors.BadArgs, $"'{name}' is {number}, allowed range is {min}..{max}");
        return number;
    }

    /// <summary>The latest time an argument may name: 9999-12-31T23:59:59.999Z, so time arithmetic cannot overflow.</summary>
    public const long MaxTimeMs = 253_402_300_799_999;

    /// <summary>A time as Unix milliseconds in 0..<see cref="MaxTimeMs"/>.</summary>
    public long RequiredTime(string name) => RequiredLong(name, 0, MaxTimeMs);

    public long? OptionalTime(string name) => Has(name) ? RequiredTime(name) : null;

    public int OptionalInt(string name, int defaultValue, int min, int max)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return defaultValue;
        return (int)RequiredLong(name, min, max);
    }

    public long? OptionalLong(string name, long min = long.MinValue, long max = long.MaxValue)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return RequiredLong(name, min, max);
    }

    public bool RequiredBool(string name)
    {
        if (!Root.TryGetProperty(name, out var value)) throw Missing(name, "boolean");
        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw WrongType(name, "boolean", value);
        return value.GetBoolean();
    }

    public bool OptionalBool(string name, bool defaultValue)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return defaultValue;
        return RequiredBool(name);
    }

    /// <summary>A client-chosen identifier: 1..64 characters from A–Z, a–z, 0–9, '.', '_' and '-'.</summary>
    public string RequiredId(string name)
    {
        var id = RequiredString(name, MaxIdLength);
        ValidateId(name, id);
        return id;
    }

    public string? OptionalId(string name) => Has(name) ? RequiredId(name) : null;

    public const int MaxIdLength = 64;

    public static void ValidateId(string name, string id)
    {
        if (id.Length is 0 or > MaxIdLength || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            throw new ContractException(ContractErrors.BadArgs, $"'{name}' must be 1..{MaxIdLength} characters of A-Z, a-z, 0-9, '.', '_' or '-', got \"{Truncate(id)}\"");
    }

    /// <summary>A SHA-256 digest as 64 lower-case hex characters (evidence, reports, hashed references).</summary>
    public string RequiredHash(string name)
    {
        var text = RequiredString(name, 64);
        ValidateHash(name, text);
        return text;
    }

    public string? OptionalHash(string name) => Has(name) ? RequiredHash(name) : null;

    public static void ValidateHash(string name, string text)
    {
        if (text.Length != 64 || !text.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'))
            throw new ContractException(ContractErrors.BadArgs, $"'{name}' must be a SHA-256 digest as 64 lower-case hex characters, got \"{Truncate(text)}\"");
    }

    public TEnum RequiredEnum<TEnum>(string name) where TEnum : struct, Enum => ParseEnum<TEnum>(name, RequiredString(name, 64));

    /// <summary>
    /// The one reading of an enum argument (case-insensitive names, never numbers), shared with clients that build
    /// argument records, so they refuse a bad value with the contract's own words.
    /// </summary>
    public static TEnum ParseEnum<TEnum>(string name, string text) where TEnum : struct, Enum
    {
        if (text.Length == 0 || !Enum.TryParse<TEnum>(text, ignoreCase: true, out var value) || !Enum.IsDefined(value) || char.IsAsciiDigit(text[0]))
            throw new ContractException(ContractErrors.BadArgs, $"'{name}' must be one of {string.Join(", ", Enum.GetNames<TEnum>())}, got \"{Truncate(text)}\"");
        return value;
    }

    public TEnum OptionalEnum<TEnum>(string name, TEnum defaultValue) where TEnum : struct, Enum => Has(name) ? RequiredEnum<TEnum>(name) : defaultValue;

    /// <summary>An array argument; each element is read by <paramref name="read"/> with its index-qualified name.</summary>
    public IReadOnlyList<T> List<T>(string name, Func<JsonElement, string, T> read, int maxCount, bool required)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required) throw Missing(name, "array");
            return [];
        }
        if (value.ValueKind != JsonValueKind.Array) throw WrongType(name, "array", value);
        int count = value.GetArrayLength();
        if (count > maxCount) throw new ContractException(ContractErrors.BadArgs, $"'{name}' has {count} items, at most {maxCount} allowed");
        var items = new List<T>(count);
        int i = 0;
        foreach (var item in value.EnumerateArray()) items.Add(read(item, $"{name}[{i++}]"));
        return items;
    }

    public bool Has(string name) => Root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>The arguments of one element of an array argument.</summary>
    public static ContractArgs Of(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object) throw WrongType(name, "object", element);
        return new ContractArgs(element);
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";

    private static ContractException Missing(string name, string type) =>
        new(ContractErrors.BadArgs, $"missing required argument '{name}' ({type})");

    private static ContractException WrongType(string name, string type, JsonElement value) =>
        new(ContractErrors.BadArgs, $"'{name}' must be a {type}, got {value.ValueKind}");
}
