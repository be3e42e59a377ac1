using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Chain.Node.Storage;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Node.Ledger;

/// <summary>
/// Derived rows that find the actions on a domain object and the transactions of an account, in block order,
/// without scanning blocks (docs/STORAGE.md#domain-index). They live in the events column under a first byte 0,
/// which no event key has (an event key starts with its contract name's length, and a contract has a name), and are
/// written in the block's batch; a ledger opened with blocks not yet indexed indexes them first.
/// </summary>
internal static class DomainIndex
{
    private const byte Marker = 0, SubjectTag = (byte)'S', ActorTag = (byte)'A';
    private const int MaxSubjectsPerEvent = 16, MaxIdBytes = 256;

    /// <summary>Meta key: the height up to which blocks are indexed.</summary>
    public static readonly byte[] IndexedHeightKey = "domainindex"u8.ToArray();

    public readonly record struct Row(byte[] Key, byte[] Value);

    /// <summary>The index rows of one block: a subject row per (event, object it names), an actor row per transaction.</summary>
    public static IEnumerable<Row> RowsOf(Block block, IReadOnlyList<byte[]> txIds)
    {
        // Per transaction, in parallel for large blocks (the payload decode and the event JSON are the cost); kept in block order.
        var perTx = new List<Row>?[block.Transactions.Count];
        var names = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(); // checksummed addresses cost a Keccak each
        if (perTx.Length >= 64) Parallel.For(0, perTx.Length, i => perTx[i] = RowsOf(block, txIds, i, names));
        else for (int i = 0; i < perTx.Length; i++) perTx[i] = RowsOf(block, txIds, i, names);
        return perTx.SelectMany(rows => rows ?? []);
    }

    private static List<Row>? RowsOf(Block block, IReadOnlyList<byte[]> txIds, int i, System.Collections.Concurrent.ConcurrentDictionary<string, string> names)
    {
        List<Row>? rows = null;
        var header = block.Header;
        {
            var result = block.Results[i];
            if (result.Code == ValidationCode.DuplicateTxid) return null; // a copy: its original is indexed
            TxPayload? payload;
            try { payload = TxPayload.Parser.ParseFrom(block.Transactions[i].Payload); }
            catch (InvalidProtocolBufferException) { payload = null; }
            var txId = Hashes.ToHex(txIds[i]);
            bool signed = payload is not null && payload.Creator.Length == Address.Length;
            if (signed && header.Number > 0)
            {
                var action = new AccountAction
                {
                    TxId = txId, BlockNumber = header.Number, TxIndex = (uint)i, TimestampMs = header.TimestampMs,
                    Contract = payload!.Contract, Function = payload.Function, Code = result.Code, Message = result.Message,
                };
                (rows ??= []).Add(new Row(ActorKey(payload.Creator.Span, header.Number, (uint)i), action.ToByteArray()));
            }
            for (int e = 0; e < result.Events.Count; e++)
            {
                var ev = result.Events[e];
                var subjects = SubjectsOf(ev.Payload);
                if (subjects.Count == 0) continue;
                var creator = signed ? names.GetOrAdd(Convert.ToHexString(payload!.Creator.Span), _ => Address.ToText(payload.Creator.Span)) : "";
                var value = new SubjectEvent
                {
                    TxId = txId, BlockNumber = header.Number, TxIndex = (uint)i, EventIndex = (uint)e, TimestampMs = header.TimestampMs,
                    Contract = ev.Contract, Name = ev.Name, Payload = ev.Payload, Creator = creator,
                }.ToByteArray();
                foreach (var (kind, id) in subjects) (rows ??= []).Add(new Row(SubjectKey(ev.Contract, kind, id, header.Number, (uint)i, (uint)e), value));
            }
        }
        return rows;
    }

    /// <summary>The (kind, id) pairs an event payload names: top-level string fields "&lt;kind&gt;Id", in payload order, each once.</summary>
    internal static List<(string Kind, string Id)> SubjectsOf(ByteString payload)
    {
        var subjects = new List<(string, string)>();
        // Most events of a busy channel name no object (kv's do not): skip the JSON parse unless a field could end in "Id".
        if (payload.IsEmpty || payload.Span[0] != (byte)'{' || payload.Span.IndexOf("Id\":"u8) < 0) return subjects;
        try
        {
            using var document = JsonDocument.Parse(payload.Memory);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String || property.Name.Length <= 2 || !property.Name.EndsWith("Id", StringComparison.Ordinal)) continue;
                var id = property.Value.GetString()!;
                if (id.Length == 0 || Encoding.UTF8.GetByteCount(id) > MaxIdBytes) continue;
                var kind = property.Name[..^2];
                if (subjects.Contains((kind, id))) continue;
                subjects.Add((kind, id));
                if (subjects.Count == MaxSubjectsPerEvent) break;
            }
        }
        catch (JsonException) { }
        return subjects;
    }

    public static byte[] SubjectPrefix(string contract, string kind, string id)
    {
        var writer = new CanonicalWriter().U8(Marker).U8(SubjectTag).String(contract).String(kind).String(id);
        return writer.WrittenSpan.ToArray();
    }

    public static byte[] SubjectKey(string contract, string kind, string id, ulong block, uint tx, uint e) =>
        WithPosition(SubjectPrefix(contract, kind, id), block, tx, e);

    public static byte[] ActorPrefix(ReadOnlySpan<byte> address) => [Marker, ActorTag, .. address];

    public static byte[] ActorKey(ReadOnlySpan<byte> address, ulong block, uint tx) => WithPosition(ActorPrefix(address), block, tx, 0);

    /// <summary>Prefix || u64 block || u32 tx || u32 event, big-endian: keys sort in block order.</summary>
    public static byte[] WithPosition(byte[] prefix, ulong block, uint tx, uint e)
    {
        var key = new byte[prefix.Length + 16];
        prefix.CopyTo(key, 0);
        BinaryPrimitives.WriteUInt64BigEndian(key.AsSpan(prefix.Length), block);
        BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(prefix.Length + 8), tx);
        BinaryPrimitives.WriteUInt32BigEndian(key.AsSpan(prefix.Length + 12), e);
        return key;
    }

    public static (ulong Block, uint Tx, uint Event) PositionOf(ReadOnlySpan<byte> key) =>
        (BinaryPrimitives.ReadUInt64BigEndian(key[^16..]), BinaryPrimitives.ReadUInt32BigEndian(key[^8..]), BinaryPrimitives.ReadUInt32BigEndian(key[^4..]));
}
