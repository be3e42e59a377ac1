using Chain.Node.Channels;
using Chain.Node.Consensus;
using Chain.Node.Errors;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Encoding;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Network;

/// <summary>Sends transactions to another node's peer endpoint (<c>Peer.Forward</c>); one admission status per transaction, in order.</summary>
internal interface ITxTransport
{
    /// <param name="channel">The channel every one of <paramref name="transactions"/> names.</param>
    /// <param name="target">Peer endpoint to try first (the Raft leader), or null for any configured peer.</param>
    /// <param name="targetCaPem">CA certificate of the target's organisation, from the channel configuration.</param>
    /// <param name="hop">How many nodes relayed these transactions so far, this one included.</param>
    /// <exception cref="RequestException">No node could be reached (<c>NO_ORDERER</c>).</exception>
    Task<IReadOnlyList<AdmissionStatus>> ForwardAsync(IReadOnlyList<Transaction> transactions, string channel, string? target, string? targetCaPem, int hop, CancellationToken cancel);
}

/// <summary>
/// How a call routes: <see cref="Hops"/> relays so far (0 for a client's call), how long to keep trying while no
/// node takes the transactions (no Raft leader, the leader just changed, or the node it relays to is unreachable),
/// whether to relay to any peer or only on to a known leader, whether an unreachable peer is worth another try within
/// the patience, and whether this node keeps what it acknowledges until it sees it committed (<see cref="Custody"/>).
/// </summary>
internal sealed record RouteOptions(int Hops, TimeSpan Patience, bool AnyPeer, bool RetryUnreachable, bool Hold = false)
{
    /// <summary>A client's call: up to 10 s of patience for a Raft election or an unreachable leader; what is acknowledged is kept until committed.</summary>
    public static readonly RouteOptions Client = new(0, TimeSpan.FromSeconds(10), AnyPeer: true, RetryUnreachable: true, Hold: true);

    /// <summary>A deposed leader handing over what it admitted but did not commit: up to 30 s.</summary>
    public static readonly RouteOptions HandOver = new(0, TimeSpan.FromSeconds(30), AnyPeer: true, RetryUnreachable: true);

    /// <summary>Kept transactions sent again (<see cref="CustodyResender"/>): a short patience, the resender tries again later.</summary>
    public static readonly RouteOptions Resend = new(0, TimeSpan.FromSeconds(3), AnyPeer: true, RetryUnreachable: true);

    /// <summary>Transactions another node relayed here: admitted here, or passed on once more to a leader this node knows.</summary>
    public static RouteOptions Relayed(int hops) => new(hops, TimeSpan.Zero, AnyPeer: false, RetryUnreachable: false);
}

/// <summary>
/// The one relay path of the node. Each transaction is admitted on this node when it orders the channel; otherwise
/// the channel's orderer says where it goes (<see cref="Redirect"/>, a value: nothing is thrown on the way) and the
/// router relays it there, grouped by target, counting hops (at most <see cref="MaxHops"/>) and waiting within the
/// call's patience while no node takes it. The answer is the verdict of the node that decided, per transaction.
/// </summary>
internal sealed partial class TxRouter(ChannelDirectory channels, ITxTransport transport, TimeProvider clock, ILogger<TxRouter> logger)
{
    /// <summary>A relayed transaction is passed on at most this often, so two nodes that each think the other leads cannot bounce it for ever.</summary>
    public const int MaxHops = 2;

