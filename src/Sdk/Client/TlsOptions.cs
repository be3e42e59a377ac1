using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Chain.Sdk.Client;

/// <summary>
/// TLS for a connection to a node: the CAs that may have issued the node's certificate (instead of the system trust
/// store; several while an organisation rotates its CA) and, for the mutual-TLS peer endpoint, this side's certificate
/// and key. Built from files with <see cref="FromPemFiles"/>, both are read again when the files change, so a renewed
/// certificate or CA is used from the next connection on, without a restart.
/// </summary>
public sealed class TlsOptions
{
    private readonly Func<X509Certificate2Collection>? _trusted;
    private readonly Func<X509Certificate2?>? _client;

    public TlsOptions() { }

    private TlsOptions(Func<X509Certificate2Collection>? trusted, Func<X509Certificate2?>? client)
    {
        _trusted = trusted;
        _client = client;
    }

    /// <summary>A CA fixed in memory (tools and tests); with files, see <see cref="TrustedCas"/>.</summary>
    public X509Certificate2? TrustedCa { get; init; }
    public X509Certificate2? ClientCertificate
    {
        get => _client?.Invoke() ?? _fixedClient;
        init => _fixedClient = value;
    }
    private readonly X509Certificate2? _fixedClient;

    /// <summary>Every CA trusted now: those of the CA file (a PEM bundle may hold several), or <see cref="TrustedCa"/>.</summary>
    public X509Certificate2Collection TrustedCas => _trusted?.Invoke() ?? (TrustedCa is null ? [] : [TrustedCa]);

    /// <summary>Trusts the CA certificates of <paramref name="pem"/> (one, or a bundle of several).</summary>
    public static TlsOptions TrustingPem(string pem, X509Certificate2? client = null)
    {
        var cas = PemFiles.ParseAll(pem);
        return new TlsOptions(() => cas, client is null ? null : () => client);
    }

    /// <summary>The same client certificate (read from its files as they change), trusting only the CA certificates of <paramref name="pem"/>.</summary>
    public TlsOptions TrustingOnly(string pem)
    {
        var cas = PemFiles.ParseAll(pem);
        var fixedClient = _fixedClient;
        return new TlsOptions(() => cas, _client ?? (fixedClient is null ? null : () => fixedClient));
    }

    public static TlsOptions FromPemFiles(string? caFile, string? certificateFile = null, string? keyFile = null)
    {
        if (certificateFile is not null && keyFile is null) throw new ArgumentException("a client certificate needs its private key file");
        var client = certificateFile is null ? null : new PemCertificateFile(certificateFile, keyFile!);
        _ = client?.Current; // a missing or broken file fails here, not at the first connection
        var trusted = caFile is null ? null : new PemBundleFile(caFile);
        if (trusted is not null && trusted.Current.Count == 0) throw new System.Security.Cryptography.CryptographicException($"'{caFile}' holds no certificate");
        return new TlsOptions(trusted is null ? null : () => trusted.Current, client is null ? null : () => client.Current);
    }

    internal SocketsHttpHandler CreateHandler()
    {
        var ssl = new SslClientAuthenticationOptions();
        // The certificate in the files when the client is made: a node makes new clients after its certificate was renewed.
        if (ClientCertificate is { } client) ssl.ClientCertificates = new X509CertificateCollection { client };
        if (_trusted is not null || TrustedCa is not null)
        {
            ssl.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null) return false;
                var cas = TrustedCas;
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(cas);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                // Name mismatches still fail; only the trust anchor is replaced.
                return (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0 && chain.Build(new X509Certificate2(certificate));
            };
        }
        return new SocketsHttpHandler { SslOptions = ssl, EnableMultipleHttp2Connections = true };
    }
}

/// <summary>PEM helpers shared by clients and nodes.</summary>
public static class PemFiles
{
    /// <summary>Every certificate of a PEM text (one, or a bundle); empty when none parses.</summary>
    public static X509Certificate2Collection ParseAll(string pem)
    {
        var all = new X509Certificate2Collection();
        try { all.ImportFromPem(pem); }
        catch (System.Security.Cryptography.CryptographicException) { return []; }
        return all;
    }

    /// <summary>A certificate with its private key from PEM files, in a form the TLS stack can use on every platform.</summary>
    public static X509Certificate2 LoadWithKey(string certificateFile, string keyFile)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
    }
}

/// <summary>
/// A certificate and key kept in PEM files, read again when either file changes (looked at once a second at most). While
/// a renewal is half written (a new key beside the old certificate), the certificate read last stays in use.
/// </summary>
public sealed class PemCertificateFile(string certificateFile, string keyFile)
{
    private readonly Lock _gate = new();
    private (DateTime Certificate, DateTime Key) _loadedAt;
    private X509Certificate2? _current;
    private long _checkedAt;

    public string CertificateFile { get; } = certificateFile;

    /// <summary>The certificate in the files now (the last one that loaded).</summary>
    public X509Certificate2 Current
    {
        get
        {
            long now = Environment.TickCount64;
            if (_current is { } known && now - Volatile.Read(ref _checkedAt) < 1000) return known;
            lock (_gate)
            {
                Volatile.Write(ref _checkedAt, now);
                var stamps = (File.GetLastWriteTimeUtc(CertificateFile), File.GetLastWriteTimeUtc(keyFile));
                if (_current is not null && stamps == _loadedAt) return _current;
                try
                {
                    _current = PemFiles.LoadWithKey(CertificateFile, keyFile);
                    _loadedAt = stamps;
                }
                catch (Exception e) when (_current is not null && e is System.Security.Cryptography.CryptographicException or IOException) { } // half renewed: next time
                return _current!;
            }
        }
    }
}

/// <summary>A PEM file of one or more CA certificates, read again when it changes (looked at once a second at most).</summary>
public sealed class PemBundleFile(string file)
{
    private readonly Lock _gate = new();
    private DateTime _loadedAt;
    private X509Certificate2Collection? _current;
    private long _checkedAt;

    public X509Certificate2Collection Current
    {
        get
        {
            long now = Environment.TickCount64;
            if (_current is { } known && now - Volatile.Read(ref _checkedAt) < 1000) return known;
            lock (_gate)
            {
                Volatile.Write(ref _checkedAt, now);
                var stamp = File.GetLastWriteTimeUtc(file);
                if (_current is not null && stamp == _loadedAt) return _current;
                var read = PemFiles.ParseAll(File.ReadAllText(file));
                if (read.Count > 0 || _current is null) (_current, _loadedAt) = (read, stamp);
                return _current;
            }
        }
    }
}
