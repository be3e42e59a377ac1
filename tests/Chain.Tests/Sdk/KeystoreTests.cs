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
        var json = service.SerializeKeyStoreToJson(service.EncryptAndGenerateKeyStore("pw", key.ExportPrivateKey(), Hashes.ToHex(key.Address), Keystore.Light));
        Assert.Equal(key.Address, Keystore.Decrypt(json, "pw").Address);
    }

    [Fact]
    public void NotAKeystore_IsAKeystoreError()
    {
        Assert.Throws<KeystoreException>(() => Keystore.Decrypt("{\"hello\":1}", "pw"));
        Assert.Throws<KeystoreException>(() => Keystore.Decrypt("not json", "pw"));
    }
}
