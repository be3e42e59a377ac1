using System.Security.Cryptography;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Sdk.Transactions;

/// <summary>Builds and signs transactions. The payload is serialized once and its bytes are what is hashed and signed.</summary>
public static class TransactionFactory
{
    public static Transaction Create(AccountKey signer, string channel, string contract, string function, string argsJson,
        long? timestampMs = null, ulong? nonce = null)
    {
        var payload = new TxPayload
        {
            Channel = channel,
            Contract = contract,
            Function = function,
            Args = ByteString.CopyFrom(System.Text.Encoding.UTF8.GetBytes(argsJson)),
            Creator = ByteString.CopyFrom(signer.Address),
            Nonce = nonce ?? RandomNonce(),
            TimestampMs = timestampMs ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        return Sign(signer, payload.ToByteArray());
    }

    public static Transaction Sign(AccountKey signer, byte[] payloadBytes) => new()
    {
        Payload = ByteString.CopyFrom(payloadBytes),
        Signature = ByteString.CopyFrom(signer.Sign(ProtocolHashes.TxId(payloadBytes))),
    };

    public static string TxIdOf(Transaction transaction) => Hashes.ToHex(ProtocolHashes.TxId(transaction.Payload.Span));

    private static ulong RandomNonce()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);
        return BitConverter.ToUInt64(bytes);
    }
}
