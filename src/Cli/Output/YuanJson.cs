using System.Text.Json;
using System.Text.Json.Nodes;
using Chain.Contracts.Abstractions;

namespace Chain.Cli.Output;

/// <summary>
/// The domain contracts keep money in integer fen; people read yuan. This rewrites every amount field of a
/// contract result (by name) as yuan text with two decimals, e.g. 20000 → "200.00", for both output formats.
/// Areas, kept in hundredths of a square metre, are shown the same way (8550 → "85.50").
/// </summary>
public static class YuanJson
{
    private static readonly HashSet<string> AmountFields = new(StringComparer.Ordinal)
    {
        "amount", "remaining", "reserved", "balance", "paid", "refunded", "received", "receivedUnrestricted", "allocatedIn", "movedIn", "movedOut",
        "paidCharitable", "paidManagement", "paidFundraising", "paidOther", "paidFromUnrestricted", "managementCommitted", "inflows", "outflows",
        "unrestricted", "restricted", "subGrants", "total", "income", "refunds", "charitable", "management", "fundraising", "other", "used", "target",
        "moved", "incomePriorYear", "netAssetsPriorYearEnd", "charitableSpend", "managementSpend", "totalSpend", "requiredSpend", "in", "out",
        "dualApprovalThreshold", "donated", "mgmtSpend", "netAssetsEnd", "restrictedTimeAdj",
        // demolition fund
        "budget", "deposited", "committed", "idle", "payable", "receivable", "approved", "returned", "appraised", "pending", "houseValue", "valueAmount", "unitPrice", "price",
        // areas are hundredths of a square metre: the same two-decimal text
        "certified", "unregisteredLegal", "legacy", "area",
    };

    public static JsonNode? Convert(byte[] result)
    {
        var node = Printer.ResultAsJson(result);
        Rewrite(node);
        return node;
    }

    private static void Rewrite(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (AmountFields.Contains(name) && value is JsonValue v && v.TryGetValue<long>(out var fen)) obj[name] = Money.Format(fen);
                    else Rewrite(value);
                }
                break;
            case JsonArray array:
                foreach (var item in array) Rewrite(item);
                break;
        }
    }

    public static string Indented(JsonNode? node) => node?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null";
}
