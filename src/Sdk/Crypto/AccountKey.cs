using System.Security.Cryptography;

namespace Chain.Sdk.Crypto;

/// <summary>A secp256k1 private key and the account address it controls.</summary>
public sealed class AccountKey
{
    private readonly byte[] _privateKey;

    public AccountKey(byte[] privateKey)
    {
        if (!Signatures.IsValidPrivateKey(privateKey)) throw new ArgumentException("not a valid secp256k1 private key", nameof(privateKey));
        _privateKey = (byte[])privateKey.Clone();
        Address = Crypto.Address.FromUncompressedPublicKey(Signatures.PublicKeyOf(_privateKey));
    }

    public byte[] Address { get; }

    /// <summary>The uncompressed public key (65 bytes, 0x04 prefix), as an enrolment request carries it.</summary>
    public byte[] PublicKey => Signatures.PublicKeyOf(_privateKey);

    /// <summary>A raw private key as wallets export it: 64 hex characters, optionally with 0x and surrounding whitespace.</summary>
    public static AccountKey FromHex(string text)
    {
        var hex = text.Trim();
        if (hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) hex = hex[2..];
        if (hex.Length != 64 || Hashes.TryFromHex(hex) is not { } bytes) throw new KeystoreException("a private key is 64 hex characters (32 bytes), optionally after 0x");
        try { return new AccountKey(bytes); }
        catch (ArgumentException) { throw new KeystoreException("the value is not a valid secp256k1 private key (zero, or not below the curve order)"); }
    }
    public string AddressText => Crypto.Address.ToText(Address);

    public static AccountKey Generate()
    {
        Span<byte> key = stackalloc byte[32];
        do RandomNumberGenerator.Fill(key); while (!Signatures.IsValidPrivateKey(key));
        return new AccountKey(key.ToArray());
    }

    public byte[] Sign(ReadOnlySpan<byte> digest32) => Signatures.Sign(digest32, _privateKey);

    /// <summary>The raw key, for writing an encrypted keystore. Callers must not log or persist it in clear.</summary>
    public byte[] ExportPrivateKey() => (byte[])_privateKey.Clone();
}
