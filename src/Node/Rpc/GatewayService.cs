using Chain.Node.Channels;
using Chain.Node.Execution;
using Chain.Node.Rpc.Interceptors;
using Chain.Protocol;
using Chain.Sdk.Encoding;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace Chain.Node.Rpc;

public sealed class GatewayService(ChannelDirectory channels, Network.TxForwarder forwarder, IHostApplicationLifetime lifetime) : Gateway.GatewayBase
{
    /// <summary>How long a relayed transaction may wait for a Raft leader (an election, or quorum coming back).</summary>
    private static readonly TimeSpan LeaderPatience = TimeSpan.FromSeconds(10);

    public override async Task<SubmitResponse> Submit(SubmitRequest request, ServerCallContext context)
    {
        var channel = ChannelOf(request.Transaction);
        await AdmitOrRelayAsync(channel, request.Transaction, context.CancellationToken);
        return new SubmitResponse { TxId = Convert.ToHexStringLower(ProtocolHashes.TxId(request.Transaction.Payload.Span)) };
    }

    /// <summary>
    /// Admits the transaction here when this node orders the channel, else relays it to the node that does (the
    /// Raft leader, or any peer for an observed channel) and answers with that node's verdict. While Raft has
    /// no leader, or the leader just changed, it keeps trying for <see cref="LeaderPatience"/>.
    /// </summary>
    private async Task AdmitOrRelayAsync(ChannelRuntime channel, Transaction transaction, CancellationToken cancel)
    {
        var deadline = DateTime.UtcNow + LeaderPatience;
        while (true)
        {
            RelayException relay;
            try
            {
                channel.Admit(transaction);
                return;
            }
            catch (RelayException e) { relay = e; }
            if (!relay.NoLeader)
            {
                var status = (await forwarder.ForwardAsync([transaction], cancel, relay.Target, relay.TargetCaPem))[0];
                if (status.Accepted) return;
                if (!ErrorMappingInterceptor.IsNotLeader(status) || DateTime.UtcNow >= deadline) throw new RequestException((StatusCode)status.StatusCode, status.Message);
            }
            else if (DateTime.UtcNow >= deadline)
                throw new RequestException(StatusCode.Unavailable, $"NO_LEADER: {relay.Message}; nothing was submitted, retry later");
            await Task.Delay(100, cancel);
        }
    }

    public override async Task<SubmitBatchResponse> SubmitBatch(SubmitBatchRequest request, ServerCallContext context)
    {
        var transactions = request.Transactions;
        var statuses = new AdmissionStatus[transactions.Count];
        var relays = new RelayException?[transactions.Count];
        IReadOnlyList<int> todo = Enumerable.Range(0, transactions.Count).ToArray();
        MarkRepeats(transactions, statuses);
        var deadline = DateTime.UtcNow + LeaderPatience;
        while (true)
        {
            AdmitHere(transactions, todo, channels, statuses, relays);
            var next = new List<int>();
            // Transactions this node does not order go, grouped by where they go, to the node that does.
            foreach (var group in todo.Where(i => relays[i] is not null).GroupBy(i => relays[i]!.NoLeader ? null : relays[i]!.Target ?? ""))
            {
                var indexes = group.ToArray();
                if (group.Key is null)
                {
                    if (DateTime.UtcNow < deadline) next.AddRange(indexes);
                    else foreach (var i in indexes) statuses[i] = Rejected(TxIdOf(transactions[i]), new RequestException(StatusCode.Unavailable, $"NO_LEADER: {relays[i]!.Message}; nothing was submitted, retry later"));
                    continue;
                }
                var forwarded = await forwarder.ForwardAsync(indexes.Select(i => transactions[i]).ToList(), context.CancellationToken,
                    group.Key.Length == 0 ? null : group.Key, relays[indexes[0]]!.TargetCaPem);
                for (int k = 0; k < indexes.Length; k++)
                {
                    if (ErrorMappingInterceptor.IsNotLeader(forwarded[k]) && DateTime.UtcNow < deadline) next.Add(indexes[k]);
                    else statuses[indexes[k]] = forwarded[k];
                }
            }
            if (next.Count == 0) break;
            foreach (var i in next) relays[i] = null;
            todo = next;
            await Task.Delay(100, context.CancellationToken);
        }
        var response = new SubmitBatchResponse();
        response.Statuses.AddRange(statuses);
        return response;
    }

    /// <summary>Admits each transaction to its channel on this node, never relaying (the peer Forward call); one status per transaction, in order.</summary>
    public static SubmitBatchResponse Admit(IList<Transaction> transactions, ChannelDirectory channels)
    {
        var statuses = new AdmissionStatus[transactions.Count];
        var relays = new RelayException?[transactions.Count];
        MarkRepeats(transactions, statuses);
        AdmitHere(transactions, Enumerable.Range(0, transactions.Count).ToArray(), channels, statuses, relays);
        for (int i = 0; i < statuses.Length; i++)
            if (relays[i] is { } relay) statuses[i] = Rejected(TxIdOf(transactions[i]), relay);
        var response = new SubmitBatchResponse();
        response.Statuses.AddRange(statuses);
        return response;
    }

