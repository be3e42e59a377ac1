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
            if (password.Length == 0) throw new UsageException("the keystore password must not be empty");
            var key = AccountKey.Generate();
            Keystore.Write(path, key, password, parse.GetValue(light));
            Printer.Print(parse, new { address = key.AddressText, file = Path.GetFullPath(path) },
                () => Printer.Pairs(("address", key.AddressText), ("file", Path.GetFullPath(path))));
            return Task.FromResult(0);
        });

        var fileArgument = new Argument<string>("file") { Description = "keystore file" };
        var show = new Command("show", "show the address of a keystore (no password needed)") { fileArgument };
        show.SetHandler((parse, _) =>
        {
            var path = parse.GetValue(fileArgument)!;
            var address = Keystore.AddressOf(path);
            Printer.Print(parse, new { address = Address.ToText(address), file = Path.GetFullPath(path) },
                () => Printer.Pairs(("address", Address.ToText(address)), ("file", Path.GetFullPath(path))));
            return Task.FromResult(0);
        });

        account.Subcommands.Add(create);
        account.Subcommands.Add(show);
        return account;
    }
}
