using System.Text.Json;
using Nethereum.KeyStore;
using Nethereum.KeyStore.Model;

namespace Chain.Sdk.Crypto;

/// <summary>Web3 Secret Storage (v3) keystore files, as written by geth and other Ethereum wallets.</summary>
public static class Keystore
{
    /// <summary>Standard scrypt cost (n = 2^18), as geth uses by default.</summary>
    public static ScryptParams Standard() => new() { N = 262144, R = 8, P = 1, Dklen = 32 };

    /// <summary>Cheaper scrypt cost (n = 2^12) for node keys of local development networks and tests.</summary>
    /// <remarks>A new object per call: the keystore library writes each encryption's salt into it.</remarks>
    public static ScryptParams Light() => new() { N = 4096, R = 8, P = 6, Dklen = 32 };

    public static string Encrypt(AccountKey key, string password, bool light = false)
    {
        var service = new KeyStoreScryptService();
        var keyStore = service.EncryptAndGenerateKeyStore(password, key.ExportPrivateKey(), Hashes.ToHex(key.Address), light ? Light() : Standard());
        return service.SerializeKeyStoreToJson(keyStore);
    }

    public static AccountKey Decrypt(string json, string password)
    {
        byte[] privateKey;
        try
        {
            privateKey = new KeyStoreService().DecryptKeyStoreFromJson(password, json);
        }
        catch (JsonException) { throw new KeystoreException("keystore file is not valid JSON"); }
        catch (Newtonsoft.Json.JsonException) { throw new KeystoreException("keystore file is not valid JSON"); }
        catch (Nethereum.KeyStore.Crypto.DecryptionException) { throw new KeystoreException("wrong password for keystore"); }
        catch (Exception e)
        {
            // Nethereum reports a malformed file with assorted exception types (even System.Exception).
            throw new KeystoreException($"keystore file is not a Web3 Secret Storage file ({e.Message})");
        }
        return new AccountKey(privateKey);
    }

    public static void Write(string path, AccountKey key, string password, bool light = false)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null) Directory.CreateDirectory(directory);
        File.WriteAllText(path, Encrypt(key, password, light));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    /// <summary>
    /// Opens a keystore as other wallets write it (geth, MetaMask exports, ethers; scrypt or pbkdf2): decrypts it,
    /// derives the address from the key, and refuses a file whose own <c>address</c> field names another account.
    /// A file without an <c>address</c> field (the Web3 Secret Storage test vectors) is fine.
    /// </summary>
    public static AccountKey Open(string path, string password)
    {
        if (!File.Exists(path)) throw new KeystoreException($"keystore file '{path}' does not exist");
        var json = File.ReadAllText(path);
        byte[]? recorded = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new KeystoreException($"'{path}' is not a JSON keystore object");
            // Some wallets write "Crypto" (capital C); the format's name is "crypto".
            if (!document.RootElement.TryGetProperty("crypto", out _) && document.RootElement.TryGetProperty("Crypto", out _))
                json = System.Text.RegularExpressions.Regex.Replace(json, "\"Crypto\"\\s*:", "\"crypto\":");
            if (document.RootElement.TryGetProperty("address", out var a) && a.ValueKind == JsonValueKind.String)
                recorded = Address.TryParse(a.GetString()) ?? throw new KeystoreException($"'{path}' has an 'address' field that is not an address: '{a.GetString()}'");
        }
        catch (JsonException) { throw new KeystoreException($"'{path}' is not a JSON keystore file"); }
        var key = Decrypt(json, password);
        if (recorded is not null && !recorded.AsSpan().SequenceEqual(key.Address))
            throw new KeystoreException($"'{path}' says it holds {Address.ToText(recorded)}, but its key is {key.AddressText}'s");
        return key;
    }

    /// <summary>The address recorded in a keystore file, read without the password.</summary>
    public static byte[] AddressOf(string path)
    {
        if (!File.Exists(path)) throw new KeystoreException($"keystore file '{path}' does not exist");
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var hex = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("address", out var a) && a.ValueKind == JsonValueKind.String
                ? a.GetString() : null;
            return Address.TryParse(hex) ?? throw new KeystoreException($"'{path}' has no valid 'address' field (give the password to derive it from the key: --password-file)");
        }
        catch (JsonException) { throw new KeystoreException($"'{path}' is not a JSON keystore file"); }
    }

    public static AccountKey Read(string path, string password)
    {
        if (!File.Exists(path)) throw new KeystoreException($"keystore file '{path}' does not exist");
        return Decrypt(File.ReadAllText(path), password);
    }
}

public sealed class KeystoreException(string message) : Exception(message);
