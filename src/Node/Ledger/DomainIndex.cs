using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Chain.Node.Storage;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Sdk.Verification;
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
            // A copy (its original is indexed), or a transaction whose signature was never checked: its creator is only a claim.
            if (result.Code is ValidationCode.DuplicateTxid or ValidationCode.BadPayload or ValidationCode.BadSignature or ValidationCode.TooLarge) return null;
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

    /// <summary>The (kind, id) pairs an event payload names (<see cref="EventSubjects.Of"/>).</summary>
    internal static List<(string Kind, string Id)> SubjectsOf(ByteString payload) => EventSubjects.Of(payload);

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
