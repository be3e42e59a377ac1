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
/// without scanning blocks (docs/STORAGE.md#domain-index). They live in the events column (keys: <see cref="KeyCodec.SubjectKey"/>,
/// <see cref="KeyCodec.ActorKey"/>) and are written in the block's batch; a ledger opened with blocks not yet indexed indexes them first.
/// </summary>
internal static class DomainIndex
{

    /// <summary>Meta key: the height up to which blocks are indexed.</summary>
    public static readonly byte[] IndexedHeightKey = "domainindex"u8.ToArray();

    public readonly record struct Row(byte[] Key, byte[] Value);

    /// <summary>
    /// The index rows of one block: per event that names objects its body and an empty row per object it names (the
    /// reader follows the row's position to the body, <see cref="ChannelLedger.ReadIndex"/>); an actor row per transaction.
    /// </summary>
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
                (rows ??= []).Add(new Row(KeyCodec.ActorKey(payload.Creator.Span, header.Number, (uint)i), action.ToByteArray()));
            }
            for (int e = 0; e < result.Events.Count; e++)
            {
                var ev = result.Events[e];
                var subjects = SubjectsOf(ev.Payload);
                if (subjects.Count == 0) continue;
                var creator = signed ? names.GetOrAdd(Convert.ToHexString(payload!.Creator.Span), _ => Address.ToText(payload.Creator.Span)) : "";
                var body = new SubjectEvent
                {
                    TxId = txId, BlockNumber = header.Number, TxIndex = (uint)i, EventIndex = (uint)e, TimestampMs = header.TimestampMs,
                    Contract = ev.Contract, Name = ev.Name, Payload = ev.Payload, Creator = creator,
                }.ToByteArray();
                // The body once; each object's row is empty and found by its position (an event names up to 16 objects).
                (rows ??= []).Add(new Row(KeyCodec.EventBody(header.Number, (uint)i, (uint)e), body));
                foreach (var (kind, id) in subjects) rows.Add(new Row(KeyCodec.SubjectKey(ev.Contract, kind, id, header.Number, (uint)i, (uint)e), []));
            }
        }
        return rows;
    }

    /// <summary>The (kind, id) pairs an event payload names (<see cref="EventSubjects.Of"/>).</summary>
    internal static List<(string Kind, string Id)> SubjectsOf(ByteString payload) => EventSubjects.Of(payload);
}
