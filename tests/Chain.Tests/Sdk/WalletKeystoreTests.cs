using System.Text.Json.Nodes;
using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Sdk;

/// <summary>
/// Keystores written by other Ethereum tools open here: the Web3 Secret Storage definition's own test vectors (pbkdf2
/// and scrypt, neither with an address field), and the same files in the shapes other wallets write (an address
/// field, "Crypto" with a capital C, extra vendor fields), through the SDK and through `chain account`.
/// </summary>
public class WalletKeystoreTests
{
    private const string Password = "testpassword";
    private const string Secret = "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d";
    private const string VectorAddress = "0x008aeeda4d805471df9b2a5b0f38a0c3bcba786b";

    private const string Pbkdf2Vector = """
        {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},
        "ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",
        "kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},
        "mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
        """;

    private const string ScryptVector = """
        {"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"83dbcc02d8ccb40e466191a123791e0e"},
        "ciphertext":"d172bf743a674da9cdad04534d56926ef8358534d458fffccd4e6ad2fbde479c","kdf":"scrypt",
        "kdfparams":{"dklen":32,"n":262144,"r":1,"p":8,"salt":"ab0c7876052600dd703518d6fc3fe8984592145b591fc8fb5c6d43190334ba19"},
        "mac":"2103ac29920d71da29f15d75b4a16dbe95cfd7ff8faea1056c33131d846e3097"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}
        """;

    /// <summary>The vector as a wallet writes it: with its address (as geth does), "Crypto" (as some exports do), vendor fields (as ethers does).</summary>
    private static string WalletShaped(string vector, bool capitalCrypto = false, bool vendorFields = false, string address = "008aeeda4d805471df9b2a5b0f38a0c3bcba786b")
    {
        var json = JsonNode.Parse(vector)!.AsObject();
        json["address"] = address;
        if (capitalCrypto) { var crypto = json["crypto"]!; json.Remove("crypto"); json["Crypto"] = crypto; }
        if (vendorFields) json["x-ethers"] = new JsonObject { ["client"] = "ethers.js", ["version"] = "0.1", ["path"] = "m/44'/60'/0'/0/0" };
        return json.ToJsonString();
    }

    public static TheoryData<string, string> Files => new()
    {
        { "pbkdf2, no address", Pbkdf2Vector },
        { "scrypt, no address", ScryptVector },
        { "pbkdf2 with address and Crypto", WalletShaped(Pbkdf2Vector, capitalCrypto: true) },
        { "scrypt with address and vendor fields", WalletShaped(ScryptVector, vendorFields: true) },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void AWalletsKeystore_Opens_ToTheVectorsKey_AndSigns(string shape, string json)
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("wallet.json");
        File.WriteAllText(path, json);
        var key = Keystore.Open(path, Password);
        Assert.True(Convert.ToHexStringLower(key.ExportPrivateKey()) == Secret, shape);
        Assert.Equal(VectorAddress, key.AddressText, ignoreCase: true);
        var digest = Hashes.Keccak256("a transaction"u8);
        Assert.Equal(key.Address, Signatures.TryRecoverAddress(digest, key.Sign(digest), out var error) ?? throw new InvalidOperationException(error));
    }

    [Fact]
    public void AKeystoreWhoseAddressFieldNamesAnotherAccount_IsRefused()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("lying.json");
        File.WriteAllText(path, WalletShaped(Pbkdf2Vector, address: "1111111111111111111111111111111111111111"));
        var refusal = Assert.Throws<KeystoreException>(() => Keystore.Open(path, Password));
        Assert.Contains("says it holds 0x1111111111111111111111111111111111111111", refusal.Message);
    }

    [Fact]
    public async Task ChainAccount_ShowsDerivesImportsAndExportsTheWalletsKey()
    {
        using var dir = new TempDirectory();
        string vector = dir.Combine("vector.json"), password = dir.Combine("pw"), secret = dir.Combine("secret.hex");
        File.WriteAllText(vector, ScryptVector);
        File.WriteAllText(password, Password + "\n");
        File.WriteAllText(secret, "0x" + Secret + "\n");

        // Without the password the file cannot say whose it is; with it, the address comes from the key.
        var blind = await ChainBinary.RunAsync("account", "show", vector);
        Assert.Equal(2, blind.ExitCode);
        Assert.Contains("--password-file", blind.StdErr);
        var shown = await ChainBinary.RunAsync("account", "show", vector, "--password-file", password, "-o", "json");
        Assert.True(shown.ExitCode == 0, shown.StdErr);
        Assert.Equal(VectorAddress, System.Text.Json.JsonDocument.Parse(shown.StdOut).RootElement.GetProperty("address").GetString(), ignoreCase: true);

        foreach (var (source, name) in new[] { (new[] { "--keystore", vector }, "from-keystore.json"), (new[] { "--private-key-file", secret }, "from-hex.json") })
        {
            var imported = await ChainBinary.RunAsync(["account", "import", .. source, "--out", dir.Combine(name), "--password-file", password, "--light-kdf"]);
            Assert.True(imported.ExitCode == 0, imported.StdErr);
            Assert.Equal(VectorAddress, Keystore.Read(dir.Combine(name), Password).AddressText, ignoreCase: true);
            Assert.Equal(VectorAddress, Address.ToText(Keystore.AddressOf(dir.Combine(name))), ignoreCase: true); // ours carry the address field
        }
        var again = await ChainBinary.RunAsync("account", "import", "--private-key-file", secret, "--out", dir.Combine("from-hex.json"), "--password-file", password);
        Assert.Equal(2, again.ExitCode);
        Assert.Contains("already exists", again.StdErr);

        var exported = await ChainBinary.RunAsync("account", "export-public", vector, "--password-file", password, "-o", "json");
        Assert.True(exported.ExitCode == 0, exported.StdErr);
        var publicKey = Convert.FromHexString(System.Text.Json.JsonDocument.Parse(exported.StdOut).RootElement.GetProperty("publicKey").GetString()![2..]);
        Assert.Equal(VectorAddress, Address.ToText(Address.FromUncompressedPublicKey(publicKey)), ignoreCase: true);

        File.WriteAllText(secret, "not a key");
        var bad = await ChainBinary.RunAsync("account", "import", "--private-key-file", secret, "--out", dir.Combine("bad.json"), "--password-file", password);
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("64 hex characters", bad.StdErr);
        Assert.False(File.Exists(dir.Combine("bad.json")));
    }
}
