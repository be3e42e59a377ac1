using System.CommandLine;

namespace Chain.Cli.Commands;

public static class GlobalOptions
{
    public const string DefaultEndpoint = "http://127.0.0.1:7051";

    public static readonly Option<string> Endpoint = new("--endpoint")
    {
        Description = "gRPC endpoint of the node",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CHAIN_ENDPOINT") ?? DefaultEndpoint,
        Recursive = true,
    };

    public static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "table (for people) or json (for scripts)",
        DefaultValueFactory = _ => "table",
        Recursive = true,
    };

    static GlobalOptions() => Output.AcceptOnlyFromAmong("table", "json");

    public static Option<string> Channel() => new("--channel", "-c") { Description = "channel name", Required = true };

    public static Option<string?> PasswordFile() => new("--password-file")
    {
        Description = $"file holding the keystore password (default: the {CliErrors.PasswordEnvironmentVariable} environment variable)",
    };
}
