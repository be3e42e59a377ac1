using System.Diagnostics;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Sdk.Transactions;
using Google.Protobuf;
using Grpc.Core;

namespace Chain.Sdk.Client;

/// <summary>Signs, submits and waits for one contract call, or evaluates a query: the usual client round trips.</summary>
public static class ContractCalls
{
    /// <summary>Submits a signed call and waits for its block, retrying as <paramref name="policy"/> says; the returned status says VALID or why not.</summary>
    public static Task<CommitStatusResponse> InvokeAsync(this ChainClient client, AccountKey signer, string channel, string contract, string function, string argsJson,
        CancellationToken cancel = default, RetryPolicy? policy = null) =>
        client.SubmitAndWaitAsync(TransactionFactory.Create(signer, channel, contract, function, argsJson), signer, policy, cancel);

    /// <summary>
    /// Submits a signed transaction and waits for its block, retrying transient refusals and lost connections with the
    /// same transaction (<see cref="RetryPolicy"/>). A try that meets DUPLICATE_TXID means an earlier one got through:
    /// the answer is then that transaction's own commit, asked for with <paramref name="signer"/>'s signed read (or the
    /// client's reader), which is allowed to learn it.
    /// </summary>
    public static async Task<CommitStatusResponse> SubmitAndWaitAsync(this ChainClient client, Transaction transaction, AccountKey? signer = null, RetryPolicy? policy = null, CancellationToken cancel = default)
    {
        var request = new SubmitRequest { Transaction = transaction };
        return await RetryAsync(client, policy, async () =>
        {
            try { return await client.Gateway.SubmitAndWaitAsync(request, cancellationToken: cancel); }
            catch (RpcException e) when (e.Is(ErrorCodes.Of(ValidationCode.DuplicateTxid)))
            {
                var status = new CommitStatusRequest { Channel = ChannelOf(transaction), TxId = TxIdOf(transaction), Wait = true };
                var headers = signer is null ? null : ReadSigning.Sign(signer, "/chain.v1.Gateway/CommitStatus", status.Channel, status, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                return await client.Gateway.CommitStatusAsync(status, headers, cancellationToken: cancel);
            }
        }, cancel);
    }

    /// <summary>Submits a signed transaction (admission only), retrying like <see cref="SubmitAndWaitAsync"/>; returns its id. A duplicate means it was admitted before, which is the answer.</summary>
    public static async Task<string> SubmitAsync(this ChainClient client, Transaction transaction, RetryPolicy? policy = null, CancellationToken cancel = default)
    {
        var request = new SubmitRequest { Transaction = transaction };
        return await RetryAsync(client, policy, async () =>
        {
            try { return (await client.Gateway.SubmitAsync(request, cancellationToken: cancel)).TxId; }
            catch (RpcException e) when (e.Is(ErrorCodes.Of(ValidationCode.DuplicateTxid))) { return TxIdOf(transaction); }
        }, cancel);
    }

    /// <summary>Runs <paramref name="call"/> until it answers, a refusal is final, or the policy's deadline has passed.</summary>
    public static async Task<T> RetryAsync<T>(ChainClient client, RetryPolicy? policy, Func<Task<T>> call, CancellationToken cancel)
    {
        policy ??= RetryPolicy.Default;
        var started = Stopwatch.GetTimestamp();
        for (int attempt = 1; ; attempt++)
        {
            try { return await call(); }
            catch (RpcException e) when (!cancel.IsCancellationRequested && RetryPolicy.Judge(e) != RetryPolicy.Verdict.GiveUp)
            {
                var pause = policy.Pause(attempt);
                if (Stopwatch.GetElapsedTime(started) + pause > policy.Deadline || !RetryPolicy.TryAgain(RetryPolicy.Judge(e), client, out bool moved)) throw;
                policy.OnRetry?.Invoke(attempt, e.Status.Detail, moved);
                await Task.Delay(pause, cancel);
            }
        }
    }

    /// <summary>Runs a read-only function against committed state and returns its JSON result bytes.</summary>
    public static async Task<byte[]> QueryAsync(this ChainClient client, string channel, string contract, string function, string argsJson, CancellationToken cancel = default)
    {
        var response = await client.Gateway.EvaluateAsync(new EvaluateRequest
        {
            Channel = channel, Contract = contract, Function = function, Args = ByteString.CopyFromUtf8(argsJson),
        }, cancellationToken: cancel);
        return response.Result.ToByteArray();
    }

    public static string TxIdOf(Transaction transaction) => Convert.ToHexStringLower(ProtocolHashes.TxId(transaction.Payload.Span));

    private static string ChannelOf(Transaction transaction) => TxPayload.Parser.ParseFrom(transaction.Payload).Channel;
}
