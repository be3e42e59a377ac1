using Chain.Node.Storage.Rocks;

namespace Chain.Node.Ledger;

/// <summary>Committed state as of <see cref="Head"/>, unaffected by later commits. Dispose when done.</summary>
internal sealed class LedgerSnapshot : IStateReader, IDisposable
{
    private readonly ChannelLedger _ledger;
    private readonly StoreSnapshot _snapshot;

    internal LedgerSnapshot(ChannelLedger ledger, StoreSnapshot snapshot, ChainHead head)
    {
        _ledger = ledger;
        _snapshot = snapshot;
        Head = head;
    }

    public ChainHead Head { get; }
    public string Channel => _ledger.Channel;

    public byte[]? GetState(ReadOnlySpan<byte> stateKey) => _ledger.ReadState(stateKey, _snapshot);

    public IEnumerable<KeyValuePair<byte[], byte[]>> ScanState(byte[] lower, byte[]? upper, int limit) => _ledger.ReadScan(lower, upper, limit, _snapshot);

    public IEnumerable<HistoryRecord> GetHistory(byte[] stateKey, ulong fromBlock, uint fromTx, int limit) => _ledger.ReadHistory(stateKey, fromBlock, fromTx, limit, _snapshot);

    public void Dispose() => _snapshot.Dispose();
}

/// <summary>Read access to committed state: the live ledger (for the committer) or a snapshot (for queries).</summary>
internal interface IStateReader
{
    string Channel { get; }
    byte[]? GetState(ReadOnlySpan<byte> stateKey);
    IEnumerable<KeyValuePair<byte[], byte[]>> ScanState(byte[] lower, byte[]? upper, int limit);
    IEnumerable<HistoryRecord> GetHistory(byte[] stateKey, ulong fromBlock, uint fromTx, int limit);
}
