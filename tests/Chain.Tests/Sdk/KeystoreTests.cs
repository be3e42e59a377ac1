using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Nethereum.KeyStore;
using Xunit;

namespace Chain.Tests.Sdk;

public class KeystoreTests
{
    [Fact]
    public void WriteThenRead_ReturnsTheSameAccount()
    {
        using var dir = new TempDirectory();
        var key = AccountKey.Generate();
        Keystore.Write(dir.Combine("k.json"), key, "secret", light: true);
        Assert.Equal(key.Address, Keystore.Read(dir.Combine("k.json"), "secret").Address);
    }

    [Fact]
    public void ConcurrentEncryptions_EachDecryptWithTheirOwnPassword()
    {
        // Regression: the scrypt parameters were one shared object, which the keystore library fills with each
        // encryption's salt; concurrent encryptions then wrote another one's salt into their file, so the right
        // password no longer opened it ("wrong password for keystore" when test nodes started in parallel).
        var keys = Enumerable.Range(0, 48).Select(_ => AccountKey.Generate()).ToArray();
        var files = new string[keys.Length];
        Parallel.For(0, keys.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => files[i] = Keystore.Encrypt(keys[i], "pw" + i, light: true));
        for (int i = 0; i < keys.Length; i++) Assert.Equal(keys[i].Address, Keystore.Decrypt(files[i], "pw" + i).Address);
    }

    [Fact]
    public void WrongPassword_IsAKeystoreError()
    {
        var json = Keystore.Encrypt(AccountKey.Generate(), "right", light: true);
        var error = Assert.Throws<KeystoreException>(() => Keystore.Decrypt(json, "wrong"));
        Assert.Contains("wrong password", error.Message);
    }

    [Fact]
    public void NethereumKeystore_IsReadable()
    {
        var key = AccountKey.Generate();
        var service = new KeyStoreScryptService();
        var json = service.SerializeKeyStoreToJson(service.EncryptAndGenerateKeyStore("pw", key.ExportPrivateKey(), Hashes.ToHex(key.Address), Keystore.Light()));
        Assert.Equal(key.Address, Keystore.Decrypt(json, "pw").Address);
    }

    [Fact]
    public void NotAKeystore_IsAKeystoreError()
    {
        Assert.Throws<KeystoreException>(() => Keystore.Decrypt("{\"hello\":1}", "pw"));
        Assert.Throws<KeystoreException>(() => Keystore.Decrypt("not json", "pw"));
    }
}
