using System.CommandLine;
using Chain.Sdk.Crypto;

namespace Chain.Cli.Commands;

/// <summary>
/// Who signs a domain command: a keystore (<c>--key</c> with <c>--password-file</c> or CHAIN_PASSWORD), or
/// <c>--as Org/name</c>, a sample account of the local network's crypto folder (its password file sits beside it).
/// </summary>
internal static class Signer
{
    public static readonly Option<string?> Key = new("--key") { Description = "keystore file of the signing account", Recursive = true };
    public static readonly Option<string?> As = new("--as") { Description = "sign as a sample account of the local network, e.g. Bank/teller1 (reads --crypto)", Recursive = true };
    public static readonly Option<string> Crypto = new("--crypto") { Description = "crypto folder of the local network (for --as)", DefaultValueFactory = _ => Path.Combine(".chain", "crypto"), Recursive = true };
    public static readonly Option<string?> PasswordFile = new("--password-file") { Description = $"file holding the keystore password (default: {CliErrors.PasswordEnvironmentVariable})", Recursive = true };

    public static void AddTo(Command command)
    {
        command.Options.Add(Key);
        command.Options.Add(As);
        command.Options.Add(Crypto);
        command.Options.Add(PasswordFile);
    }

    public static AccountKey Load(ParseResult parse)
    {
        var key = parse.GetValue(Key);
        var account = parse.GetValue(As);
        if (key is not null && account is not null) throw new UsageException("give either --key or --as, not both");
        if (key is not null)
        {
            if (!File.Exists(key)) throw new UsageException($"keystore '{key}' does not exist");
            return Keystore.Read(key, CliErrors.ReadPassword(parse.GetValue(PasswordFile), "the signing key"));
        }
        if (account is null) throw new UsageException("this command is signed: pass --key FILE (with --password-file) or --as Org/name");
        return LoadSample(parse.GetValue(Crypto)!, account);
    }

    /// <summary>The account of --key or --as when the command has them and one was given, else null.</summary>
    public static AccountKey? TryLoad(ParseResult parse) =>
        parse.GetResult(Key) is null && parse.GetResult(As) is null ? null : parse.GetValue(Key) is null && parse.GetValue(As) is null ? null : Load(parse);

    /// <summary>The sample accounts of a crypto folder by Org/name, each read and decrypted once (benchmarks sign with a few of them many times).</summary>
    public static Func<string, AccountKey> SampleAccounts(string cryptoDir)
    {
        var keys = new System.Collections.Concurrent.ConcurrentDictionary<string, AccountKey>(StringComparer.Ordinal);
        return account => keys.GetOrAdd(account, a => LoadSample(cryptoDir, a));
    }

    public static AccountKey LoadSample(string cryptoDir, string account)
    {
        var parts = account.Split('/');
        if (parts.Length != 2 || parts.Any(p => p.Length == 0)) throw new UsageException($"--as must be Org/name, e.g. Bank/teller1, got '{account}'");
        var file = Path.Combine(cryptoDir, "orgs", parts[0], "accounts", parts[1] + ".json");
        if (!File.Exists(file)) throw new UsageException($"no account {account} in {cryptoDir} (expected {file}; run 'chain network up' or 'chain crypto generate' first)");
        var password = Path.ChangeExtension(file, ".password");
        return Keystore.Read(file, File.Exists(password) ? File.ReadAllText(password).TrimEnd('\r', '\n') : CliErrors.ReadPassword(null, account));
    }
}
