using System.Globalization;
using System.Text.Json;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;

namespace Chain.Cli.Commands.Operate;

/// <summary>
/// Which events move money, from where to where, for audit exports: the one mapping that <c>audit export</c> writes
/// with and <c>audit verify-export</c> re-derives with (docs/AUDIT.md#what-a-row-is).
/// </summary>
internal static class FundMovements
{
    /// <summary>One movement: the transaction, who signed it, the event, the amount in fen, from, to and the object it concerns.</summary>
    public sealed record Row(string TxId, ulong Block, uint TxIndex, uint EventIndex, long TimestampMs, string Actor, string Organization,
        string Event, long AmountFen, string Source, string Destination, string Subject);

    private delegate (long Amount, string Source, string Destination, string Subject)? Rule(JsonElement e);

    private static string S(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
    private static long L(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.TryGetInt64(out var n) ? n : 0;

    private static readonly Dictionary<(string Contract, string Event), Rule> Rules = new()
    {
        [("charity", "DonationConfirmed")] = e => (L(e, "amount"), "bank:" + S(e, "bankId"), "pool:" + S(e, "pool"), "donation:" + S(e, "donationId")),
        [("charity", "RefundPaid")] = e => (L(e, "amount"), "donation:" + S(e, "donationId"), "donor", "refund:" + S(e, "refundId")),
        [("charity", "FundsAllocated")] = e => (L(e, "amount"), "pool:" + S(e, "fromPool"), "campaign:" + S(e, "toCampaign"), "alloc:" + S(e, "allocId")),
        [("charity", "DisbursementPaid")] = e => (L(e, "amount"), "pool:" + S(e, "poolId"), "payee:" + S(e, "payeeType"), "disb:" + S(e, "disbId")),
        [("charity", "LeftoverSettled")] = e => L(e, "moved") == 0 ? null
            : (L(e, "moved"), "campaign:" + S(e, "campaignId"), S(e, "targetCampaignId") is { Length: > 0 } t ? "campaign:" + t : "rule:" + S(e, "rule"), "campaign:" + S(e, "campaignId")),
        [("charity", "CampaignCancelled")] = e => L(e, "allocationReturned") == 0 ? null
            : (L(e, "allocationReturned"), "campaign:" + S(e, "campaignId"), "pool:U:" + S(e, "charityId"), "campaign:" + S(e, "campaignId")),
        [("demolition-fund", "DepositConfirmed")] = e => (L(e, "amount"), "finance", "project:" + S(e, "projectId"), "deposit:" + S(e, "depositId")),
        [("demolition-fund", "PaymentConfirmed")] = e => (L(e, "amount"), "project:" + S(e, "projectId"), "hh:" + S(e, "hhId"), "pay:" + S(e, "payId")),
        [("demolition-fund", "LeftoverReturned")] = e => (L(e, "amount"), "project:" + S(e, "projectId"), "finance", "return:" + S(e, "returnId")),
    };

    /// <summary>The movements of a block's VALID transactions, in block order, each with its signer's organisation.</summary>
    public static async IAsyncEnumerable<Row> OfAsync(Block block, Func<string, Task<string>> organizationOf)
    {
        for (int i = 0; i < block.Transactions.Count; i++)
        {
            var result = block.Results[i];
            if (result.Code != ValidationCode.Valid) continue;
            string? actor = null;
            for (int e = 0; e < result.Events.Count; e++)
            {
                var ev = result.Events[e];
                if (!Rules.TryGetValue((ev.Contract, ev.Name), out var rule)) continue;
                using var payload = JsonDocument.Parse(ev.Payload.Memory);
                if (rule(payload.RootElement) is not { } move) continue;
                actor ??= Address.ToText(TxPayload.Parser.ParseFrom(block.Transactions[i].Payload).Creator.Span);
                yield return new Row(Hashes.ToHex(ProtocolHashes.TxId(block.Transactions[i].Payload.Span)), block.Header.Number, (uint)i, (uint)e, block.Header.TimestampMs,
                    actor, await organizationOf(actor), ev.Name, move.Amount, move.Source, move.Destination, move.Subject);
            }
        }
    }

    public static string Yuan(long fen) => Chain.Contracts.Domain.Money.Format(fen);

    public static string Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(DomainCli.ChinaOffset).ToString("yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture);

    public static readonly string[] Columns = ["tx_id", "block", "tx_index", "event_index", "time", "actor", "organization", "event", "amount_fen", "amount_yuan", "source", "destination", "subject"];

    public static string[] Fields(Row r) =>
        [r.TxId, r.Block.ToString(CultureInfo.InvariantCulture), r.TxIndex.ToString(CultureInfo.InvariantCulture), r.EventIndex.ToString(CultureInfo.InvariantCulture), Time(r.TimestampMs),
         r.Actor, r.Organization, r.Event, r.AmountFen.ToString(CultureInfo.InvariantCulture), Yuan(r.AmountFen), r.Source, r.Destination, r.Subject];

    public static string CsvLine(IEnumerable<string> fields) => string.Join(",", fields.Select(f => f.IndexOfAny([',', '"', '\n', '\r']) < 0 ? f : "\"" + f.Replace("\"", "\"\"") + "\""));

    public static string JsonLine(Row r)
    {
        var fields = Fields(r);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            for (int i = 0; i < Columns.Length; i++) writer.WriteString(Columns[i], fields[i]);
            writer.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