    /// <summary>A transaction repeated inside the batch: the first copy is admitted, later ones are duplicates.</summary>
    private static void MarkRepeats(IList<Transaction> transactions, AdmissionStatus[] statuses)
    {
        var firstSeen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < statuses.Length; i++)
        {
            var txId = TxIdOf(transactions[i]);
            if (!firstSeen.Add(txId))
                statuses[i] = Rejected(txId, new TxRejectedException(new(ValidationCode.DuplicateTxid, $"transaction {txId} appears more than once in the batch")));
        }
    }

    private static string TxIdOf(Transaction transaction) => Convert.ToHexStringLower(ProtocolHashes.TxId(transaction.Payload.Span));

    /// <summary>Fills the status of each listed transaction this node decides on; those it must relay get their <paramref name="relays"/> entry instead.</summary>
    private static void AdmitHere(IList<Transaction> transactions, IReadOnlyList<int> indexes, ChannelDirectory channels, AdmissionStatus[] statuses, RelayException?[] relays)
    {
        // Admission is CPU-bound (signature recovery); spread one large batch over the cores.
        Parallel.For(0, indexes.Count, k =>
        {
            int i = indexes[k];
            if (statuses[i] is not null) return;
            var transaction = transactions[i];
            try
            {
                var tx = ChannelOf(transaction, channels).Admit(transaction);
                statuses[i] = new AdmissionStatus { TxId = tx.TxIdHex, Accepted = true, StatusCode = (int)StatusCode.OK };
            }
            catch (RelayException relay) { relays[i] = relay; }
            catch (Exception e) when (e is TxRejectedException or ChannelBusyException or ChannelHaltedException or RequestException)
            {
                statuses[i] = Rejected(TxIdOf(transaction), e);
            }
        });
    }

    private static AdmissionStatus Rejected(string txId, Exception e)
    {
        var rpc = ErrorMappingInterceptor.ToRpcException(e);
        return new AdmissionStatus { TxId = txId, Accepted = false, StatusCode = (int)rpc.StatusCode, Message = rpc.Status.Detail };
    }

    public override async Task<CommitStatusResponse> SubmitAndWait(SubmitRequest request, ServerCallContext context)
    {
        var channel = ChannelOf(request.Transaction);
        var txId = Convert.ToHexStringLower(ProtocolHashes.TxId(request.Transaction.Payload.Span));
        // Registered before admission, so a block that commits at once cannot be missed.
        using var waiter = channel.Notifier.WaitForTx(txId);
        // Relayed or not, the block reaches this node (by Raft or by pull), so the same wait works whichever node the client called.
        await AdmitOrRelayAsync(channel, request.Transaction, context.CancellationToken);
        return await waiter.Task.WaitAsync(context.CancellationToken);
    }

    public override async Task<CommitStatusResponse> CommitStatus(CommitStatusRequest request, ServerCallContext context)
    {
        var channel = channels.Get(request.Channel);
        var txIdBytes = ParseTxId(request.TxId);
        var txId = Convert.ToHexStringLower(txIdBytes);
        using var waiter = request.Wait ? channel.Notifier.WaitForTx(txId) : null;
        if (channel.Ledger.GetTxLocation(txIdBytes) is { } found)
        {
            var block = channel.Ledger.GetBlock(found.Block)!;
            return new CommitStatusResponse
            {
                TxId = txId, Committed = true, BlockNumber = found.Block,
                Code = (ValidationCode)found.Code, Message = block.Results[(int)found.TxIndex].Message,
            };
        }
        if (waiter is null) return new CommitStatusResponse { TxId = txId, Committed = false };
        try { return await waiter.Task.WaitAsync(context.CancellationToken).WaitAsync(lifetime.ApplicationStopping); }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RequestException(StatusCode.Unavailable, $"STOPPING: node is shutting down before transaction {txId} committed; ask again later or elsewhere");
        }
    }

    public override Task<EvaluateResponse> Evaluate(EvaluateRequest request, ServerCallContext context)
    {
        var channel = channels.Get(request.Channel);
        var result = BlockExecutor.Evaluate(channel.Ledger, channel.Contracts, request.Contract, request.Function, request.Args.Span);
        return Task.FromResult(new EvaluateResponse { Result = ByteString.CopyFrom(result.Value), Height = result.Height });
    }

    private ChannelRuntime ChannelOf(Transaction? transaction) => ChannelOf(transaction, channels);

    private static ChannelRuntime ChannelOf(Transaction? transaction, ChannelDirectory channels)
    {
        if (transaction is null || transaction.Payload.IsEmpty)
            throw new TxRejectedException(new(ValidationCode.BadPayload, "request carries no transaction payload"));
        TxPayload payload;
        try { payload = TxPayload.Parser.ParseFrom(transaction.Payload); }
        catch (InvalidProtocolBufferException e) { throw new TxRejectedException(new(ValidationCode.BadPayload, $"payload does not decode: {e.Message}")); }
        return channels.Get(payload.Channel);
    }

    /// <summary>The transaction's channel on this node, or null when the payload or channel is bad (admission reports why).</summary>
    private ChannelRuntime? TryChannelOf(Transaction transaction)
    {
        try { return ChannelOf(transaction); }
        catch (Exception e) when (e is TxRejectedException or RequestException) { return null; }
    }

    internal static byte[] ParseTxId(string txId) =>
        Sdk.Crypto.Hashes.TryFromHex(txId) is { Length: 32 } bytes
            ? bytes
            : throw new RequestException(StatusCode.InvalidArgument, $"BAD_TXID: '{txId}' is not a 64-character hex transaction id");
}
