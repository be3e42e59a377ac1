using Chain.Sdk.Crypto;

namespace Chain.Node.Hosting;

/// <summary>Who this node is: its id, its signing key (for the blocks it proposes) and its software version.</summary>
internal sealed record NodeIdentity(string NodeId, AccountKey Key, System.Security.Cryptography.X509Certificates.X509Certificate2? TlsCertificate = null)
{
    public string Version { get; } = typeof(NodeIdentity).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
