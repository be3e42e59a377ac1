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
        crypto.Subcommands.Add(BuildCheck(networkFile));
        crypto.Subcommands.Add(BuildRenew(networkFile));
        return crypto;
    }

    private static Command BuildRenew(Option<string> networkFile)
    {
        var folder = new Option<string>("--crypto") { Description = "folder of the crypto material", DefaultValueFactory = _ => ".chain/crypto" };
        var node = new Option<string?>("--node") { Description = "a node's TLS certificate (and key), issued by its organisation's CA" };
        var org = new Option<string?>("--org") { Description = "an organisation's CA (a new key) and every node certificate it issues" };
        var activate = new Option<bool>("--activate") { Description = "put the staged certificates in use (after the configuration updates that accept them)" };
        var renew = new Command("renew", "stage new certificates beside the ones in use (*.next.crt), then, with --activate, put them in use: running nodes show them from the next connection on")
            { networkFile, folder, node, org, activate };
        renew.SetHandler((parse, _) =>
        {
            if ((parse.GetValue(node) is null) == (parse.GetValue(org) is null)) throw new UsageException("name either --node NAME or --org ORG");
            var network = NetworkDefinition.Load(parse.GetValue(networkFile)!);
            var root = Path.GetFullPath(parse.GetValue(folder)!);
            bool activating = parse.GetValue(activate);
            var renewed = activating ? CryptoGenerator.Activate(network, root, parse.GetValue(node), parse.GetValue(org))
                : parse.GetValue(node) is { } name ? [CryptoGenerator.RenewNode(network, root, name, DateTimeOffset.UtcNow)]
                : CryptoGenerator.RenewOrganization(network, root, parse.GetValue(org)!, DateTimeOffset.UtcNow);
            Printer.Print(parse, renewed, () =>
            {
                foreach (var r in renewed) Console.Out.WriteLine($"{r.What}: {r.File}, valid until {r.Expires:yyyy-MM-dd}");
                Console.Out.WriteLine(activating
                    ? "next: once every node shows its new certificate, 'chain channel refresh-certs --drop-previous' in each channel's configuration retires the old ones"
                    : "next: in each channel, 'chain channel fetch', 'chain channel refresh-certs --org ORG', 'chain channel update', sign and submit; then 'chain crypto renew ... --activate'");
            });
            return Task.FromResult(0);
        });
        return renew;
    }

    /// <summary>
    /// Every certificate the network file implies (each organisation's CA, each node's TLS certificate), read from the
    /// files themselves, soonest expiry first; exit 1 when one is missing, expired or expires within --within days.
    /// </summary>
    private static Command BuildCheck(Option<string> networkFile)
    {
        var folder = new Option<string>("--crypto") { Description = "folder of the crypto material", DefaultValueFactory = _ => ".chain/crypto" };
        var within = new Option<int>("--within") { Description = "days ahead that count as expiring soon", DefaultValueFactory = _ => (int)CryptoGenerator.ExpiryWarning.TotalDays };
        var check = new Command("check", "list what expires when across the network file's organisations and nodes; exit 1 if anything is missing, expired or expiring soon")
        {
            networkFile, folder, within,
        };
        check.SetHandler((parse, _) =>
        {
            if (parse.GetValue(within) is < 0 or > 3650) throw new UsageException($"--within {parse.GetValue(within)}: 0 to 3650 days");
            var network = NetworkDefinition.Load(parse.GetValue(networkFile)!);
            var root = Path.GetFullPath(parse.GetValue(folder)!);
            var now = DateTimeOffset.UtcNow;
            var soon = now.AddDays(parse.GetValue(within));
            var rows = new List<(string Kind, string Name, string File, DateTimeOffset? Expires, string Status)>();
            void Add(string kind, string name, string file)
            {
                if (!File.Exists(file)) { rows.Add((kind, name, file, null, "missing")); return; }
                DateTimeOffset expires;
                try { expires = CryptoGenerator.ExpiryOf(File.ReadAllText(file)); }
                catch (System.Security.Cryptography.CryptographicException e) { rows.Add((kind, name, file, null, $"unreadable ({e.Message})")); return; }
                rows.Add((kind, name, file, expires, expires <= now ? "EXPIRED" : expires <= soon ? "expires soon" : "ok"));
            }
            foreach (var org in network.Organizations)
            {
                Add("CA", org.Name!, Path.Combine(root, "orgs", org.Name!, "ca", "ca.crt"));
                foreach (var node in org.Nodes) Add("node TLS", node.Name!, Path.Combine(root, "orgs", org.Name!, "nodes", node.Name!, "tls.crt"));
            }
            var ordered = rows.OrderBy(r => r.Expires ?? DateTimeOffset.MinValue).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
            Printer.Print(parse, ordered.Select(r => new { kind = r.Kind, name = r.Name, file = r.File, expires = r.Expires?.ToString("O"), daysLeft = r.Expires is { } e ? (int?)Math.Floor((e - now).TotalDays) : null, status = r.Status }).ToArray(), () =>
            {
                Console.Out.WriteLine($"{"KIND",-9} {"NAME",-22} {"EXPIRES",-11} {"DAYS",5}  STATUS");
                foreach (var r in ordered)
                    Console.Out.WriteLine($"{r.Kind,-9} {r.Name,-22} {(r.Expires is { } e ? e.ToString("yyyy-MM-dd") : "-"),-11} {(r.Expires is { } d ? Math.Floor((d - now).TotalDays).ToString("F0") : "-"),5}  {r.Status}");
            });
            var bad = ordered.Where(r => r.Status != "ok").ToList();
            foreach (var r in bad) Console.Error.WriteLine($"warning: {r.Kind} certificate of {r.Name} ({r.File}): {r.Status}{(r.Expires is { } e ? " " + e.ToString("yyyy-MM-dd") : "")}");
            return Task.FromResult(bad.Count == 0 ? 0 : 1);
        });
        return check;
    }
}
