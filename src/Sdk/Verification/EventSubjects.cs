using System.Text;
using System.Text.Json;
using Google.Protobuf;

namespace Chain.Sdk.Verification;

/// <summary>
/// Which domain objects an event names: the rule the node's domain index is keyed by, and that a verifier of a domain
/// history re-applies to each proven event (docs/STORAGE.md#domain-index).
/// </summary>
public static class EventSubjects
{
    private const int MaxSubjectsPerEvent = 16, MaxIdBytes = 256;

    /// <summary>The (kind, id) pairs an event payload names: top-level string fields "&lt;kind&gt;Id", in payload order, each once.</summary>
    public static List<(string Kind, string Id)> Of(ByteString payload)
    {
        var subjects = new List<(string, string)>();
        // Most events of a busy channel name no object (kv's do not): skip the JSON parse unless a field could end in "Id".
        if (payload.IsEmpty || payload.Span[0] != (byte)'{' || payload.Span.IndexOf("Id\""u8) < 0) return subjects;
        try
        {
            using var document = JsonDocument.Parse(payload.Memory);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String || property.Name.Length <= 2 || !property.Name.EndsWith("Id", StringComparison.Ordinal)) continue;
                var id = property.Value.GetString()!;
                if (id.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(id) > MaxIdBytes) continue;
                var kind = property.Name[..^2];
                if (subjects.Contains((kind, id))) continue;
                subjects.Add((kind, id));
                if (subjects.Count == MaxSubjectsPerEvent) break;
            }
        }
        catch (JsonException) { }
        return subjects;
    }
}
