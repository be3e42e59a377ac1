using System.CommandLine;
using Chain.Cli.Output;
using Chain.Node.Configuration;
using Chain.Node.Membership;
using Chain.Node.Membership.Crypto;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Cli.Commands;

public static class ChannelCommands
{
    public const string GenesisExtension = ".genesis";

    public static Command Build()
    {
        var networkFile = new Option<string>("--network") { Description = "network description (YAML)", DefaultValueFactory = _ => NetworkCommands.DefaultNetworkFile };
        var crypto = new Option<string>("--crypto") { Description = "folder written by 'chain crypto generate'", DefaultValueFactory = _ => ".chain/crypto" };
        var output = new Option<string>("--out") { Description = "folder for the genesis blocks (<channel>.genesis)", DefaultValueFactory = _ => ".chain/genesis" };
        var channel = new Option<string?>("--channel", "-c") { Description = "only this channel (default: every channel of the network file)" };
        var create = new Command("create", "build each channel's genesis block (its configuration) from the network file and crypto material") { networkFile, crypto, output, channel };
        create.SetHandler((parse, _) =>
        {
            var network = NetworkDefinition.Load(parse.GetValue(networkFile)!);
            var results = CreateGenesisFiles(network, Path.GetFullPath(parse.GetValue(crypto)!), Path.GetFullPath(parse.GetValue(output)!),
                parse.GetValue(channel), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            Printer.Print(parse, results, () =>
            {
                foreach (var r in results)
                    Console.Out.WriteLine($"{r.Channel}: {r.File} (hash {r.Hash}, {r.Organizations} organisations, {r.Members} members)");
            });
            return Task.FromResult(0);
        });
        var command = new Command("channel", "channel configuration");
        command.Subcommands.Add(create);
        return command;
    }

    public sealed record Created(string Channel, string File, string Hash, int Organizations, int Members);

    /// <param name="extraMembers">Accounts to enrol at genesis beyond the manifest's (used by tests and tools).</param>
    public static IReadOnlyList<Created> CreateGenesisFiles(NetworkDefinition network, string cryptoRoot, string output, string? onlyChannel, long timestampMs,
        IReadOnlyList<Chain.Protocol.Enrollment>? extraMembers = null)
    {
        var manifest = CryptoGenerator.LoadManifest(cryptoRoot);
        Directory.CreateDirectory(output);
        var results = new List<Created>();
        foreach (var channel in network.Channels.Where(c => onlyChannel is null || c.Name == onlyChannel))
        {
            var config = ChannelConfigBuilder.Build(network, channel.Name!, manifest, cryptoRoot,
                extraMembers?.Where(m => channel.Organizations.Contains(m.Organization)));
            var block = GenesisBlock.Create(config, timestampMs);
            var file = Path.Combine(output, channel.Name + GenesisExtension);
            File.WriteAllBytes(file, block.ToByteArray());
            results.Add(new Created(channel.Name!, file, Hashes.ToHex(ProtocolHashes.BlockHash(block.Header)), config.Organizations.Count, config.Members.Count));
        }
        if (results.Count == 0) throw new UsageException($"channel '{onlyChannel}' is not defined in the network file");
        return results;
    }
}
