using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chain.Cli.Commands;

namespace Chain.Cli.Output;

/// <summary>Writes a command's result either as indented JSON (for scripts) or as aligned "name  value" lines.</summary>
internal static class Printer
{
    /// <summary>The one JSON output format of the CLI: camel case, indented.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Indented(JsonNode? node) => node?.ToJsonString(Json) ?? "null";

    public static bool IsJson(ParseResult parseResult) => parseResult.GetValue(GlobalOptions.Output) == "json";

    public static void Print(ParseResult parseResult, object model, Action? table = null)
    {
        if (IsJson(parseResult) || table is null)
        {
            Console.Out.WriteLine(JsonSerializer.Serialize(model, model.GetType(), Json));
            return;
        }
        table();
    }

    public static void Pairs(params (string Name, object? Value)[] rows)
    {
        var width = rows.Max(r => r.Name.Length);
        foreach (var (name, value) in rows) Console.Out.WriteLine($"{name.PadRight(width)}  {value}");
    }

    /// <summary>Contract results are JSON when they can be; anything else is shown as UTF-8 text.</summary>
    public static JsonNode? ResultAsJson(byte[] result)
    {
        if (result.Length == 0) return null;
        try { return JsonNode.Parse(result); }
        catch (JsonException) { return JsonValue.Create(System.Text.Encoding.UTF8.GetString(result)); }
    }
}
