using System.Security.Cryptography;
using System.Text.Json;
using Chain.Node.Configuration;
using Chain.Sdk.Crypto;

namespace Chain.Node.Membership.Crypto;

/// <summary>
/// Creates the crypto material of a network (like Fabric's cryptogen): per organisation a CA, a TLS
/// certificate per node, and secp256k1 keystores for the admin and the sample members, each with a
/// password file. Re-running keeps everything that exists (new nodes and members are added) unless
/// <c>force</c> is set. Everything is listed in <c>manifest.json</c>.
/// </summary>
/// <remarks>
/// Layout under the output folder:
/// <code>
/// manifest.json
/// orgs/&lt;Org&gt;/ca/ca.crt, ca.key
/// orgs/&lt;Org&gt;/nodes/&lt;node&gt;/tls.crt, tls.key, node-key.json, node-key.password   (TLS and block-signing keys)
/// orgs/&lt;Org&gt;/accounts/&lt;name&gt;.json, &lt;name&gt;.password     (admin and members)
/// </code>
/// Private keys and passwords are written readable by the owner only.
/// </remarks>
public static class CryptoGenerator
{
    public const string ManifestFile = "manifest.json";
    public static readonly TimeSpan ExpiryWarning = TimeSpan.FromDays(30);

    public static CryptoManifest Generate(NetworkDefinition network, string output, DateTimeOffset now, bool force = false, bool lightKdf = true)
    {
        Directory.CreateDirectory(output);
        var manifest = new CryptoManifest { GeneratedAt = now };
        foreach (var org in network.Organizations)
        {
            var orgDir = Path.Combine(output, "orgs", org.Name!);
            var ca = LoadOrCreateCa(org.Name!, Path.Combine(orgDir, "ca"), now, force);
            var entry = new CryptoManifest.Organization
            {
                Name = org.Name!,
                CaCertificate = Relative(output, Path.Combine(orgDir, "ca", "ca.crt")),
                CaExpires = CertificateAuthority.ExpiryOf(ca.CertificatePem),
            };
            foreach (var node in org.Nodes)
            {
                var nodeDir = Path.Combine(orgDir, "nodes", node.Name!);
                var certPath = Path.Combine(nodeDir, "tls.crt");
                var keyPath = Path.Combine(nodeDir, "tls.key");
                if (force || !File.Exists(certPath) || !File.Exists(keyPath) || !ca.Issued(File.ReadAllText(certPath)))
                {
                    var (cert, key) = ca.IssueNodeCertificate(node.Name!, node.Host, now);
                    Directory.CreateDirectory(nodeDir);
                    File.WriteAllText(certPath, cert);
                    WriteSecret(keyPath, key);
                }
                var signingKey = Account(output, nodeDir, "node-key", [], force, lightKdf);
                entry.Nodes.Add(new CryptoManifest.Node
                {
                    Name = node.Name!, Host = node.Host, Port = node.Port,
                    Certificate = Relative(output, certPath), PrivateKey = Relative(output, keyPath),
                    Expires = CertificateAuthority.ExpiryOf(File.ReadAllText(certPath)),
                    Address = signingKey.Address, Keystore = signingKey.Keystore, PasswordFile = signingKey.PasswordFile,
                });
            }
            var accountsDir = Path.Combine(orgDir, "accounts");
            entry.Admin = Account(output, accountsDir, Roles.Admin, [Roles.Admin], force, lightKdf);
            foreach (var member in org.Members)
                entry.Members.Add(Account(output, accountsDir, member.Name!, member.Roles, force, lightKdf));
            manifest.Organizations.Add(entry);
        }
        File.WriteAllText(Path.Combine(output, ManifestFile), JsonSerializer.Serialize(manifest, CryptoManifest.JsonOptions));
        return manifest;
    }

    /// <summary>A certificate renewal wrote or put in place: what, where, until when the new certificate is valid.</summary>
    public sealed record Renewed(string What, string File, DateTimeOffset Expires);

