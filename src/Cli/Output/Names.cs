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

    /// <summary>A size for people: 812 B, 3.4 MB, 1.2 GB (decimal units).</summary>
    public static string Bytes(ulong bytes) => bytes switch
    {
        < 1_000 => $"{bytes} B",
        < 1_000_000 => $"{bytes / 1e3:F1} kB",
        < 1_000_000_000 => $"{bytes / 1e6:F1} MB",
        _ => $"{bytes / 1e9:F1} GB",
    };

    public static string Utf8OrHex(ByteString bytes)
    {
        try { return new UTF8Encoding(false, true).GetString(bytes.Span); }
        catch (DecoderFallbackException) { return "0x" + Hex(bytes); }
    }
}
