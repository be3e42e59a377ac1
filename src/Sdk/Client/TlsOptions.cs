using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Chain.Sdk.Client;

/// <summary>
/// TLS for a connection to a node: the CA that must have issued the node's certificate (instead of the
/// system trust store) and, for the mutual-TLS peer endpoint, this side's certificate and key.
/// </summary>
public sealed class TlsOptions
{
    public X509Certificate2? TrustedCa { get; init; }
    public X509Certificate2? ClientCertificate { get; init; }

    public static TlsOptions FromPemFiles(string? caFile, string? certificateFile = null, string? keyFile = null)
    {
        X509Certificate2? client = null;
        if (certificateFile is not null)
        {
            if (keyFile is null) throw new ArgumentException("a client certificate needs its private key file");
            using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
            client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }
        return new TlsOptions { TrustedCa = caFile is null ? null : X509Certificate2.CreateFromPem(File.ReadAllText(caFile)), ClientCertificate = client };
    }

    internal SocketsHttpHandler CreateHandler()
    {
        var ssl = new SslClientAuthenticationOptions();
        if (ClientCertificate is not null) ssl.ClientCertificates = new X509CertificateCollection { ClientCertificate };
        if (TrustedCa is not null)
        {
            var ca = TrustedCa;
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null) return false;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                // Name mismatches still fail; only the trust anchor is replaced.
                return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && chain.Build(new X509Certificate2(certificate));
            };
        }
        return new SocketsHttpHandler { SslOptions = ssl, EnableMultipleHttp2Connections = true };
    }
}
