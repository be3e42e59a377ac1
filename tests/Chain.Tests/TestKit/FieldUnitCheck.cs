using System.Text.Json;
using Chain.Contracts.Abstractions;
using Xunit;

namespace Chain.Tests.TestKit;

/// <summary>
/// Checks a contract's <see cref="FieldUnits"/> declaration against what it really writes: every integer field of
/// its state objects, events and query answers must be declared, so clients never have to guess what a number is.
/// </summary>
public static class FieldUnitCheck
{
    public static void AssertDeclared(FieldUnits units, MemoryContractHost host, IEnumerable<(string Source, JsonElement Json)> answers)
    {
        var documents = new List<(string, JsonElement)>(answers);
        foreach (var (key, value) in host.Entries(""))
        {
            if (value.Length == 0 || value[0] is not ((byte)'{' or (byte)'[')) continue;
            documents.Add(("state " + key, JsonDocument.Parse(value).RootElement));
        }
        documents.AddRange(host.Events.Select(e => ("event " + e.Name, e.Payload)));
        var undeclared = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (source, json) in documents)
            foreach (var field in IntegerFields(json))
                if (!units.IsDeclared(field)) undeclared.TryAdd(field, source);
        Assert.True(undeclared.Count == 0, "integer fields missing from the contract's FieldUnits: " + string.Join(", ", undeclared.Select(kv => $"{kv.Key} (in {kv.Value})")));
    }

    private static IEnumerable<string> IntegerFields(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.Number) yield return property.Name;
                    else foreach (var inner in IntegerFields(property.Value)) yield return inner;
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                    foreach (var inner in IntegerFields(item)) yield return inner;
                break;
        }
    }
}
