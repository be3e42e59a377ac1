using System.Buffers;
using System.Net;
using Chain.Node.Consensus.Raft;

namespace Chain.Tests.TestKit;

/// <summary>
/// A Raft group in process, for driving a <see cref="RaftOrderer"/> without sockets: the test elects and deposes this
/// member, announces other leaders, and sees every entry; an entry counts as committed as soon as it is appended
/// and is applied at once through the orderer's own <see cref="RaftApplier"/>.
/// </summary>
internal sealed class FakeRaftGroup : IRaftGroup
{
    private CancellationTokenSource _leadership = Cancelled();
    private TaskCompletionSource<CancellationToken> _elected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<EndPoint> _members = [];

    public RaftApplier? Applier { get; private set; }
    public List<byte[]> Log { get; } = [];
    /// <summary>Runs before an entry of this member is appended (with the entry's index): a test can make another block win the height first, or hold the entry.</summary>
    public Func<int, Task>? BeforeAppend { get; set; }
    public bool Started { get; private set; }

    public RaftGroupFactory Factory => (_, members, applier) =>
    {
        Applier = applier;
        _members.AddRange(members);
        return this;
    };

    public event Action<RaftLeader?>? LeaderChanged;
    public long Term { get; private set; }
    public long Unapplied => 0;
    public CancellationToken LeadershipToken => _leadership.Token;
    public IReadOnlyList<EndPoint> Members => _members.ToList();

    public void Elect()
    {
        Term++;
        _leadership = new CancellationTokenSource();
        _elected.TrySetResult(_leadership.Token);
    }

    public void Depose()
    {
        var deposed = _leadership;
        _elected = new TaskCompletionSource<CancellationToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        deposed.Cancel();
    }

    /// <summary>Another member leads (or none, with null): the orderer learns of it as from the real group.</summary>
    public void Announce(EndPoint? leader, IReadOnlyDictionary<string, string>? metadata = null) =>
        LeaderChanged?.Invoke(leader is null ? null : new RaftLeader(leader, (_, _) => Task.FromResult(metadata ?? new Dictionary<string, string>())));

    /// <summary>An entry another leader appended: applied like every committed entry.</summary>
    public Task ApplyForeignAsync(byte[] block)
    {
        Log.Add(block);
        return Applier!.ApplyAsync(new ReadOnlySequence<byte>(block), null, Log.Count, Term);
    }

    public Task StartAsync(CancellationToken cancel)
    {
        Started = true;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancel) => Task.CompletedTask;

    public Task<CancellationToken> WaitForLeadershipAsync(CancellationToken cancel) => _elected.Task.WaitAsync(cancel);

    public Task ApplyReadBarrierAsync(CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    public async Task ReplicateAsync(byte[] entry, ProposedBlock context, CancellationToken leadership)
    {
        leadership.ThrowIfCancellationRequested();
        if (BeforeAppend is { } hook) await hook(Log.Count + 1);
        leadership.ThrowIfCancellationRequested();
        Log.Add(entry);
        await Applier!.ApplyAsync(new ReadOnlySequence<byte>(entry), context, Log.Count, Term);
    }

    public Task ForceReplicationAsync(CancellationToken leadership) => Task.CompletedTask;

    public Task<bool> AddMemberAsync(EndPoint member, CancellationToken leadership)
    {
        _members.Add(member);
        return Task.FromResult(true);
    }

    public Task<bool> RemoveMemberAsync(EndPoint member, CancellationToken leadership) => Task.FromResult(_members.Remove(member));

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static CancellationTokenSource Cancelled()
    {
        var source = new CancellationTokenSource();
        source.Cancel();
        return source;
    }
}
