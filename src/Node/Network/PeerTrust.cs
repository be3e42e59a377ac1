using System.Security.Cryptography.X509Certificates;
using Chain.Protocol;

namespace Chain.Node.Network;

/// <summary>
/// Which certificates a node accepts from peers: those issued by the CA of an organisation of one of its
/// channels (as recorded in the channel configurations), valid now, for TLS client authentication.
/// </summary>
internal sealed class PeerTrust
{
    private const string ClientAuthOid = "1.3.6.1.5.5.7.3.2";
    private readonly List<(string Organization, X509Certificate2 Ca)> _roots = [];

    public PeerTrust(IEnumerable<ChannelConfig> channels)
    {
        foreach (var org in channels.SelectMany(c => c.Organizations))
        {
            if (string.IsNullOrEmpty(org.CaCertificatePem)) continue;
            var ca = X509Certificate2.CreateFromPem(org.CaCertificatePem);
            // Keep every distinct CA: channels may name the same organisation with different roots.
            if (_roots.Any(r => r.Organization == org.Name && r.Ca.Thumbprint == ca.Thumbprint)) continue;
            _roots.Add((org.Name, ca));
        }
    }

    public IReadOnlyList<string> Organizations => _roots.Select(r => r.Organization).Distinct().ToList();

    /// <summary>The organisation whose CA issued <paramref name="certificate"/>, or null with the reason it is not trusted.</summary>
    public string? OrganizationOf(X509Certificate2 certificate, out string? reason)
    {
        reason = null;
        if (!certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().Any(e => e.EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Any(o => o.Value == ClientAuthOid)))
        {
            reason = "certificate is not for TLS client authentication";
            return null;
        }
        foreach (var (organization, ca) in _roots)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (chain.Build(certificate) && chain.ChainElements[^1].Certificate.Thumbprint == ca.Thumbprint) return organization;
        }
        reason = $"certificate '{certificate.Subject}' is not issued by the CA of any organisation of this node's channels";
        return null;
    }
}
