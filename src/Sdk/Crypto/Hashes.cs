using System.Security.Cryptography;
using Org.BouncyCastle.Crypto.Digests;

namespace Chain.Sdk.Crypto;

/// <summary>The hash functions of the protocol: SHA-256 for ids and roots, Keccak-256 only for addresses.</summary>
public static class Hashes
{
    public const int Length = 32;

    public static byte[] Sha256(ReadOnlySpan<byte> data) => SHA256.HashData(data);

    public static void Sha256(ReadOnlySpan<byte> data, Span<byte> destination) => SHA256.HashData(data, destination);

    public static byte[] Keccak256(ReadOnlySpan<byte> data)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        var output = new byte[Length];
        digest.DoFinal(output, 0);
        return output;
    }

    public static string ToHex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Parses hex with or without a 0x prefix; returns null when the text is not hex.</summary>
    public static byte[]? TryFromHex(string? hex)
    {
        if (string.IsNullOrEmpty(hex)) return null;
        var span = hex.AsSpan();
        if (span.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) span = span[2..];
        if (span.Length % 2 != 0) return null;
        try { return Convert.FromHexString(span); }
        catch (FormatException) { return null; }
    }
}
