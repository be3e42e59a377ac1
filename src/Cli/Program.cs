using System.CommandLine;
using Chain.Cli.Commands;

namespace Chain.Cli;

public static class Program
{
    // Signals are handled where they matter: the node host stops gracefully on SIGINT/SIGTERM, and
    // 'network up' forwards them to its children. The parser's own handler would kill the process early.
    public static Task<int> Main(string[] args) =>
        BuildRoot().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("chain: permissioned ledger node and operator tool");
        root.Options.Add(GlobalOptions.Endpoint);
        root.Options.Add(GlobalOptions.Output);
        root.Subcommands.Add(NetworkCommands.Build());
        root.Subcommands.Add(NodeCommands.Build());
        root.Subcommands.Add(AccountCommands.Build());
        root.Subcommands.Add(TxCommands.BuildInvoke());
        root.Subcommands.Add(TxCommands.BuildQuery());
        root.Subcommands.Add(LedgerCommands.BuildStatus());
        root.Subcommands.Add(LedgerCommands.BuildBlock());
        root.Subcommands.Add(LedgerCommands.BuildTx());
        root.Subcommands.Add(LedgerCommands.BuildLedger());
        root.Subcommands.Add(BenchCommands.Build());
        return root;
    }
}
