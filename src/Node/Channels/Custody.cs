using System.Collections.Concurrent;
using Chain.Protocol;

namespace Chain.Node.Channels;

/// <summary>
/// The transactions clients handed to this node that it acknowledged (admitted here, or relayed to the node that orders
/// the channel and admitted there) and has not yet seen committed. Each is kept until a block with it reaches this node,
/// and sent again (<see cref="Network.CustodyResender"/>) when the node that orders the channel changes (a new Raft
/// leader) or when nothing committed it for <see cref="ResendAfter"/>; a repeat is harmless, because a transaction is
/// applied at most once. So an acknowledged transaction is lost only if this node stops too (docs/API.md, What an
/// acknowledgement survives).
/// </summary>
/// <param name="limit">At most this many are kept; a client's transaction beyond it is refused with BUSY before anything is
/// acknowledged, so the promise is never made without the memory to keep it.</param>
internal sealed class Custody(int limit)
{
    /// <summary>How long a transaction may wait for its block before it is sent again though the orderer did not change.</summary>
    /// <remarks>Generous, because under heavy load a block can take seconds and every resend costs the orderer a signature check; a leader change is caught by the epoch at once.</remarks>
    public static readonly TimeSpan ResendAfter = TimeSpan.FromSeconds(15);

    private readonly ConcurrentDictionary<string, Held> _held = new(StringComparer.Ordinal);
    private int _count;
    private long _resent, _lost;

    /// <summary>One kept transaction: when it was last sent, and to which orderer (<see cref="OrdererEpoch"/>).</summary>
    internal sealed class Held(Transaction transaction)
    {
        public Transaction Transaction { get; } = transaction;
        public long SentAtMs { get; set; } = long.MaxValue; // not yet acknowledged
        public string? Epoch { get; set; }
        public int Sends { get; set; }
    }

    public enum Reservation { Reserved, AlreadyHeld, Full }

    public int Limit => limit;
    public int Count => Volatile.Read(ref _count);
    /// <summary>Transactions sent again since the node started.</summary>
    public long Resent => Interlocked.Read(ref _resent);
    /// <summary>Acknowledged transactions that could not be ordered any more (refused on a later send, for example expired).</summary>
    public long Lost => Interlocked.Read(ref _lost);

    /// <summary>Takes a place for a client's transaction before it is routed.</summary>
    public Reservation Reserve(string txId, Transaction transaction)
    {
        if (_held.ContainsKey(txId)) return Reservation.AlreadyHeld;
        if (Interlocked.Increment(ref _count) > limit)
        {
            Interlocked.Decrement(ref _count);
            return Reservation.Full;
        }
        if (_held.TryAdd(txId, new Held(transaction))) return Reservation.Reserved;
        Interlocked.Decrement(ref _count);
        return Reservation.AlreadyHeld;
    }

    /// <summary>The transaction was acknowledged (or sent again) while <paramref name="epoch"/> ordered the channel.</summary>
    public void Sent(string txId, string epoch, long nowMs)
    {
        if (!_held.TryGetValue(txId, out var held)) return;
        held.Epoch = epoch;
        held.SentAtMs = nowMs;
        if (held.Sends++ > 0) Interlocked.Increment(ref _resent);
    }

    /// <summary>Gives up a place: the transaction was not acknowledged, or it can no longer be ordered (<paramref name="lost"/>).</summary>
    public void Release(string txId, bool lost = false)
    {
        if (!_held.TryRemove(txId, out _)) return;
        Interlocked.Decrement(ref _count);
        if (lost) Interlocked.Increment(ref _lost);
    }

    /// <summary>A block with these transactions reached this node.</summary>
    public void Committed(IReadOnlyList<string> txIds)
    {
        if (Volatile.Read(ref _count) == 0) return;
        foreach (var txId in txIds)
            if (_held.TryRemove(txId, out _)) Interlocked.Decrement(ref _count);
    }

    /// <summary>
    /// The acknowledged transactions to send again now: those sent while another node ordered the channel, and those
    /// waiting longer than <see cref="ResendAfter"/>, oldest first, at most <paramref name="max"/>.
    /// </summary>
    public List<KeyValuePair<string, Held>> Due(string epoch, long nowMs, int max)
    {
        var due = new List<KeyValuePair<string, Held>>();
        foreach (var entry in _held)
        {
            var held = entry.Value;
            if (held.SentAtMs == long.MaxValue) continue; // still on its first route
            if (held.Epoch != epoch || nowMs - held.SentAtMs >= (long)ResendAfter.TotalMilliseconds) due.Add(entry);
        }
        due.Sort((a, b) => a.Value.SentAtMs.CompareTo(b.Value.SentAtMs));
        if (due.Count > max) due.RemoveRange(max, due.Count - max);
        return due;
    }

    /// <summary>
    /// Which leadership orders the channel as this node sees it: the Raft term, and whether it has a leader (a term has at
    /// most one). A change means a transaction acknowledged before may have been lost with the old leader. Solo and
    /// observed channels never change epoch; their kept transactions are only sent again after <see cref="ResendAfter"/>.
    /// </summary>
    public static string OrdererEpoch(Consensus.OrdererStatus status) =>
        $"{status.Term}/{(status.Role == "leader" || status.Leader is not null ? "led" : "no leader")}";
}