    /// <summary>Where a renewal stages what comes next: beside the file in use, until <see cref="Activate"/>.</summary>
    public static string Next(string path) => Path.Combine(Path.GetDirectoryName(path)!, Path.GetFileNameWithoutExtension(path) + ".next" + Path.GetExtension(path));

    /// <summary>
    /// Stages a new TLS certificate and key for <paramref name="nodeName"/>, issued by its organisation's CA (the staged
    /// new CA, when the organisation is renewing its CA), as <c>tls.next.crt</c> and <c>tls.next.key</c>. Nothing uses
    /// them until <see cref="Activate"/>: first a configuration update lists them beside the current ones
    /// (<see cref="ChannelConfigBuilder.RefreshCertificates"/>), so every node accepts them before any node shows them.
    /// </summary>
    public static Renewed RenewNode(NetworkDefinition network, string output, string nodeName, DateTimeOffset now)
    {
        var (org, node) = network.Nodes.FirstOrDefault(n => n.Node.Name == nodeName);
        if (org is null) throw new ConfigException($"node '{nodeName}' is not defined under any organisation's nodes");
        return StageNode(IssuingCa(output, org.Name!), output, org.Name!, node, now);
    }

    /// <summary>Stages a new CA (a new key) for <paramref name="organization"/> as <c>ca.next.crt</c>/<c>ca.next.key</c>, and new certificates issued by it for every node of it.</summary>
    public static IReadOnlyList<Renewed> RenewOrganization(NetworkDefinition network, string output, string organization, DateTimeOffset now)
    {
        var org = network.Organizations.FirstOrDefault(o => o.Name == organization) ?? throw new ConfigException($"organisation '{organization}' is not defined in the network file");
        var certPath = Path.Combine(output, "orgs", organization, "ca", "ca.crt");
        if (!File.Exists(certPath)) throw new ConfigException($"{certPath} does not exist (run 'chain crypto generate' first)");
        var ca = CertificateAuthority.Create(organization, now);
        WriteSecret(Next(Path.Combine(output, "orgs", organization, "ca", "ca.key")), ca.PrivateKeyPem);
        File.WriteAllText(Next(certPath), ca.CertificatePem);
        var renewed = new List<Renewed> { new($"CA of {organization} (staged)", Relative(output, Next(certPath)), CertificateAuthority.ExpiryOf(ca.CertificatePem)) };
        foreach (var node in org.Nodes) renewed.Add(StageNode(ca, output, organization, node, now));
        return renewed;
    }

