using System.Net;

namespace Chain.Node.Consensus.Raft;

/// <summary>
/// This node's member of a channel's Raft group, as the orderer uses it: leadership, replication of entries (each one
/// block) and membership changes. Committed entries reach the ledger through the group's <see cref="RaftApplier"/>.
/// <see cref="DotNextRaftGroup"/> is the real one; tests drive the orderer with an in-process group.
/// </summary>
internal interface IRaftGroup : IAsyncDisposable
{
    /// <summary>Raised when the group learns of a new leader (null while it has none).</summary>
    event Action<RaftLeader?>? LeaderChanged;

    long Term { get; }

    /// <summary>Entries this member knows are committed but has not applied to the ledger yet.</summary>
    long Unapplied { get; }

    /// <summary>Cancelled while this member does not lead.</summary>
    CancellationToken LeadershipToken { get; }

    IReadOnlyList<EndPoint> Members { get; }

    Task StartAsync(CancellationToken cancel);

    /// <summary>Leaves the group's work (no more votes or entries); the applier stops with <see cref="IAsyncDisposable.DisposeAsync"/>.</summary>
    Task StopAsync(CancellationToken cancel);

    /// <summary>Waits until this member leads; the token is cancelled when the leadership ends.</summary>
    Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancel);

    /// <summary>Waits until everything committed in earlier terms is applied here.</summary>
    Task ApplyReadBarrierAsync(CancellationToken cancel);

    /// <summary>Appends one entry and waits until a majority stored it; <paramref name="context"/> reaches this member's applier with it.</summary>
    Task ReplicateAsync(byte[] entry, ProposedBlock context, CancellationToken leadership);

    /// <summary>Sends a replication round now, so followers learn the commit index without waiting for the next heartbeat.</summary>
    Task ForceReplicationAsync(CancellationToken leadership);

    Task<bool> AddMemberAsync(EndPoint member, CancellationToken leadership);

    Task<bool> RemoveMemberAsync(EndPoint member, CancellationToken leadership);
}

/// <summary>The group's leader: its Raft endpoint, and its metadata (node id, peer URL) once asked for.</summary>
internal sealed record RaftLeader(EndPoint EndPoint, Func<bool, CancellationToken, Task<IReadOnlyDictionary<string, string>>> Metadata);

/// <summary>Creates this node's member of the group whose initial members are <paramref name="members"/>, listening on <paramref name="listen"/>.</summary>
internal delegate IRaftGroup RaftGroupFactory(IPEndPoint listen, IReadOnlyList<EndPoint> members, RaftApplier applier);