    /// <summary>Request header carrying the hop count of a relay.</summary>
    public const string HopHeader = "chain-relay-hop";

    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    public async Task<AdmissionStatus[]> RouteAsync(IList<Transaction> transactions, RouteOptions options, CancellationToken cancel)
    {
        var statuses = new AdmissionStatus?[transactions.Count];
        var txIds = transactions.Select(TxIdOf).ToArray();
        MarkRepeats(txIds, statuses);
        if (!options.Hold) return await RouteUnheldAsync(transactions, statuses, options, cancel);
        var held = Hold(transactions, txIds, statuses);
        try
        {
            return await RouteUnheldAsync(transactions, statuses, options, cancel);
        }
        finally
        {
            long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
            // The leadership that took them is the one in force now: a call that waited through an election was taken by
            // the new leader. (Taken by the old one in the instant before a change, a transaction is sent again after ResendAfter.)
            var epochs = held.Select(h => h.Channel).Distinct().ToDictionary(c => c, c => Custody.OrdererEpoch(c.Orderer.Status));
            foreach (var (i, channel) in held)
            {
                var txId = txIds[i];
                // A duplicate not yet on this node's ledger is queued somewhere (this client, or another entry node that died
                // since, may have been told "admitted"): keep it too, until its block arrives.
                bool queued = statuses[i] is { Accepted: true } || statuses[i]!.Is(ErrorCodes.Of(ValidationCode.DuplicateTxid)) && !channel.Ledger.ContainsTx(Convert.FromHexString(txId));
                if (queued) channel.Custody.Sent(txId, epochs[channel], now);
                else channel.Custody.Release(txId); // refused: nothing was promised
            }
        }
    }

    /// <summary>
    /// Takes a place in its channel's custody for each of a client's transactions before it is routed; where the node
    /// keeps as many as it will, the transaction is refused with BUSY and nothing is promised. Returns the places taken.
    /// </summary>
    private List<(int Index, ChannelRuntime Channel)> Hold(IList<Transaction> transactions, string[] txIds, AdmissionStatus?[] statuses)
    {
        var held = new List<(int, ChannelRuntime)>();
        for (int i = 0; i < transactions.Count; i++)
        {
            if (statuses[i] is not null) continue;
            ChannelRuntime channel;
            try { channel = channels.Of(transactions[i]); }
            catch (Execution.TxRejectedException) { continue; } // admission refuses it, with the reason
            var txId = txIds[i];
            switch (channel.Custody.Reserve(txId, transactions[i]))
            {
                case Custody.Reservation.Reserved: held.Add((i, channel)); break;
                case Custody.Reservation.Full:
                    statuses[i] = Answers.Refused(txId, new ChannelBusyException(
                        $"this node keeps {channel.Custody.Limit} acknowledged transactions of channel '{channel.Name}' that have not committed yet, the most it will; retry later"));
                    break;
            }
        }
        return held;
    }

    private async Task<AdmissionStatus[]> RouteUnheldAsync(IList<Transaction> transactions, AdmissionStatus?[] statuses, RouteOptions options, CancellationToken cancel)
    {
        var deadline = clock.GetUtcNow() + options.Patience;
        IReadOnlyList<int> todo = Enumerable.Range(0, transactions.Count).Where(i => statuses[i] is null).ToArray();
        while (todo.Count > 0)
        {
            var (redirects, channelOf) = AdmitHere(transactions, todo, statuses);
            bool patient = clock.GetUtcNow() < deadline;
            var next = new List<int>();
            // One relay call per channel and target: the nodes of a consortium do not all serve the same channels.
            foreach (var group in todo.Where(i => redirects[i] is not null).GroupBy(i => (Channel: channelOf[i]!, Target: redirects[i]!.NoLeader ? null : redirects[i]!.Target ?? "")))
            {
                var indexes = group.ToArray();
                var redirect = redirects[indexes[0]]!;
                if (redirect.NoLeader || !MayRelay(redirect, options))
                {
                    if (redirect.NoLeader && patient) next.AddRange(indexes);
                    else foreach (var i in indexes) statuses[i] = Answers.Refused(TxIdOf(transactions[i]), Unrouted(redirects[i]!, options));
                    continue;
                }
                IReadOnlyList<AdmissionStatus> answers;
                try
                {
                    answers = await transport.ForwardAsync(indexes.Select(i => transactions[i]).ToList(), group.Key.Channel, group.Key.Target!.Length == 0 ? null : group.Key.Target, redirect.TargetCaPem, options.Hops + 1, cancel);
                }
                catch (RequestException e) when (options.RetryUnreachable || options.Hops > 0)
                {
                    LogUnreachable(logger, e.Message);
                    // Relayed here: the caller keeps this node's NOT_LEADER answers and tries again itself.
                    if (options.RetryUnreachable && patient) next.AddRange(indexes);
                    else foreach (var i in indexes) statuses[i] = Answers.Refused(TxIdOf(transactions[i]), options.RetryUnreachable ? e : Unrouted(redirects[i]!, options));
                    continue;
                }
                for (int k = 0; k < indexes.Length; k++)
                {
                    if (answers[k].Is(ErrorCodes.NotLeader) && patient) next.Add(indexes[k]);
                    else statuses[indexes[k]] = answers[k];
                }
            }
            todo = next;
            if (todo.Count > 0) await Task.Delay(RetryPause, clock, cancel);
        }
        return statuses!;
    }

