using System.CommandLine;
using Chain.Node.Configuration;
using Chain.Node.Hosting;

namespace Chain.Cli.Commands.Operate;

internal static class NodeCommands
{
    public static Command Build()
    {
        var config = new Option<string>("--config") { Description = "node configuration file (JSON)", Required = true };
        var start = new Command("start", "run a node in the foreground until Ctrl-C or SIGTERM") { config };
        start.SetHandler(async (parse, cancel) =>
        {
            var nodeConfig = NodeConfig.Load(parse.GetValue(config)!);
            await NodeHost.RunAsync(nodeConfig, cancel);
            return 0;
        });
        var node = new Command("node", "run a node");
        node.Subcommands.Add(start);
        return node;
    }
}
