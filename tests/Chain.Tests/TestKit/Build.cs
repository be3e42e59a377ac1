using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;
using Google.Protobuf;

namespace Chain.Tests.TestKit;

/// <summary>Builders for test transactions.</summary>
public static class Build
{
    public static readonly AccountKey Alice = AccountKey.Generate();
    public static readonly AccountKey Bob = AccountKey.Generate();

    public static Transaction Put(string key, string value, AccountKey? signer = null, string channel = "sandbox", long? timestampMs = null) =>
        TransactionFactory.Create(signer ?? Alice, channel, "kv", "put", $"{{\"key\":\"{key}\",\"value\":\"{value}\"}}", timestampMs);

    public static Transaction Call(string function, string argsJson, AccountKey? signer = null, string channel = "sandbox", string contract = "kv", long? timestampMs = null) =>
        TransactionFactory.Create(signer ?? Alice, channel, contract, function, argsJson, timestampMs);

    /// <summary>Re-signs a modified payload, e.g. to test rules that come after the signature check.</summary>
    public static Transaction WithPayload(TxPayload payload, AccountKey? signer = null) => TransactionFactory.Sign(signer ?? Alice, payload.ToByteArray());

    public static TxPayload PayloadOf(Transaction tx) => TxPayload.Parser.ParseFrom(tx.Payload);
}
