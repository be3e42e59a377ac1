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
    public override async Task<SubmitResponse> Submit(SubmitRequest request, ServerCallContext context)
    {
        var channel = ChannelOf(request.Transaction);
        if (channel.Observing)
        {
            await forwarder.ForwardOneAsync(channel, request.Transaction, context.CancellationToken);
            return new SubmitResponse { TxId = Convert.ToHexStringLower(ProtocolHashes.TxId(request.Transaction.Payload.Span)) };
        }
        var tx = channel.Admit(request.Transaction);
        return new SubmitResponse { TxId = tx.TxIdHex };
    }

    public override async Task<SubmitBatchResponse> SubmitBatch(SubmitBatchRequest request, ServerCallContext context)
    {
        // Transactions of channels this node only observes go to a node that orders them; the rest are admitted here.
        // Most nodes observe nothing: then no payload is decoded twice.
        if (!channels.All.Any(c => c.Observing)) return Admit(request.Transactions, channels);
        var observed = Enumerable.Range(0, request.Transactions.Count).Where(i => TryChannelOf(request.Transactions[i]) is { Observing: true }).ToArray();
        if (observed.Length == 0) return Admit(request.Transactions, channels);
        var local = Enumerable.Range(0, request.Transactions.Count).Except(observed).ToArray();
        var statuses = new AdmissionStatus[request.Transactions.Count];
        var forwarded = await forwarder.ForwardAsync(observed.Select(i => request.Transactions[i]).ToList(), context.CancellationToken);
        for (int k = 0; k < observed.Length; k++) statuses[observed[k]] = forwarded[k];
        var admitted = Admit(local.Select(i => request.Transactions[i]).ToList(), channels);
        for (int k = 0; k < local.Length; k++) statuses[local[k]] = admitted.Statuses[k];
        var response = new SubmitBatchResponse();
        response.Statuses.AddRange(statuses);
        return response;
    }

    /// <summary>Admits each transaction to its channel on this node; one status per transaction, in order.</summary>
    public static SubmitBatchResponse Admit(IList<Transaction> transactions, ChannelDirectory channels)
    {
        var statuses = new AdmissionStatus[transactions.Count];
        // A transaction repeated inside the batch: the first copy is admitted, later ones are duplicates.
        var firstSeen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < statuses.Length; i++)
        {
            var txId = Convert.ToHexStringLower(ProtocolHashes.TxId(transactions[i].Payload.Span));
            if (!firstSeen.Add(txId))
                statuses[i] = Rejected(txId, new TxRejectedException(new(ValidationCode.DuplicateTxid, $"transaction {txId} appears more than once in the batch")));
        }
        // Admission is CPU-bound (signature recovery); spread one large batch over the cores.
        Parallel.For(0, statuses.Length, i =>
        {
            if (statuses[i] is not null) return;
            var transaction = transactions[i];
            try
            {
                var tx = ChannelOf(transaction, channels).Admit(transaction);
                statuses[i] = new AdmissionStatus { TxId = tx.TxIdHex, Accepted = true, StatusCode = (int)StatusCode.OK };
            }
            catch (Exception e) when (e is TxRejectedException or ChannelBusyException or ChannelHaltedException or ObserverException or RequestException)
            {
                statuses[i] = Rejected(Convert.ToHexStringLower(ProtocolHashes.TxId(transaction.Payload.Span)), e);
            }
        });
        var response = new SubmitBatchResponse();
        response.Statuses.AddRange(statuses);
        return response;
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
        // On an observer the block arrives by pull, so the same wait works whichever node the client called.
        if (channel.Observing) await forwarder.ForwardOneAsync(channel, request.Transaction, context.CancellationToken);
        else channel.Admit(request.Transaction);
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
