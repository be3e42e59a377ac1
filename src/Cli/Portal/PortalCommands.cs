using System.CommandLine;
using System.Net;
using Chain.Cli.Commands;
using Chain.Cli.Commands.Operate;
using Chain.Protocol;
using Chain.Sdk.Encoding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Chain.Cli.Portal;

/// <summary><c>chain portal</c>: serves the web portal from a node's answers; <c>chain portal link</c>: issues a donor's or household's link.</summary>
internal static class PortalCommands
{
    private static readonly Option<string> LinkSecret = new("--link-secret")
    {
        Description = "file with the secret that signs donor and household links (created if missing)", DefaultValueFactory = _ => Path.Combine(".chain", "portal-link.secret"),
    };

    public static Command Build()
    {
        var listen = new Option<string>("--listen") { Description = "IP:port to serve on", DefaultValueFactory = _ => "127.0.0.1:8080" };
        var staff = new Option<bool>("--staff") { Description = "also serve the regulator view and the explorer (an organisation's internal portal; needs --as or --key)" };
        var genesis = new Option<string[]>("--genesis")
        {
            Description = "genesis block files the explorer verifies receipts against (default: .chain/genesis/*.genesis)", AllowMultipleArgumentsPerToken = true,
        };
        var publicUrl = new Option<string?>("--public-url") { Description = "the portal's address as visitors reach it, for receipt QR codes (default: http://<--listen>)" };
        var portal = new Command("portal", "serve the web portal (donation traces, campaigns, compensation projects; with --staff the regulator view and the explorer)")
        {
            listen, staff, genesis, publicUrl, LinkSecret,
        };
        Signer.AddTo(portal);
        portal.SetHandler(async (parse, cancel) =>
        {
            if (!IPEndPoint.TryParse(parse.GetValue(listen)!, out var endpoint) || endpoint.Port == 0) throw new UsageException($"--listen '{parse.GetValue(listen)}' is not an IP:port address");
            var reader = Signer.TryLoad(parse);
            if (parse.GetValue(staff) && reader is null) throw new UsageException("--staff needs the portal's reader account: --as Org/name or --key FILE");
            var anchors = GenesisHashes(parse.GetValue(genesis) is { Length: > 0 } files ? files
                : Directory.Exists(Path.Combine(".chain", "genesis")) ? Directory.GetFiles(Path.Combine(".chain", "genesis"), "*" + ChannelCommands.GenesisExtension) : []);
            using var publicClient = GlobalOptions.Connect(parse, reader: null);
            using var readerClient = reader is null ? null : GlobalOptions.Connect(parse, reader);
            // Receipt QR codes name the configured address, never the Host header a visitor sends.
            var site = new PortalSite(new PortalOptions(publicClient, readerClient, parse.GetValue(staff), PortalLinks.LoadOrCreateSecret(parse.GetValue(LinkSecret)!), anchors,
                parse.GetValue(publicUrl)?.TrimEnd('/') ?? $"http://{endpoint}"));

            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = ["--hostBuilder:reloadConfigOnChange=false"] });
            builder.Logging.ClearProviders();
            builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss.fff "; });
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.WebHost.ConfigureKestrel(k => k.Listen(endpoint, l => l.Protocols = HttpProtocols.Http1));
            await using var app = builder.Build();
            site.Map(app);
            if (!IPAddress.IsLoopback(endpoint.Address)) Console.Error.WriteLine($"warning: the portal serves plain HTTP on {endpoint}; put it behind a TLS proxy");
            await app.StartAsync(cancel);
            Console.Out.WriteLine($"portal ready at http://{endpoint} (node {parse.GetValue(GlobalOptions.Endpoint)}; reader {(reader is null ? "none: public pages only" : reader.AddressText)}{(parse.GetValue(staff) ? "; staff pages on" : "")})");
            // Until Ctrl-C or SIGTERM (the host's own signal handling, or the command line's cancellation).
            await app.WaitForShutdownAsync(cancel);
            return 0;
        });
        portal.Subcommands.Add(BuildLink());
        return portal;
    }

    private static Dictionary<string, byte[]> GenesisHashes(IEnumerable<string> files)
    {
        var hashes = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var file in files)
        {
            if (!File.Exists(file)) throw new UsageException($"--genesis '{file}' does not exist");
            Block block;
            try { block = Block.Parser.ParseFrom(File.ReadAllBytes(file)); }
            catch (Google.Protobuf.InvalidProtocolBufferException e) { throw new UsageException($"--genesis '{file}' is not a block: {e.Message}"); }
            if (block.Header is not { Number: 0 } header) throw new UsageException($"--genesis '{file}' is not a genesis block");
            hashes[header.Channel] = ProtocolHashes.BlockHash(header);
        }
        return hashes;
    }

    private static Command BuildLink()
    {
        var donation = new Option<string?>("--donation") { Description = "the donation whose donor gets the link" };
        var household = new Option<string?>("--household") { Description = "PROJECT/HOUSEHOLD: the household that gets the link" };
        var baseUrl = new Option<string>("--base") { Description = "the portal's address as the recipient reaches it", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var days = new Option<int>("--valid-days") { Description = "days until the link stops working", DefaultValueFactory = _ => 30 };
        var link = new Command("link", "issue the link by which a donor or a household sees its own page (signed with --link-secret)") { donation, household, baseUrl, days, LinkSecret };
        link.SetHandler((parse, _) =>
        {
            string? d = parse.GetValue(donation), h = parse.GetValue(household);
            if ((d is null) == (h is null)) throw new UsageException("give exactly one of --donation ID and --household PROJECT/HOUSEHOLD");
            if (parse.GetValue(days) is < 1 or > 366) throw new UsageException($"--valid-days {parse.GetValue(days)}: 1 to 366");
            string path;
            if (d is not null) path = "/donor/" + Uri.EscapeDataString(d);
            else
            {
                var parts = h!.Split('/');
                if (parts.Length != 2 || parts.Any(p => p.Length == 0)) throw new UsageException($"--household '{h}' must be PROJECT/HOUSEHOLD");
                path = $"/household/{Uri.EscapeDataString(parts[0])}/{Uri.EscapeDataString(parts[1])}";
            }
            var expires = DateTimeOffset.UtcNow.AddDays(parse.GetValue(days)).ToUnixTimeMilliseconds();
            var url = parse.GetValue(baseUrl)!.TrimEnd('/') + PortalLinks.Sign(PortalLinks.LoadSecret(parse.GetValue(LinkSecret)!), path, expires);
            Output.Printer.Print(parse, new { url, expires = DateTimeOffset.FromUnixTimeMilliseconds(expires).ToString("O") }, () => Console.Out.WriteLine(url));
            return Task.FromResult(0);
        });
        return link;
    }
}
