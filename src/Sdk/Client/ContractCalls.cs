using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;
using Google.Protobuf;

namespace Chain.Sdk.Client;

/// <summary>Signs, submits and waits for one contract call, or evaluates a query: the usual client round trips.</summary>
public static class ContractCalls
{
    /// <summary>Submits a signed call and waits for its block; the returned status says VALID or why not.</summary>
    public static async Task<CommitStatusResponse> InvokeAsync(this ChainClient client, AccountKey signer, string channel, string contract, string function, string argsJson, CancellationToken cancel = default)
    {
        var tx = TransactionFactory.Create(signer, channel, contract, function, argsJson);
        return await client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = tx }, cancellationToken: cancel);
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
}
