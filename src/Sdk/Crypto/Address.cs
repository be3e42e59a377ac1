using Nethereum.Util;

namespace Chain.Sdk.Crypto;

/// <summary>A 20-byte account address derived as in Ethereum: the last 20 bytes of Keccak-256(public key).</summary>
public static class Address
{
    public const int Length = 20;

    public static byte[] FromUncompressedPublicKey(ReadOnlySpan<byte> publicKey65)
    {
        if (publicKey65.Length != 65 || publicKey65[0] != 0x04)
            throw new ArgumentException($"expected a 65-byte uncompressed public key, got {publicKey65.Length} bytes", nameof(publicKey65));
        return Hashes.Keccak256(publicKey65[1..])[12..];
    }

    /// <summary>EIP-55 mixed-case checksum form, 0x-prefixed.</summary>
    public static string ToText(ReadOnlySpan<byte> address) =>
        AddressUtil.Current.ConvertToChecksumAddress(Hashes.ToHex(address));

    public static byte[]? TryParse(string? text)
    {
        var bytes = Hashes.TryFromHex(text);
        return bytes is { Length: Length } ? bytes : null;
    }
}