    /// <summary>Routes one transaction; a refusal throws, with the deciding node's code and message.</summary>
    public async Task RouteOneAsync(Transaction transaction, CancellationToken cancel)
    {
        var status = (await RouteAsync([transaction], RouteOptions.Client, cancel))[0];
        if (!status.Accepted) throw new RequestException(status);
    }

    private static bool MayRelay(Redirect redirect, RouteOptions options) =>
        options.Hops < MaxHops && (options.AnyPeer || !string.IsNullOrEmpty(redirect.Target));

    /// <summary>
    /// What a transaction that found no node to take it is told: a client, once its patience is over while Raft has no
    /// leader, NO_LEADER; a relaying node NOT_LEADER, which it retries.
    /// </summary>
    private static RequestException Unrouted(Redirect redirect, RouteOptions options) => redirect.NoLeader && options.Hops == 0
        ? new RequestException(ErrorCodes.NoLeader, $"{redirect.Reason}; nothing was submitted, retry later")
        : new RequestException(ErrorCodes.NotLeader, redirect.Reason);

    /// <summary>Fills the status of each listed transaction this node decides on; returns where the others go, and their channels.</summary>
    private (Redirect?[] Redirects, string?[] Channels) AdmitHere(IList<Transaction> transactions, IReadOnlyList<int> indexes, AdmissionStatus?[] statuses)
    {
        var redirects = new Redirect?[transactions.Count];
        var channelOf = new string?[transactions.Count];
        // Admission is CPU-bound (signature recovery); spread one large batch over the cores.
        Parallel.For(0, indexes.Count, k =>
        {
            int i = indexes[k];
            var transaction = transactions[i];
            try
            {
                var channel = channels.Of(transaction);
                var redirect = channel.Admit(transaction, out var admitted);
                if (redirect is null) statuses[i] = Answers.Accepted(admitted!.TxIdHex);
                else (redirects[i], channelOf[i]) = (redirect, channel.Name);
            }
            catch (Exception e) when (e is Execution.TxRejectedException or ChannelBusyException or ChannelHaltedException or RequestException)
            {
                statuses[i] = Answers.Refused(TxIdOf(transaction), e);
            }
        });
        return (redirects, channelOf);
    }

    /// <summary>A transaction repeated inside the batch: the first copy is admitted, later ones are duplicates.</summary>
    private static void MarkRepeats(string[] txIds, AdmissionStatus?[] statuses)
    {
        var firstSeen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < statuses.Length; i++)
        {
            var txId = txIds[i];
            if (!firstSeen.Add(txId))
                statuses[i] = Answers.Refused(txId, new Execution.TxRejectedException(new(ValidationCode.DuplicateTxid, $"transaction {txId} appears more than once in the batch")));
        }
    }

    public static string TxIdOf(Transaction transaction) => Convert.ToHexStringLower(ProtocolHashes.TxId(transaction.Payload.Span));

    [LoggerMessage(Level = LogLevel.Warning, Message = "relaying transactions failed: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string reason);
}