    /// <summary>
    /// Puts what a renewal staged in use, once the channels' configurations accept it: a staged CA becomes <c>ca.crt</c>
    /// as a bundle with the old one after it (nodes that trust the organisation by that file accept both while the others
    /// move over), and each staged node certificate and key replace <c>tls.crt</c>/<c>tls.key</c>, the key first, each by a
    /// rename (a node reading them live keeps its old pair until both are new). Running nodes use them from the next
    /// connection on.
    /// </summary>
    public static IReadOnlyList<Renewed> Activate(NetworkDefinition network, string output, string? nodeName, string? organization)
    {
        var activated = new List<Renewed>();
        var nodes = nodeName is not null
            ? network.Nodes.Where(n => n.Node.Name == nodeName).ToList()
            : network.Nodes.Where(n => n.Org.Name == organization).ToList();
        if (nodeName is not null && nodes.Count == 0) throw new ConfigException($"node '{nodeName}' is not defined under any organisation's nodes");
        // Everything staged is there before anything moves: an activation happens whole or not at all.
        var staged = nodes.SelectMany(n => new[] { "tls.crt", "tls.key" }.Select(f => Path.Combine(output, "orgs", n.Org.Name!, "nodes", n.Node.Name!, f)))
            .Concat(organization is null ? [] : new[] { "ca.crt", "ca.key" }.Select(f => Path.Combine(output, "orgs", organization, "ca", f)));
        if (staged.Select(Next).FirstOrDefault(f => !File.Exists(f)) is { } missing)
            throw new ConfigException($"{missing} does not exist: stage it with 'chain crypto renew {(organization is null ? $"--node {nodeName}" : $"--org {organization}")}' first; nothing was changed");
        if (organization is not null)
        {
            var caDir = Path.Combine(output, "orgs", organization, "ca");
            var certPath = Path.Combine(caDir, "ca.crt");
            var current = Sdk.Client.PemFiles.ParseAll(File.ReadAllText(certPath))[0].ExportCertificatePem();
            var next = File.ReadAllText(Next(certPath));
            File.Move(Next(Path.Combine(caDir, "ca.key")), Path.Combine(caDir, "ca.key"), overwrite: true);
            File.WriteAllText(certPath + ".new", next + current);
            File.Move(certPath + ".new", certPath, overwrite: true);
            File.Delete(Next(certPath));
            activated.Add(new($"CA of {organization} (with the previous one after it)", Relative(output, certPath), CertificateAuthority.ExpiryOf(next)));
        }
        foreach (var (org, node) in nodes)
        {
            var nodeDir = Path.Combine(output, "orgs", org.Name!, "nodes", node.Name!);
            var certPath = Path.Combine(nodeDir, "tls.crt");
            var expires = CertificateAuthority.ExpiryOf(File.ReadAllText(Next(certPath)));
            File.Move(Next(Path.Combine(nodeDir, "tls.key")), Path.Combine(nodeDir, "tls.key"), overwrite: true);
            File.Move(Next(certPath), certPath, overwrite: true);
            activated.Add(new($"TLS certificate of {node.Name}", Relative(output, certPath), expires));
        }
        return activated;
    }

    /// <summary>The CA that issues the organisation's node certificates now: the staged one while a CA renewal is under way.</summary>
    private static CertificateAuthority IssuingCa(string output, string organization)
    {
        var caDir = Path.Combine(output, "orgs", organization, "ca");
        var (cert, key) = File.Exists(Next(Path.Combine(caDir, "ca.crt")))
            ? (Next(Path.Combine(caDir, "ca.crt")), Next(Path.Combine(caDir, "ca.key")))
            : (Path.Combine(caDir, "ca.crt"), Path.Combine(caDir, "ca.key"));
        if (!File.Exists(cert) || !File.Exists(key)) throw new ConfigException($"{cert} or its key does not exist (run 'chain crypto generate' first)");
        return CertificateAuthority.Load(organization, File.ReadAllText(cert), File.ReadAllText(key));
    }

    private static Renewed StageNode(CertificateAuthority ca, string output, string organization, NodeDefinition node, DateTimeOffset now)
    {
        var nodeDir = Path.Combine(output, "orgs", organization, "nodes", node.Name!);
        var certPath = Path.Combine(nodeDir, "tls.crt");
        if (!File.Exists(certPath)) throw new ConfigException($"{certPath} does not exist (run 'chain crypto generate' first)");
        var (cert, key) = ca.IssueNodeCertificate(node.Name!, node.Host, now);
        WriteSecret(Next(Path.Combine(nodeDir, "tls.key")), key);
        File.WriteAllText(Next(certPath), cert);
        return new Renewed($"TLS certificate of {node.Name} (staged)", Relative(output, Next(certPath)), CertificateAuthority.ExpiryOf(cert));
    }

    public static CryptoManifest LoadManifest(string output)
    {
        var path = Path.Combine(output, ManifestFile);
        if (!File.Exists(path)) throw new ConfigException($"{path}: file does not exist (run 'chain crypto generate' first)");
        try { return JsonSerializer.Deserialize<CryptoManifest>(File.ReadAllText(path), CryptoManifest.JsonOptions) ?? throw new ConfigException($"{path}: file is empty"); }
        catch (JsonException e) { throw new ConfigException($"{path}: not a valid manifest ({e.Message})"); }
    }

