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
