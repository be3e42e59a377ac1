using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.Sdk;

public class ReadSigningTests
{
    [Fact]
    public void TheReadDigest_IsTheOneDocumentedInEncodingMd()
    {
        var request = new BlockByNumberRequest { Channel = "charity", Number = 2 };
        Assert.Equal("0a07636861726974791002", Convert.ToHexStringLower(request.ToByteArray()));
        Assert.Equal("7c40cad2bb68f84a915b8319ba7057e2307c04ab14c503355440f272eef1a557",
            Convert.ToHexStringLower(ProtocolHashes.ReadDigest("/chain.v1.Ledger/GetBlockByNumber", "charity", request.ToByteArray(), 1767225600000)));
    }

    [Fact]
    public void TheHeaders_NameTheReader_AndItsSignatureRecoversToIt()
    {
        var reader = AccountKey.Generate();
        var request = new EvaluateRequest { Channel = "charity", Contract = "charity", Function = "GetDonation", Args = ByteString.CopyFromUtf8("{}") };
        var headers = ReadSigning.Sign(reader, "/chain.v1.Gateway/Evaluate", "charity", request, 42);
        Assert.Equal(reader.AddressText, headers.GetValue(ReadSigning.ReaderHeader));
        Assert.Equal("42", headers.GetValue(ReadSigning.TimeHeader));
        var digest = ProtocolHashes.ReadDigest("/chain.v1.Gateway/Evaluate", "charity", request.ToByteArray(), 42);
        Assert.Equal(reader.Address, Signatures.TryRecoverAddress(digest, Convert.FromHexString(headers.GetValue(ReadSigning.SignatureHeader)!), out _));
    }

    [Fact]
    public void TheChannelOfARequest_IsItsChannelField_AndNullWithoutOne()
    {
        Assert.Equal("sandbox", ReadSigning.ChannelOf(new KeyHistoryRequest { Channel = "sandbox" }));
        Assert.Equal("", ReadSigning.ChannelOf(new ChainInfoRequest()));
        Assert.Null(ReadSigning.ChannelOf(new SubmitRequest()));
    }
}
