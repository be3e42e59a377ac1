using System.CommandLine;
using Chain.Cli.Output;
using Chain.Node.Configuration;
using Chain.Node.Membership.Crypto;

namespace Chain.Cli.Commands.Operate;

internal static class CryptoCommands
{
    public static Command Build()
    {
        var networkFile = new Option<string>("--network") { Description = "network description (YAML)", DefaultValueFactory = _ => NetworkCommands.DefaultNetworkFile };
        var output = new Option<string>("--out") { Description = "folder for the crypto material", DefaultValueFactory = _ => ".chain/crypto" };
        var force = new Option<bool>("--force") { Description = "replace existing keys and certificates (otherwise they are kept)" };
        var strongKdf = new Option<bool>("--strong-kdf") { Description = "standard scrypt cost for the keystores (slow; the default is the light cost for local networks)" };
        var generate = new Command("generate", "create CA certificates, node TLS certificates and account keystores for every organisation") { networkFile, output, force, strongKdf };
        generate.SetHandler((parse, _) =>
        {
            var network = NetworkDefinition.Load(parse.GetValue(networkFile)!);
            var folder = Path.GetFullPath(parse.GetValue(output)!);
            var now = DateTimeOffset.UtcNow;
            var manifest = CryptoGenerator.Generate(network, folder, now, parse.GetValue(force), lightKdf: !parse.GetValue(strongKdf));
            var warnings = CryptoGenerator.ExpiryWarnings(manifest, now).ToList();
            foreach (var warning in warnings) Console.Error.WriteLine($"warning: {warning}");
            Printer.Print(parse, new { folder, manifest = Path.Combine(folder, CryptoGenerator.ManifestFile), manifest.Organizations }, () =>
            {
                Console.Out.WriteLine($"{"ORGANISATION",-22} {"ADMIN",-44} MEMBERS  NODES");
                foreach (var org in manifest.Organizations)
                    Console.Out.WriteLine($"{org.Name,-22} {org.Admin.Address,-44} {org.Members.Count,7}  {string.Join(", ", org.Nodes.Select(n => n.Name))}");
                Console.Out.WriteLine($"written to {folder} (manifest: {CryptoGenerator.ManifestFile})");
            });
            return Task.FromResult(0);
        });
        var crypto = new Command("crypto", "crypto material for a network");
        crypto.Subcommands.Add(generate);
        return crypto;
    }
}
