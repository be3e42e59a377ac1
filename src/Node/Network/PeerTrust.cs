using System.Security.Cryptography.X509Certificates;
using Chain.Protocol;

namespace Chain.Node.Network;

/// <summary>
/// Which certificates a node accepts from peers: those issued by the CA of an organisation of one of its channels, valid
/// now, for TLS client authentication, and not revoked by that organisation. Read from the channel configurations in
/// force at each check, so a configuration update that adds an organisation or revokes a certificate takes effect
/// without a restart: at the next handshake, and at the next call on a connection that is already open.
/// </summary>
internal sealed class PeerTrust(Func<IEnumerable<ChannelConfig>> configurations)
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private Snapshot? _snapshot;

    /// <summary>Trust fixed to <paramref name="channels"/> (tests and tools).</summary>
    public PeerTrust(IEnumerable<ChannelConfig> channels) : this(() => channels) { }

    private sealed record Snapshot(string Key, IReadOnlyList<(string Organization, X509Certificate2 Ca)> Roots, IReadOnlyDictionary<string, string> Revoked);

    /// <summary>The roots and revocations of the configurations in force, rebuilt when one of them changed.</summary>
    private Snapshot Current()
    {
        var configs = configurations().ToList();
        var key = string.Join(";", configs.Select(c => $"{c.Channel}@{c.Sequence}"));
        var known = Volatile.Read(ref _snapshot);
        if (known?.Key == key) return known;
        var roots = new List<(string, X509Certificate2)>();
        var revoked = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var config in configs)
            foreach (var org in config.Organizations)
            {
                foreach (var serial in org.RevokedSerials) revoked.TryAdd($"{org.Name}/{Serial(serial)}", config.Channel);
                if (string.IsNullOrEmpty(org.CaCertificatePem)) continue;
                // Keep every distinct CA: channels may name the same organisation with different roots, and an organisation
                // rotating its CA lists the old and the new one (a PEM bundle) until every node has a certificate of the new.
                foreach (var ca in Sdk.Client.PemFiles.ParseAll(org.CaCertificatePem))
                    if (!roots.Any(r => r.Item1 == org.Name && r.Item2.Thumbprint == ca.Thumbprint)) roots.Add((org.Name, ca));
            }
        var built = new Snapshot(key, roots, revoked);
        Volatile.Write(ref _snapshot, built);
        return built;
    }

    /// <summary>
    /// A serial number as a number: hex without leading zeros, upper case. .NET keeps the DER sign byte (a leading 00 when
    /// the top bit is set) that openssl leaves out, so both forms name the same certificate.
    /// </summary>
    public static string Serial(string hex) => hex.TrimStart('0').ToUpperInvariant() is { Length: > 0 } digits ? digits : "0";

    /// <summary>A certificate in PEM, or null when the text is not one (a configuration entry that does not parse trusts nothing).</summary>
    public static X509Certificate2? Parse(string pem)
    {
        try { return X509Certificate2.CreateFromPem(pem); }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
    }

    public IReadOnlyList<string> Organizations => Current().Roots.Select(r => r.Organization).Distinct().ToList();

    /// <summary>The organisation whose CA issued <paramref name="certificate"/>, or null with the reason it is not trusted.</summary>
    public string? OrganizationOf(X509Certificate2 certificate, out string? reason)
    {
        reason = null;
        if (!certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == ClientAuthOid)))
        {
            reason = "certificate is not for TLS client authentication";
            return null;
        }
        var snapshot = Current();
        foreach (var (organization, ca) in snapshot.Roots)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (!chain.Build(certificate) || chain.ChainElements[^1].Certificate.Thumbprint != ca.Thumbprint) continue;
            if (snapshot.Revoked.TryGetValue($"{organization}/{Serial(certificate.SerialNumber)}", out var channel))
            {
                reason = $"certificate '{certificate.Subject}' (serial {certificate.SerialNumber}) was revoked by {organization} in the configuration of channel '{channel}'";
                return null;
            }
            return organization;
        }
        reason = DateTime.Now > certificate.NotAfter || DateTime.Now < certificate.NotBefore
            ? $"certificate '{certificate.Subject}' is not valid now (valid {certificate.NotBefore:u} to {certificate.NotAfter:u})"
            : $"certificate '{certificate.Subject}' is not issued by the CA of any organisation of this node's channels";
        return null;
    }
}
