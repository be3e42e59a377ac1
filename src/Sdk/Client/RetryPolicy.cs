using Grpc.Core;

namespace Chain.Sdk.Client;

/// <summary>
/// The one retry policy of Chain's clients (the SDK's submissions, the CLI, <c>chain bench</c>): a call refused with a
/// transient code (<see cref="ErrorCodes.IsTransient"/>: NOT_LEADER, NO_LEADER, NO_ORDERER, BUSY, STOPPING, HALTED) or
/// cut off by a lost connection is sent again, the same signed transaction, after a jittered, doubling pause, until
/// <see cref="Deadline"/> has passed since the first try. HALTED, STOPPING and a lost connection move to the client's
/// next endpoint first (<see cref="ChainClient.FailOver"/>). Safe because a transaction is applied at most once: a repeat
/// of one that got through is refused as DUPLICATE_TXID, and the caller then reports the original commit.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Up to 60 s of retries, pauses from 100 ms doubling to 2 s.</summary>
    public static readonly RetryPolicy Default = new();

    /// <summary>One try: the first refusal is the answer.</summary>
    public static readonly RetryPolicy Never = new() { Deadline = TimeSpan.Zero };

    /// <summary>No new try starts later than this after the first one.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan FirstPause { get; init; } = TimeSpan.FromMilliseconds(100);
    public TimeSpan MaxPause { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Told of each retry before its pause: the attempt that failed (1 for the first), why, and whether the client moved to another endpoint.</summary>
    public Action<int, string, bool>? OnRetry { get; init; }

    /// <summary>What to do after a failed call: give up, try the same node again, or try the next endpoint (<see cref="ElsewhereOnly"/>: only there, as a halted node will not recover by itself).</summary>
    public enum Verdict { GiveUp, Again, Elsewhere, ElsewhereOnly }

    public static Verdict Judge(RpcException e)
    {
        var code = ErrorCodes.CodeOf(e);
        if (code is null)
            // No code: the call never got a node's answer (refused connection, reset stream, node gone mid-call).
            return e.StatusCode is StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown && e.StatusCode != StatusCode.Cancelled ? Verdict.Elsewhere : Verdict.GiveUp;
        if (!ErrorCodes.IsTransient(code)) return Verdict.GiveUp;
        if (code == ErrorCodes.Halted.Name) return Verdict.ElsewhereOnly;
        return code == ErrorCodes.Stopping.Name ? Verdict.Elsewhere : Verdict.Again;
    }

    /// <summary>
    /// Whether to try again after a failure judged <paramref name="verdict"/>, moving <paramref name="client"/> to its next
    /// endpoint when the verdict says so; false to give up (a final refusal, or a halted node with no other to go to).
    /// </summary>
    public static bool TryAgain(Verdict verdict, ChainClient client, out bool moved)
    {
        moved = verdict is Verdict.Elsewhere or Verdict.ElsewhereOnly && client.FailOver();
        return verdict switch { Verdict.GiveUp => false, Verdict.ElsewhereOnly => moved, _ => true };
    }

    /// <summary>The pause after failed attempt <paramref name="attempt"/> (1-based): half of the doubled pause fixed, half random, so clients that failed together do not return together.</summary>
    public TimeSpan Pause(int attempt)
    {
        double full = Math.Min(MaxPause.TotalMilliseconds, FirstPause.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20)));
        return TimeSpan.FromMilliseconds(full / 2 + Random.Shared.NextDouble() * full / 2);
    }
}
