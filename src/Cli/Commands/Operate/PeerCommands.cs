using System.CommandLine;
using Chain.Cli.Output;
using Chain.Protocol;
using Chain.Sdk.Client;

namespace Chain.Cli.Commands.Operate;

internal static class PeerCommands
{
    public static Command Build()
    {
        var certificate = new Option<string>("--cert") { Description = "this side's TLS certificate (PEM), e.g. a node certificate from 'chain crypto generate'", Required = true };
        var key = new Option<string>("--tls-key") { Description = "its private key (PEM)", Required = true };
        var ca = new Option<string>("--ca") { Description = "CA certificate (PEM) that issued the remote node's certificate", Required = true };
        var hello = new Command("hello", "connect to a node's peer endpoint over mutual TLS and show how it identifies this side") { certificate, key, ca };
        hello.SetHandler(async (parse, cancel) =>
        {
            foreach (var file in new[] { parse.GetValue(certificate)!, parse.GetValue(key)!, parse.GetValue(ca)! })
                if (!File.Exists(file)) throw new UsageException($"'{file}' does not exist");
            var tls = TlsOptions.FromPemFiles(parse.GetValue(ca), parse.GetValue(certificate), parse.GetValue(key));
            using var client = new ChainClient(parse.GetValue(GlobalOptions.Endpoint)!, tls);
            var response = await client.Peer.HelloAsync(new HelloRequest(), deadline: DateTime.UtcNow.AddSeconds(15), cancellationToken: cancel);
            Printer.Print(parse, new { node = response.NodeId, organization = response.CallerOrganization, subject = response.CallerSubject, channels = response.Channels.ToArray() },
                () => Printer.Pairs(("node", response.NodeId), ("you are", $"{response.CallerOrganization} ({response.CallerSubject})"), ("channels", string.Join(", ", response.Channels))));
            return 0;
        });
        var peer = new Command("peer", "node-to-node endpoint tools");
        peer.Subcommands.Add(hello);
        return peer;
    }
}
