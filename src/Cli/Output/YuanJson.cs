using System.Text.Json;
using System.Text.Json.Nodes;
using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Cli.Output;

/// <summary>
/// The domain contracts keep money in integer fen; people read yuan. This rewrites the fields a contract
/// declares as fen (or as hundredths of a square metre, <see cref="FieldUnits"/>) as text with two decimals,
/// e.g. 20000 → "200.00", 8550 → "85.50", for both output formats. No field is guessed from its name.
/// </summary>
internal static class YuanJson
{
    public static JsonNode? Convert(string contract, byte[] result)
    {
        var node = Printer.ResultAsJson(result);
        Rewrite(node, Chain.Contracts.BuiltInContracts.UnitsOf(contract));
        return node;
    }

    private static void Rewrite(JsonNode? node, FieldUnits units)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (units.IsHundredths(name) && value is JsonValue v && v.TryGetValue<long>(out var hundredths)) obj[name] = Money.Format(hundredths);
                    else Rewrite(value, units);
                }
                break;
            case JsonArray array:
                foreach (var item in array) Rewrite(item, units);
                break;
        }
    }

}