    /// <summary>When a PEM certificate stops being valid (UTC).</summary>
    public static DateTimeOffset ExpiryOf(string certificatePem) => CertificateAuthority.ExpiryOf(certificatePem);

    /// <summary>Certificates (CA roots and node certificates) that expire within <see cref="ExpiryWarning"/> of <paramref name="now"/>.</summary>
    public static IEnumerable<string> ExpiryWarnings(CryptoManifest manifest, DateTimeOffset now)
    {
        foreach (var org in manifest.Organizations)
        {
            if (org.CaExpires - now < ExpiryWarning) yield return $"CA certificate of {org.Name} ({org.CaCertificate}) expires {org.CaExpires:yyyy-MM-dd}";
            foreach (var node in org.Nodes)
                if (node.Expires - now < ExpiryWarning) yield return $"TLS certificate of node {node.Name} ({node.Certificate}) expires {node.Expires:yyyy-MM-dd}";
        }
    }

    private static CertificateAuthority LoadOrCreateCa(string org, string caDir, DateTimeOffset now, bool force)
    {
        var certPath = Path.Combine(caDir, "ca.crt");
        var keyPath = Path.Combine(caDir, "ca.key");
        if (!force && File.Exists(certPath) && File.Exists(keyPath))
            return CertificateAuthority.Load(org, File.ReadAllText(certPath), File.ReadAllText(keyPath));
        var ca = CertificateAuthority.Create(org, now);
        Directory.CreateDirectory(caDir);
        File.WriteAllText(certPath, ca.CertificatePem);
        WriteSecret(keyPath, ca.PrivateKeyPem);
        return ca;
    }

    private static CryptoManifest.Account Account(string output, string accountsDir, string name, IReadOnlyList<string> roles, bool force, bool lightKdf)
    {
        var keyPath = Path.Combine(accountsDir, name + ".json");
        var passwordPath = Path.Combine(accountsDir, name + ".password");
        if (force || !File.Exists(keyPath) || !File.Exists(passwordPath))
        {
            Directory.CreateDirectory(accountsDir);
            var password = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            WriteSecret(passwordPath, password);
            Keystore.Write(keyPath, AccountKey.Generate(), password, lightKdf);
        }
        return new CryptoManifest.Account
        {
            Name = name, Roles = [.. roles], Address = Address.ToText(Keystore.AddressOf(keyPath)),
            Keystore = Relative(output, keyPath), PasswordFile = Relative(output, passwordPath),
        };
    }

    private static void WriteSecret(string path, string content)
    {
        File.WriteAllText(path, content);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    private static string Relative(string root, string path) => Path.GetRelativePath(root, path);
}

/// <summary>What <see cref="CryptoGenerator"/> created, with paths relative to the output folder.</summary>
public sealed class CryptoManifest
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public DateTimeOffset GeneratedAt { get; set; }
    public List<Organization> Organizations { get; set; } = [];

    public sealed class Organization
    {
        public string Name { get; set; } = "";
        public string CaCertificate { get; set; } = "";
        public DateTimeOffset CaExpires { get; set; }
        public Account Admin { get; set; } = new();
        public List<Account> Members { get; set; } = [];
        public List<Node> Nodes { get; set; } = [];
    }

    public sealed class Account
    {
        public string Name { get; set; } = "";
        public List<string> Roles { get; set; } = [];
        public string Address { get; set; } = "";
        public string Keystore { get; set; } = "";
        public string PasswordFile { get; set; } = "";
    }

    public sealed class Node
    {
        public string Name { get; set; } = "";
        public string Host { get; set; } = "";
        public int Port { get; set; }
        public string Certificate { get; set; } = "";
        public string PrivateKey { get; set; } = "";
        public DateTimeOffset Expires { get; set; }
        /// <summary>The node's block-signing account (secp256k1), listed as a consenter address in channel configurations.</summary>
        public string Address { get; set; } = "";
        public string Keystore { get; set; } = "";
        public string PasswordFile { get; set; } = "";
    }
}
