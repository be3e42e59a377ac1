using System.CommandLine;
using System.CommandLine.Parsing;
using Chain.Cli.Commands;
using Chain.Cli.Commands.Bench;
using Chain.Cli.Commands.Charity;
using Chain.Cli.Commands.Fund;
using Chain.Cli.Commands.Operate;

namespace Chain.Cli;

internal static class Program
{
    // Signals are handled where they matter: the node host stops gracefully on SIGINT/SIGTERM, and
    // 'network up' forwards them to its children. The parser's own handler would kill the process early.
    public static Task<int> Main(string[] args)
    {
        var parseResult = BuildRoot().Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            // One readable line and the usage exit code, instead of the parser's full help text.
            var message = string.Join(' ', parseResult.Errors[0].Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries));
            Console.Error.WriteLine($"error: {message} (see '{string.Join(' ', CommandPath(parseResult).Prepend("chain"))} --help')");
            return Task.FromResult(2);
        }
        return parseResult.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
    }

    private static IEnumerable<string> CommandPath(ParseResult parseResult)
    {
        var names = new Stack<string>();
        for (var result = parseResult.CommandResult; result?.Parent is CommandResult parent; result = parent) names.Push(result.Command.Name);
        return names;
    }

    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("chain: permissioned ledger node and operator tool");
        root.Options.Add(GlobalOptions.Endpoint);
        root.Options.Add(GlobalOptions.Output);
        root.Options.Add(GlobalOptions.TlsCa);
        root.Options.Add(GlobalOptions.RetryFor);
        root.Subcommands.Add(NetworkCommands.Build());
        root.Subcommands.Add(NodeCommands.Build());
        root.Subcommands.Add(CryptoCommands.Build());
        root.Subcommands.Add(ChannelCommands.Build());
        root.Subcommands.Add(MemberCommands.Build());
        root.Subcommands.Add(PeerCommands.Build());
        root.Subcommands.Add(AccountCommands.Build());
        root.Subcommands.Add(TxCommands.BuildInvoke());
        root.Subcommands.Add(TxCommands.BuildQuery());
        root.Subcommands.Add(LedgerCommands.BuildStatus());
        root.Subcommands.Add(LedgerCommands.BuildBlock());
        root.Subcommands.Add(LedgerCommands.BuildTx());
        root.Subcommands.Add(LedgerCommands.BuildLedger());
        root.Subcommands.Add(VerifyCommands.Build());
        root.Subcommands.Add(HistoryCommands.Build());
        root.Subcommands.Add(AuditCommands.Build());
        root.Subcommands.Add(CharityCommands.Build());
        root.Subcommands.Add(FundCommands.Build());
        root.Subcommands.Add(BenchCommands.Build());
        root.Subcommands.Add(Portal.PortalCommands.Build());
        return root;
    }
}
