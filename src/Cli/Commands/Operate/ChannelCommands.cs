using Chain.Sdk.Client;
using System.CommandLine;
using Chain.Cli.Output;
using Chain.Node.Configuration;
using Chain.Node.Membership;
using Chain.Node.Membership.Crypto;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;

namespace Chain.Cli.Commands.Operate;

internal static class ChannelCommands
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
        command.Subcommands.Add(BuildFetch());
        command.Subcommands.Add(BuildAddOrganization());
        command.Subcommands.Add(BuildRefreshCertificates());
        command.Subcommands.Add(BuildUpdate());
        command.Subcommands.Add(BuildSign());
        command.Subcommands.Add(BuildSubmit());
        return command;
    }

    private static Command BuildFetch()
    {
        var channel = GlobalOptions.Channel();
        var output = new Option<string>("--out") { Description = "file for the configuration (JSON)", Required = true };
        var fetch = new Command("fetch", "write the channel's current configuration as JSON, to edit for an update") { channel, output };
        Signer.AddTo(fetch);
        fetch.SetHandler(async (parse, cancel) =>
        {
            var config = await FetchConfigAsync(parse, parse.GetValue(channel)!, cancel);
            File.WriteAllText(parse.GetValue(output)!, Google.Protobuf.JsonFormatter.Default.Format(config));
            Printer.Print(parse, new { channel = config.Channel, sequence = config.Sequence, file = Path.GetFullPath(parse.GetValue(output)!) },
                () => Printer.Pairs(("channel", config.Channel), ("sequence", config.Sequence), ("file", Path.GetFullPath(parse.GetValue(output)!))));
            return 0;
        });
        return fetch;
    }

    private static Command BuildAddOrganization()
    {
        var configFile = new Option<string>("--config") { Description = "a configuration written by 'channel fetch', edited in place", Required = true };
        var networkFile = new Option<string>("--network") { Description = "network description (YAML) that defines the organisation", DefaultValueFactory = _ => NetworkCommands.DefaultNetworkFile };
        var crypto = new Option<string>("--crypto") { Description = "folder written by 'chain crypto generate', holding the organisation's CA and admin", DefaultValueFactory = _ => ".chain/crypto" };
        var org = new Option<string>("--org") { Description = "the organisation to add", Required = true };
        var consenter = new Option<string?>("--consenter") { Description = "also add this node of the organisation as a consenter (its Raft port for the channel's place in the network file)" };
        var add = new Command("add-org", "add an organisation (its CA certificate, roles and admin, from the network file and crypto material) to a fetched configuration, to propose with 'channel update'")
            { configFile, networkFile, crypto, org, consenter };
        add.SetHandler((parse, _) =>
        {
            var path = RequireFile(parse.GetValue(configFile)!);
            Chain.Protocol.ChannelConfig config;
            try { config = Google.Protobuf.JsonParser.Default.Parse<Chain.Protocol.ChannelConfig>(File.ReadAllText(path)); }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException) { throw new UsageException($"{path}: not a channel configuration ({e.Message})"); }
            var network = NetworkDefinition.Load(parse.GetValue(networkFile)!);
            var cryptoRoot = Path.GetFullPath(parse.GetValue(crypto)!);
            var manifest = Chain.Node.Membership.Crypto.CryptoGenerator.LoadManifest(cryptoRoot);
            var name = parse.GetValue(org)!;
            if (config.Organizations.Any(o => o.Name == name)) throw new UsageException($"organisation '{name}' is already a member of channel '{config.Channel}'");
            config.Organizations.Add(ChannelConfigBuilder.Organization(network, name, manifest, cryptoRoot));
            if (parse.GetValue(consenter) is { } node)
            {
                int channelIndex = network.Channels.FindIndex(c => c.Name == config.Channel);
                if (channelIndex < 0) throw new UsageException($"channel '{config.Channel}' is not defined in {parse.GetValue(networkFile)} (its place there fixes the Raft port)");
                var entry = ChannelConfigBuilder.Consenter(network, channelIndex, node, manifest, cryptoRoot);
                if (entry.Organization != name) throw new UsageException($"node '{node}' belongs to '{entry.Organization}', not to '{name}'");
                config.Consenters.Add(entry);
            }
            File.WriteAllText(path, Google.Protobuf.JsonFormatter.Default.Format(config));
            Printer.Print(parse, new { channel = config.Channel, organization = name, consenter = parse.GetValue(consenter), file = Path.GetFullPath(path) },
                () => Printer.Pairs(("channel", config.Channel), ("added", name + (parse.GetValue(consenter) is { } n ? $" with consenter {n}" : "")), ("file", Path.GetFullPath(path)),
                    ("next", "propose it with 'chain channel update', then collect admin signatures")));
            return Task.FromResult(0);
        });
        return add;
    }

    private static Command BuildRefreshCertificates()
    {
        var configFile = new Option<string>("--config") { Description = "a configuration written by 'channel fetch', edited in place", Required = true };
        var crypto = new Option<string>("--crypto") { Description = "folder written by 'chain crypto generate' and 'chain crypto renew'", DefaultValueFactory = _ => ".chain/crypto" };
        var org = new Option<string>("--org") { Description = "the organisation whose CA or node certificates were renewed", Required = true };
        var drop = new Option<bool>("--drop-previous") { Description = "list only the current certificates (once every node uses them); without it, the old ones stay accepted too" };
        var refresh = new Command("refresh-certs", "after 'chain crypto renew': put an organisation's current CA and its consenters' current TLS certificates in a fetched configuration, for 'channel update'")
            { configFile, crypto, org, drop };
        refresh.SetHandler((parse, _) =>
        {
            var path = RequireFile(parse.GetValue(configFile)!);
            Chain.Protocol.ChannelConfig config;
            try { config = Google.Protobuf.JsonParser.Default.Parse<Chain.Protocol.ChannelConfig>(File.ReadAllText(path)); }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException) { throw new UsageException($"{path}: not a channel configuration ({e.Message})"); }
            ChannelConfigBuilder.RefreshCertificates(config, parse.GetValue(org)!, Path.GetFullPath(parse.GetValue(crypto)!), parse.GetValue(drop));
            File.WriteAllText(path, Google.Protobuf.JsonFormatter.Default.Format(config));
            var consenters = config.Consenters.Where(c => c.Organization == parse.GetValue(org)).Select(c => c.Node).ToArray();
            Printer.Print(parse, new { channel = config.Channel, organization = parse.GetValue(org), consenters, dropPrevious = parse.GetValue(drop), file = Path.GetFullPath(path) },
                () => Printer.Pairs(("channel", config.Channel), ("organisation", parse.GetValue(org)), ("consenters", string.Join(", ", consenters)),
                    ("previous", parse.GetValue(drop) ? "dropped" : "still accepted"), ("file", Path.GetFullPath(path)), ("next", "propose it with 'chain channel update', then collect admin signatures")));
            return Task.FromResult(0);
        });
        return refresh;
    }

    private static Command BuildUpdate()
    {
        var channel = GlobalOptions.Channel();
        var configFile = new Option<string>("--config") { Description = "the edited configuration (JSON, as written by 'channel fetch')", Required = true };
        var output = new Option<string>("--out") { Description = "file for the unsigned update envelope", Required = true };
        var update = new Command("update", "propose a new configuration: writes an update envelope for admins to sign") { channel, configFile, output };
        Signer.AddTo(update); // it reads the configuration in force
        update.SetHandler(async (parse, cancel) =>
        {
            var current = await FetchConfigAsync(parse, parse.GetValue(channel)!, cancel);
            Chain.Protocol.ChannelConfig proposed;
            try { proposed = Google.Protobuf.JsonParser.Default.Parse<Chain.Protocol.ChannelConfig>(File.ReadAllText(RequireFile(parse.GetValue(configFile)!))); }
            catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or FormatException)
            {
                throw new UsageException($"{parse.GetValue(configFile)}: not a channel configuration ({e.Message})");
            }
            proposed.Channel = current.Channel;
            proposed.Sequence = current.Sequence + 1;
            proposed.Members.Clear();
            try { ConfigShape.Validate(proposed); }
            catch (Contracts.Abstractions.ContractException e) { throw new UsageException($"{parse.GetValue(configFile)}: {e.Message}"); }
            var envelope = new Chain.Protocol.ConfigUpdateEnvelope { Config = proposed.ToByteString() };
            File.WriteAllBytes(parse.GetValue(output)!, envelope.ToByteArray());
            Printer.Print(parse, new { channel = proposed.Channel, sequence = proposed.Sequence, file = Path.GetFullPath(parse.GetValue(output)!) },
                () => Printer.Pairs(("channel", proposed.Channel), ("sequence", proposed.Sequence), ("file", Path.GetFullPath(parse.GetValue(output)!)), ("next", "collect admin signatures with 'chain channel sign FILE'")));
            return 0;
        });
        return update;
    }

    private static Command BuildSign()
    {
        var file = new Argument<string>("file") { Description = "update envelope" };
        var key = new Option<string>("--key") { Description = "keystore of an admin", Required = true };
        var passwordFile = GlobalOptions.PasswordFile();
        var sign = new Command("sign", "add an admin's signature to an update envelope (offline)") { file, key, passwordFile };
        sign.SetHandler((parse, _) =>
        {
            var path = parse.GetValue(file)!;
            var envelope = ReadEnvelope(path);
            var admin = Keystore.Read(parse.GetValue(key)!, CliErrors.ReadPassword(parse.GetValue(passwordFile), "the admin key"));
            var signer = ByteString.CopyFrom(admin.Address);
            var existing = envelope.Signatures.FirstOrDefault(s => s.Signer == signer);
            if (existing is not null) envelope.Signatures.Remove(existing);
            envelope.Signatures.Add(new Chain.Protocol.ConfigSignature { Signer = signer, Signature = ByteString.CopyFrom(admin.Sign(ProtocolHashes.ConfigUpdateDigest(envelope.Config.Span))) });
            File.WriteAllBytes(path, envelope.ToByteArray());
            var signers = envelope.Signatures.Select(s => Address.ToText(s.Signer.Span)).ToArray();
            Printer.Print(parse, new { file = Path.GetFullPath(path), signers }, () => Printer.Pairs(("file", Path.GetFullPath(path)), ("signers", string.Join(", ", signers))));
            return Task.FromResult(0);
        });
        return sign;
    }

    private static Command BuildSubmit()
    {
        var file = new Argument<string>("file") { Description = "signed update envelope" };
        var key = new Option<string>("--key") { Description = "keystore of an admin (submits the transaction)", Required = true };
        var passwordFile = GlobalOptions.PasswordFile();
        var submit = new Command("submit", "submit a signed update envelope and wait for its block") { file, key, passwordFile };
        submit.SetHandler((parse, cancel) =>
        {
            var envelope = ReadEnvelope(parse.GetValue(file)!);
            var channel = Chain.Protocol.ChannelConfig.Parser.ParseFrom(envelope.Config).Channel;
            var args = System.Text.Json.JsonSerializer.Serialize(new { envelope = Convert.ToBase64String(envelope.ToByteArray()) });
            return TxCommands.SubmitAsync(parse, channel, SystemContracts.Config, "update", args, parse.GetValue(key)!, parse.GetValue(passwordFile), wait: true, cancel);
        });
        return submit;
    }

    private static async Task<Chain.Protocol.ChannelConfig> FetchConfigAsync(ParseResult parse, string channel, CancellationToken cancel)
    {
        using var client = GlobalOptions.Connect(parse);
        var response = await client.Gateway.EvaluateAsync(new Chain.Protocol.EvaluateRequest
        {
            Channel = channel, Contract = SystemContracts.Config, Function = "get", Args = ByteString.CopyFromUtf8("{}"),
        }, cancellationToken: cancel);
        return Google.Protobuf.JsonParser.Default.Parse<Chain.Protocol.ChannelConfig>(response.Result.ToStringUtf8());
    }

    private static Chain.Protocol.ConfigUpdateEnvelope ReadEnvelope(string path)
    {
        try { return Chain.Protocol.ConfigUpdateEnvelope.Parser.ParseFrom(File.ReadAllBytes(RequireFile(path))); }
        catch (InvalidProtocolBufferException e) { throw new UsageException($"{path}: not an update envelope ({e.Message})"); }
    }

    private static string RequireFile(string path) => File.Exists(path) ? path : throw new UsageException($"'{path}' does not exist");

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
