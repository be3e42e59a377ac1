using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Sdk.Transactions;
using Chain.Node.Execution;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Nethereum.Signer;
using Xunit;

namespace Chain.Tests.Sdk;

public class SignaturesTests
{
    [Fact]
    public void NethereumSignedTransaction_VerifiesOnTheNativePath()
    {
        var ethKey = EthECKey.GenerateKey();
        var payload = new TxPayload
        {
            Channel = "sandbox", Contract = "kv", Function = "put", Args = ByteString.CopyFromUtf8("{\"key\":\"k\",\"value\":\"v\"}"),
            Creator = ByteString.CopyFrom(Convert.FromHexString(ethKey.GetPublicAddress()[2..])), Nonce = 7, TimestampMs = 1,
        };
        var bytes = payload.ToByteArray();
        var signature = ethKey.SignAndCalculateV(ProtocolHashes.TxId(bytes));
        var tx = new Transaction
        {
            Payload = ByteString.CopyFrom(bytes),
            Signature = ByteString.CopyFrom([.. signature.R.PadLeft(32), .. signature.S.PadLeft(32), signature.V[0]]),
        };

        var checkedTx = TxValidator.CheckStateless(tx, 1 << 20);

        Assert.Null(checkedTx.Rejection);
        Assert.Equal(ethKey.GetPublicAddress(), Address.ToText(checkedTx.Payload!.Creator.Span));
    }

    [Fact]
    public void NativeSignature_RecoversToTheSameAddressInNethereum()
    {
        var key = AccountKey.Generate();
        var digest = Hashes.Sha256("message"u8);
        var signature = key.Sign(digest);

        var nethereumSignature = EthECDSASignatureFactory.FromComponents(signature[..32], signature[32..64], [signature[64]]);
        var recovered = EthECKey.RecoverFromSignature(nethereumSignature, digest);
        var native = Signatures.TryRecoverAddress(digest, signature, out var error);

        Assert.Null(error);
        Assert.Equal(key.AddressText, recovered.GetPublicAddress());
        Assert.Equal(key.Address, native);
        Assert.Equal(new EthECKey(key.ExportPrivateKey(), true).GetPublicAddress(), key.AddressText);
    }

    [Fact]
    public void TamperedDigest_RecoversADifferentAddress()
    {
        var key = AccountKey.Generate();
        var signature = key.Sign(Hashes.Sha256("a"u8));
        var other = Signatures.TryRecoverAddress(Hashes.Sha256("b"u8), signature, out _);
        Assert.NotEqual(key.Address, other);
    }

    [Fact]
    public void HighS_IsRejected()
    {
        var key = AccountKey.Generate();
        var digest = Hashes.Sha256("x"u8);
        var signature = key.Sign(digest);
        // s' = n - s is the malleated twin of a valid signature.
        var n = System.Numerics.BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);
        var s = new System.Numerics.BigInteger(signature.AsSpan(32, 32), isUnsigned: true, isBigEndian: true);
        var highS = (n - s).ToByteArray(isUnsigned: true, isBigEndian: true);
        var malleated = signature.ToArray();
        highS.CopyTo(malleated.AsSpan(64 - highS.Length, highS.Length));
        malleated[64] = (byte)(malleated[64] == 27 ? 28 : 27); // the twin has the other recovery id

        Assert.Null(Signatures.TryRecoverAddress(digest, malleated, out var error));
        Assert.Contains("low-s", error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(64)]
    [InlineData(66)]
    public void WrongLength_IsRejectedWithTheLength(int length)
    {
        Assert.Null(Signatures.TryRecoverAddress(Hashes.Sha256("x"u8), new byte[length], out var error));
        Assert.Contains($"got {length}", error);
    }

    [Fact]
    public void TxId_IsTheHashOfThePayloadBytes()
    {
        var tx = Build.Put("k", "v");
        Assert.Equal(Hashes.ToHex(Hashes.Sha256(tx.Payload.Span)), TransactionFactory.TxIdOf(tx));
    }
}

internal static class PadExtensions
{
    public static byte[] PadLeft(this byte[] bytes, int length) =>
        bytes.Length >= length ? bytes : [.. new byte[length - bytes.Length], .. bytes];
}
