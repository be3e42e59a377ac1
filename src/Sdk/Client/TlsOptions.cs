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
        _ = trusted?.Current;
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
/// What a set of files holds, read again when one of them changes (looked at once a second at most). When a read fails
/// after a first one succeeded (a renewal half written: a new key beside the old certificate), the last value read stays
/// in use and the files are read again next time.
/// </summary>
public abstract class ReloadedFiles<T>(params string[] files) where T : class
{
    private readonly Lock _gate = new();
    private string _loadedAt = "";
    private T? _current;
    private long _checkedAt;

    protected abstract T Read();

    public T Current
    {
        get
        {
            long now = Environment.TickCount64;
            if (_current is { } known && now - Volatile.Read(ref _checkedAt) < 1000) return known;
            lock (_gate)
            {
                Volatile.Write(ref _checkedAt, now);
                var stamps = string.Join("|", files.Select(f => File.GetLastWriteTimeUtc(f).Ticks));
                if (_current is not null && stamps == _loadedAt) return _current;
                try { (_current, _loadedAt) = (Read(), stamps); }
                catch (Exception e) when (_current is not null && e is System.Security.Cryptography.CryptographicException or IOException) { } // next time
                return _current!;
            }
        }
    }
}

/// <summary>A certificate and its key kept in PEM files, as the TLS stack uses it, read again when they change.</summary>
public sealed class PemCertificateFile(string certificateFile, string keyFile) : ReloadedFiles<X509Certificate2>(certificateFile, keyFile)
{
    protected override X509Certificate2 Read() => PemFiles.LoadWithKey(certificateFile, keyFile);
}

/// <summary>A PEM file of one or more CA certificates, read again when it changes; one that holds none is a failed read.</summary>
public sealed class PemBundleFile(string file) : ReloadedFiles<X509Certificate2Collection>(file)
{
    protected override X509Certificate2Collection Read() =>
        PemFiles.ParseAll(File.ReadAllText(file)) is { Count: > 0 } read ? read : throw new System.Security.Cryptography.CryptographicException($"'{file}' holds no certificate");
}
