using System.Buffers.Binary;
using DotNext.IO;
using DotNext.Net.Cluster.Consensus.Raft.StateMachine;

namespace Chain.Node.Consensus.Raft;

/// <summary>
/// The Raft state machine of a channel is its RocksDB ledger: every committed log entry is one block, applied in log
/// order by the <see cref="RaftApplier"/>. The ledger is the source of truth, so a snapshot is only (height, last block
/// hash): a node that receives one pulls the missing blocks from its peers, verifying each, before going on.
/// </summary>
internal sealed class LedgerStateMachine(DirectoryInfo location, IConsenterSupport channel, RaftApplier applier, int snapshotInterval) : SimpleStateMachine(location)
{
    private const int SnapshotBytes = sizeof(ulong) + 32;

    /// <summary>The folder of the snapshots.</summary>
    public DirectoryInfo Location { get; } = location;
    private long _sinceSnapshot;

    protected override async ValueTask<bool> ApplyAsync(LogEntry entry, CancellationToken token)
    {
        if (entry.IsConfiguration || !entry.TryGetPayload(out var payload) || payload.IsEmpty) return false;
        await applier.ApplyAsync(payload, entry.Context as ProposedBlock, entry.Index, entry.Term);
        return ++_sinceSnapshot % snapshotInterval == 0;
    }

    protected override ValueTask PersistAsync(IAsyncBinaryWriter writer, CancellationToken token)
    {
        var head = channel.Head;
        var buffer = new byte[SnapshotBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, head.Height);
        head.LastHash.CopyTo(buffer.AsSpan(sizeof(ulong)));
        return writer.Invoke(buffer, token);
    }

    /// <summary>Called at start with this node's latest snapshot, and when the leader sends one because its log no longer has the entries this node lacks.</summary>
    protected override async ValueTask RestoreAsync(FileInfo snapshotFile, CancellationToken token)
    {
        var buffer = await File.ReadAllBytesAsync(snapshotFile.FullName, token);
        if (buffer.Length < SnapshotBytes) throw new InvalidDataException($"Raft snapshot {snapshotFile.FullName} is {buffer.Length} bytes, expected {SnapshotBytes}");
        applier.CatchUpTo(BinaryPrimitives.ReadUInt64LittleEndian(buffer), buffer[sizeof(ulong)..SnapshotBytes]);
    }
}
