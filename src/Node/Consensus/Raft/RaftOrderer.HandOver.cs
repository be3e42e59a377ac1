using Chain.Node.Execution;
using Chain.Sdk.Client;
using Microsoft.Extensions.Logging;

namespace Chain.Node.Consensus.Raft;

internal sealed partial class RaftOrderer
{
    /// <summary>Hands transactions that reached the queue after this node stopped leading to the leader.</summary>
    private Task SweepAsync()
    {
        if (IsLeader) return Task.CompletedTask;
        var stranded = new List<CheckedTx>();
        while (!IsLeader && _queue.Reader.TryRead(out var tx)) stranded.Add(tx);
        return stranded.Count == 0 ? Task.CompletedTask : HandOverAsync(stranded, _host);
    }

    /// <summary>
    /// A deposed leader hands the transactions it admitted but did not commit to the node that orders now (itself
    /// again, if it leads again): released here first, then routed like a client's (<see cref="Network.RouteOptions.HandOver"/>).
    /// </summary>
    private async Task HandOverAsync(List<CheckedTx> transactions, CancellationToken stop)
    {
        _channel.Release(transactions);
        int relayed = 0, lost = transactions.Count;
        try
        {
            var statuses = await _handOver(transactions.Select(t => t.Transaction).ToList(), stop);
            relayed = statuses.Count(s => s.Accepted);
            // Refused for a reason of their own (already committed, expired) is an answer, not a loss.
            lost = statuses.Count(s => s.Is(ErrorCodes.NotLeader) || s.Is(ErrorCodes.NoLeader) || s.Is(ErrorCodes.NoOrderer));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            if (!stop.IsCancellationRequested) _logger.LogWarning("channel {Channel}: handing transactions to the leader failed: {Reason}", _channel.ChannelName, e.Message);
        }
        _logger.Log(lost == 0 ? LogLevel.Information : LogLevel.Warning,
            "channel {Channel}: handed {Relayed} of {Total} uncommitted transactions to the new leader ({Lost} not handed over; clients may resubmit them safely)",
            _channel.ChannelName, relayed, transactions.Count, lost);
    }
}
