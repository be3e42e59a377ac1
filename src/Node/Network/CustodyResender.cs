using Chain.Node.Channels;
using Chain.Sdk.Client;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Network;

/// <summary>
/// Sends a channel's kept transactions (<see cref="Custody"/>) again when the node that orders the channel changed
/// since they were acknowledged, or when they waited <see cref="Custody.ResendAfter"/> for a block: the old leader may
/// have died with them. Through the one relay path (<see cref="RouteOptions.Resend"/>, whose patience paces the rounds).
/// The answer decides: admitted, or a duplicate (the orderer has it already, or it committed), keeps it until its block
/// arrives; a transient refusal (no orderer reached, busy) leaves it due for the next round; any other refusal (it
/// expired, say) ends the promise, which is logged and counted.
/// </summary>
internal sealed partial class CustodyResender(ChannelDirectory channels, TxRouter router, TimeProvider clock, ILogger<CustodyResender> logger) : BackgroundService
{
    private static readonly TimeSpan Round = TimeSpan.FromMilliseconds(200);
    private const int MaxPerRound = 5_000;

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Round, clock, stopping);
                foreach (var channel in channels.All) await ResendAsync(channel, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { return; }
            catch (Exception e) when (e is not OutOfMemoryException) { LogFailed(logger, e.Message); }
        }
    }

    /// <summary>One round for one channel; public for tests.</summary>
    internal async Task ResendAsync(ChannelRuntime channel, CancellationToken stopping)
    {
        // While the channel has no leader there is no one to send to; the leader's arrival changes the epoch.
        if (channel.Custody.Count == 0 || channel.Halted || channel.Orderer.Redirect is { NoLeader: true }) return;
        var epoch = Custody.OrdererEpoch(channel.Orderer.Status);
        var due = channel.Custody.Due(epoch, clock.GetUtcNow().ToUnixTimeMilliseconds(), MaxPerRound);
        if (due.Count == 0) return;
        // Committed meanwhile (the block reached this node before the round, or before it was kept): nothing to send.
        var toSend = new List<KeyValuePair<string, Custody.Held>>(due.Count);
        foreach (var entry in due)
        {
            if (channel.Ledger.ContainsTx(Convert.FromHexString(entry.Key))) channel.Custody.Release(entry.Key);
            else toSend.Add(entry);
        }
        due = toSend;
        if (due.Count == 0) return;
        var statuses = await router.RouteAsync(due.Select(d => d.Value.Transaction).ToList(), RouteOptions.Resend, stopping);
        long now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        int lost = 0;
        for (int i = 0; i < due.Count; i++)
        {
            var txId = due[i].Key;
            var status = statuses[i];
            if (status.Accepted || status.Is(ErrorCodes.Of(Protocol.ValidationCode.DuplicateTxid)))
            {
                channel.Custody.Sent(txId, epoch, now);
                continue;
            }
            if (ErrorCodes.IsTransient(status.Code)) continue; // no one took it: still due, the next round tries again

            channel.Custody.Release(txId, lost: true);
            lost++;
            LogLost(logger, channel.Name, txId, status.Message);
        }
        LogResent(logger, channel.Name, due.Count, epoch, lost);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "channel {Channel}: sent {Count} acknowledged, uncommitted transactions again (orderer now {Epoch}); {Lost} could not be ordered any more")]
    private static partial void LogResent(ILogger logger, string channel, int count, string epoch, int lost);

    [LoggerMessage(Level = LogLevel.Warning, Message = "channel {Channel}: acknowledged transaction {TxId} can no longer be ordered: {Reason}")]
    private static partial void LogLost(ILogger logger, string channel, string txId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "sending kept transactions again failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
