using System.CommandLine;
using Chain.Cli.Output;
using Chain.Sdk.Crypto;

namespace Chain.Cli.Commands.Operate;

internal static class AccountCommands
{
    public static Command Build()
    {
        var account = new Command("account", "create and inspect account keystores (Web3 Secret Storage)");

        var outOption = new Option<string>("--out") { Description = "keystore file to write", Required = true };
        var passwordFile = GlobalOptions.PasswordFile();
        var light = new Option<bool>("--light-kdf") { Description = "cheaper scrypt parameters (for test and development keys only)" };
        var create = new Command("new", "generate a secp256k1 account and write it as an encrypted keystore") { outOption, passwordFile, light };
        create.SetHandler((parse, _) =>
        {
            var path = parse.GetValue(outOption)!;
            if (File.Exists(path)) throw new UsageException($"'{path}' already exists; refusing to overwrite a key");
            var password = CliErrors.ReadPassword(parse.GetValue(passwordFile), "the new keystore");
            return Task.FromResult(Save(parse, path, AccountKey.Generate(), password, parse.GetValue(light)));
        });

        var fileArgument = new Argument<string>("file") { Description = "keystore file" };
        var showPassword = GlobalOptions.PasswordFile();
        var show = new Command("show", "show the address of a keystore: from its 'address' field, or with --password-file from the key itself (checked against the field)")
        {
            fileArgument, showPassword,
        };
        show.SetHandler((parse, _) =>
        {
            var path = parse.GetValue(fileArgument)!;
            bool decrypted = parse.GetValue(showPassword) is not null;
            var address = decrypted ? Keystore.Open(path, CliErrors.ReadPassword(parse.GetValue(showPassword), $"keystore '{path}'")).Address : Keystore.AddressOf(path);
            Printer.Print(parse, new { address = Address.ToText(address), file = Path.GetFullPath(path), decrypted },
                () => Printer.Pairs(("address", Address.ToText(address)), ("file", Path.GetFullPath(path)), ("checked", decrypted ? "decrypted with the password" : "the file's address field")));
            return Task.FromResult(0);
        });

        var privateKeyFile = new Option<string?>("--private-key-file") { Description = "file holding a raw private key (64 hex characters, optionally 0x)" };
        var keystoreFile = new Option<string?>("--keystore") { Description = "a keystore written by another wallet (geth, MetaMask, ethers; scrypt or pbkdf2), opened with --password-file" };
        var importOut = new Option<string>("--out") { Description = "keystore file to write", Required = true };
        var importPassword = GlobalOptions.PasswordFile();
        var newPassword = new Option<string?>("--new-password-file") { Description = "password of the written keystore (default: the same as --password-file)" };
        var import = new Command("import", "bring a key from another wallet in: write it as this tool's keystore (scrypt, standard cost)")
        {
            privateKeyFile, keystoreFile, importOut, importPassword, newPassword, light,
        };
        import.SetHandler((parse, _) =>
        {
            string? raw = parse.GetValue(privateKeyFile), other = parse.GetValue(keystoreFile);
            if ((raw is null) == (other is null)) throw new UsageException("give exactly one of --private-key-file FILE and --keystore FILE");
            var path = parse.GetValue(importOut)!;
            if (File.Exists(path)) throw new UsageException($"'{path}' already exists; refusing to overwrite a key");
            AccountKey key;
            if (raw is not null)
            {
                if (!File.Exists(raw)) throw new UsageException($"--private-key-file '{raw}' does not exist");
                key = AccountKey.FromHex(File.ReadAllText(raw));
            }
            else key = Keystore.Open(other!, CliErrors.ReadPassword(parse.GetValue(importPassword), $"keystore '{other}'"));
            var password = parse.GetValue(newPassword) is { } np ? CliErrors.ReadPassword(np, "the new keystore") : CliErrors.ReadPassword(parse.GetValue(importPassword), "the new keystore");
            return Task.FromResult(Save(parse, path, key, password, parse.GetValue(light)));
        });

        var exportFile = new Argument<string>("file") { Description = "keystore file" };
        var exportPassword = GlobalOptions.PasswordFile();
        var exportPublic = new Command("export-public", "print the account's address and public key, for an enrolment request (decrypts the keystore to derive them)") { exportFile, exportPassword };
        exportPublic.SetHandler((parse, _) =>
        {
            var path = parse.GetValue(exportFile)!;
            var key = Keystore.Open(path, CliErrors.ReadPassword(parse.GetValue(exportPassword), $"keystore '{path}'"));
            var publicKey = "0x" + Convert.ToHexStringLower(key.PublicKey);
            Printer.Print(parse, new { address = key.AddressText, publicKey }, () => Printer.Pairs(("address", key.AddressText), ("public key", publicKey)));
            return Task.FromResult(0);
        });

        account.Subcommands.Add(create);
        account.Subcommands.Add(show);
        account.Subcommands.Add(import);
        account.Subcommands.Add(exportPublic);
        return account;
    }

    /// <summary>Writes a key as a keystore (never with an empty password) and reports its address and file.</summary>
    private static int Save(ParseResult parse, string path, AccountKey key, string password, bool light)
    {
        if (password.Length == 0) throw new UsageException("the keystore password must not be empty");
        Keystore.Write(path, key, password, light);
        Printer.Print(parse, new { address = key.AddressText, file = Path.GetFullPath(path) },
            () => Printer.Pairs(("address", key.AddressText), ("file", Path.GetFullPath(path))));
        return 0;
    }
}
