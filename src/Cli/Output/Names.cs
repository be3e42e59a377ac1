using System.Text;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Google.Protobuf;

namespace Chain.Cli.Output;

/// <summary>How the CLI names codes and shows bytes.</summary>
internal static class Names
{
    public static string Code(ValidationCode code) => ErrorCodes.NameOf(code);

    public static string Hex(ByteString bytes) => Hashes.ToHex(bytes.Span);

    public static string Utf8OrHex(ByteString bytes)
    {
        try { return new UTF8Encoding(false, true).GetString(bytes.Span); }
        catch (DecoderFallbackException) { return "0x" + Hex(bytes); }
    }
}
