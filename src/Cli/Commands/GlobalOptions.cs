using System.CommandLine;

namespace Chain.Cli.Commands;

internal static class GlobalOptions
{
    public const string DefaultEndpoint = "http://127.0.0.1:7051";

    public static readonly Option<string> Endpoint = new("--endpoint")
    {
        Description = "gRPC endpoint of the node; several, separated by commas, to fail over to the next when one is gone, stopping or halted",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CHAIN_ENDPOINT") ?? DefaultEndpoint,
        Recursive = true,
    };

    public static readonly Option<string?> TlsCa = new("--tls-ca")
    {
        Description = "CA certificate (PEM) that must have issued the node's TLS certificate, for https:// endpoints (default: CHAIN_TLS_CA, else the system trust store)",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("CHAIN_TLS_CA"),
        Recursive = true,
    };

    /// <summary>
    /// A client for the node named by --endpoint, trusting --tls-ca for https endpoints. Its reads are signed by
    /// <paramref name="reader"/>, else by the command's --key or --as when it has them; unsigned, only public reads answer.
    /// </summary>
    /// <param name="endpoint">Endpoints to use instead of --endpoint (a network the command started itself).</param>
    public static Chain.Sdk.Client.ChainClient Connect(ParseResult parse, Chain.Sdk.Crypto.AccountKey? reader = null, string? endpoint = null)
    {
        var ca = parse.GetValue(TlsCa);
        if (ca is not null && !File.Exists(ca)) throw new UsageException($"--tls-ca '{ca}' does not exist");
        return new Chain.Sdk.Client.ChainClient(endpoint ?? parse.GetValue(Endpoint)!, ca is null ? null : Chain.Sdk.Client.TlsOptions.FromPemFiles(ca), reader ?? Signer.TryLoad(parse));
    }

    public static readonly Option<double> RetryFor = new("--retry-for")
    {
        Description = "seconds to keep retrying a transaction the network cannot take now (no leader, busy, node gone), with the same signed transaction; 0: one try",
        DefaultValueFactory = _ => 60,
        Recursive = true,
    };

    /// <summary>The one retry policy (<see cref="Chain.Sdk.Client.RetryPolicy"/>) with --retry-for as its deadline; each retry is reported on stderr.</summary>
    public static Chain.Sdk.Client.RetryPolicy Retry(ParseResult parse)
    {
        var seconds = parse.GetValue(RetryFor);
        if (seconds < 0 || double.IsNaN(seconds)) throw new UsageException($"--retry-for must be 0 or more seconds, got {seconds}");
        return Chain.Sdk.Client.RetryPolicy.Default with
        {
            Deadline = TimeSpan.FromSeconds(seconds),
            OnRetry = (attempt, reason, moved) => Console.Error.WriteLine($"retrying ({attempt}): {reason}{(moved ? "; trying the next endpoint" : "")}"),
        };
    }

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
