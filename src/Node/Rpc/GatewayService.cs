using Chain.Node.Channels;
using Chain.Node.Execution;
using Chain.Node.Errors;
using Chain.Node.Network;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Encoding;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace Chain.Node.Rpc;

/// <summary>The client API for transactions: each goes through the node's one relay path (<see cref="TxRouter"/>).</summary>
internal sealed class GatewayService(ChannelDirectory channels, TxRouter router, IHostApplicationLifetime lifetime) : Gateway.GatewayBase
{
    public override async Task<SubmitResponse> Submit(SubmitRequest request, ServerCallContext context)
    {
        channels.Of(request.Transaction); // a missing payload is refused before anything else
        await router.RouteOneAsync(request.Transaction, context.CancellationToken);
        return new SubmitResponse { TxId = TxRouter.TxIdOf(request.Transaction) };
    }

    public override async Task<SubmitBatchResponse> SubmitBatch(SubmitBatchRequest request, ServerCallContext context)
    {
        var response = new SubmitBatchResponse();
        response.Statuses.AddRange(await router.RouteAsync(request.Transactions, RouteOptions.Client, context.CancellationToken));
        return response;
    }

    public override async Task<CommitStatusResponse> SubmitAndWait(SubmitRequest request, ServerCallContext context)
    {
        var channel = channels.Of(request.Transaction);
        var txId = TxRouter.TxIdOf(request.Transaction);
        // Registered before admission, so a block that commits at once cannot be missed.
        using var waiter = channel.Notifier.WaitForTx(txId);
        // Relayed or not, the block reaches this node (by Raft or by pull), so the same wait works whichever node the client called.
        await router.RouteOneAsync(request.Transaction, context.CancellationToken);
        return await waiter.Task.WaitAsync(context.CancellationToken);
    }

    public override async Task<CommitStatusResponse> CommitStatus(CommitStatusRequest request, ServerCallContext context)
    {
        var channel = channels.Get(request.Channel);
        var txIdBytes = ParseTxId(request.TxId);
        var txId = Convert.ToHexStringLower(txIdBytes);
        // A committed transaction is answered without taking one of the bounded waits; a wait is registered before the
        // second look, so a block that commits in between is not missed.
        if (Committed(channel, txIdBytes, txId, context) is { } done) return done;
        if (!request.Wait) return new CommitStatusResponse { TxId = txId, Committed = false };
        using var waiter = channel.Notifier.WaitForTx(txId);
        if (Committed(channel, txIdBytes, txId, context) is { } meanwhile) return meanwhile;
        try
        {
            var status = await waiter.Task.WaitAsync(context.CancellationToken).WaitAsync(lifetime.ApplicationStopping);
            return Committed(channel, txIdBytes, txId, context) ?? status; // the same answer, with the same own-or-raw check
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw new RequestException(ErrorCodes.Stopping, $"node is shutting down before transaction {txId} committed; ask again later or elsewhere");
        }
    }

    public override Task<EvaluateResponse> Evaluate(EvaluateRequest request, ServerCallContext context)
    {
        var channel = channels.Get(request.Channel);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        // Every query is timed, refused ones (bad arguments, over the read budget) and proven ones too.
        try { return Task.FromResult(EvaluateOn(channel, request, context)); }
        finally { Observability.NodeMetrics.Query(channel, request.Contract, request.Function, System.Diagnostics.Stopwatch.GetElapsedTime(started)); }
    }

    private static EvaluateResponse EvaluateOn(ChannelRuntime channel, EvaluateRequest request, ServerCallContext context)
    {
        var caller = Interceptors.ReadAccessInterceptor.CallerOf(context);
        if (!request.WithProof)
        {
            var result = BlockExecutor.Evaluate(channel.Ledger, channel.Contracts, request.Contract, request.Function, request.Args.Span, caller, channel.Settings.QueryReadBudget);
            return new EvaluateResponse { Result = ByteString.CopyFrom(result.Value), Height = result.Height };
        }
        // The proofs must be of the state the query read: if a block commits in between, read again at the new head.
        for (int attempt = 0; attempt < 5; attempt++)
        {
            var reads = new List<byte[]>();
            var result = BlockExecutor.Evaluate(channel.Ledger, channel.Contracts, request.Contract, request.Function, request.Args.Span, caller, channel.Settings.QueryReadBudget, reads);
            // The reader's enrolment is what the function saw as its caller's organisation and roles: prove it too.
            // (the configuration names the admins and the channel's organisations).
            if (Sdk.Crypto.Address.TryParse(caller.Address) is { } address) reads.AddRange([Membership.SystemState.MemberStateKey(address), Membership.SystemState.ConfigStateKey]);
            if (Ledger.Proofs.Reads(channel.Ledger, reads, result.Height) is { } proof)
                return new EvaluateResponse { Result = ByteString.CopyFrom(result.Value), Height = result.Height, Proof = proof };
        }
        throw new RequestException(ErrorCodes.Busy, $"channel '{channel.Name}' committed a block during each of 5 attempts to prove {request.Contract}.{request.Function}; ask again");
    }

    private static CommitStatusResponse? Committed(ChannelRuntime channel, byte[] txIdBytes, string txId, ServerCallContext context)
    {
        if (channel.Ledger.GetTxLocation(txIdBytes) is not { } found) return null;
        var block = channel.Ledger.GetBlock(found.Block)!;
        RequireOwnOrRaw(block.Transactions[(int)found.TxIndex], txId, context);
        return new CommitStatusResponse
        {
            TxId = txId, Committed = true, BlockNumber = found.Block, Code = (ValidationCode)found.Code, Message = block.Results[(int)found.TxIndex].Message,
        };
    }

    /// <summary>A reader without raw access learns the outcome of its own transactions only (their messages may name other accounts).</summary>
    internal static void RequireOwnOrRaw(Transaction transaction, string txId, ServerCallContext context, string what = "the commit status")
    {
        if (Interceptors.ReadAccessInterceptor.IsRawReader(context)) return;
        var reader = Interceptors.ReadAccessInterceptor.CallerOf(context).Address;
        byte[]? creator = null;
        try { creator = TxPayload.Parser.ParseFrom(transaction.Payload).Creator.ToByteArray(); }
        catch (InvalidProtocolBufferException) { }
        if (creator is not null && Sdk.Crypto.Address.TryParse(reader) is { } address && address.AsSpan().SequenceEqual(creator)) return;
        throw new RequestException(ErrorCodes.ReadDenied, $"{what} of transaction {txId} is for its signer and the channel policy 'rawReaders'; reader {reader} did not sign it");
    }

    internal static byte[] ParseTxId(string txId) =>
        Sdk.Crypto.Hashes.TryFromHex(txId) is { Length: 32 } bytes
            ? bytes
            : throw new RequestException(ErrorCodes.BadTxId, $"'{txId}' is not a 64-character hex transaction id");
}
