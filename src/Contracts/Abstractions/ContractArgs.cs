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

    public int OptionalInt(string name, int defaultValue, int min, int max)
    {
        if (!Root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return defaultValue;
        return (int)RequiredLong(name, min, max);
    }

    private static ContractException Missing(string name, string type) =>
        new(ContractErrors.BadArgs, $"missing required argument '{name}' ({type})");

    private static ContractException WrongType(string name, string type, JsonElement value) =>
        new(ContractErrors.BadArgs, $"'{name}' must be a {type}, got {value.ValueKind}");
}
