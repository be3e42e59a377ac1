using Chain.Sdk.Crypto;

namespace Chain.Node.Hosting;

/// <summary>Who this node is: its id, its signing key (for the blocks it proposes), its TLS certificate and its software version.</summary>
internal sealed record NodeIdentity(string NodeId, AccountKey Key, System.Security.Cryptography.X509Certificates.X509Certificate2? InitialTlsCertificate = null)
{
    /// <summary>The certificate in the node's files now (a renewed one from the next handshake on), else the one it started with.</summary>
    public Func<System.Security.Cryptography.X509Certificates.X509Certificate2>? LiveTls { get; init; }

    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsCertificate => LiveTls?.Invoke() ?? InitialTlsCertificate;

    public string Version { get; } = typeof(NodeIdentity).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
