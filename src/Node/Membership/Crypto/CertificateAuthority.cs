using System.Net;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.OpenSsl;
using Org.BouncyCastle.Pkcs;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;
using Org.BouncyCastle.X509.Extension;
using Org.BouncyCastle.Asn1.Pkcs;
using Org.BouncyCastle.Security.Certificates;
using BcCertificate = Org.BouncyCastle.X509.X509Certificate;

namespace Chain.Node.Membership.Crypto;

/// <summary>
/// An organisation's certificate authority: an ECDSA P-256 key and a self-signed X.509 root, used to issue
/// the TLS certificates of the organisation's nodes (server and client authentication, for mTLS).
/// </summary>
internal sealed class CertificateAuthority
{
    public static readonly TimeSpan RootValidity = TimeSpan.FromDays(3650);
    public static readonly TimeSpan NodeValidity = TimeSpan.FromDays(365);
    private static readonly SecureRandom Random = new();

    private CertificateAuthority(string organization, AsymmetricCipherKeyPair keys, BcCertificate certificate)
    {
        Organization = organization;
        Keys = keys;
        Certificate = certificate;
    }

    public string Organization { get; }
    internal AsymmetricCipherKeyPair Keys { get; }
    internal BcCertificate Certificate { get; }
    public string CertificatePem => ToPem(Certificate);
    public string PrivateKeyPem => ToPem(PrivateKeyInfoFactory.CreatePrivateKeyInfo(Keys.Private));

    public static CertificateAuthority Create(string organization, DateTimeOffset now)
    {
        var keys = NewKeyPair();
        var name = new X509Name($"CN=ca.{organization},O={organization}");
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(NewSerial());
        generator.SetIssuerDN(name);
        generator.SetSubjectDN(name);
        generator.SetNotBefore(now.UtcDateTime.AddMinutes(-5));
        generator.SetNotAfter(now.UtcDateTime + RootValidity);
        generator.SetPublicKey(keys.Public);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(true));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.KeyCertSign | KeyUsage.CrlSign | KeyUsage.DigitalSignature));
        generator.AddExtension(X509Extensions.SubjectKeyIdentifier, false, X509ExtensionUtilities.CreateSubjectKeyIdentifier(keys.Public));
        var certificate = generator.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", keys.Private, Random));
        return new CertificateAuthority(organization, keys, certificate);
    }

    public static CertificateAuthority Load(string organization, string certificatePem, string privateKeyPem)
    {
        var certificate = (BcCertificate)new PemReader(new StringReader(certificatePem)).ReadObject();
        var privateKey = (AsymmetricKeyParameter)new PemReader(new StringReader(privateKeyPem)).ReadObject();
        return new CertificateAuthority(organization, new AsymmetricCipherKeyPair(certificate.GetPublicKey(), privateKey), certificate);
    }

    /// <summary>Issues a node certificate for TLS server and client authentication, valid for <paramref name="host"/>.</summary>
    public (string CertificatePem, string PrivateKeyPem) IssueNodeCertificate(string nodeName, string host, DateTimeOffset now)
    {
        var keys = NewKeyPair();
        var generator = new X509V3CertificateGenerator();
        generator.SetSerialNumber(NewSerial());
        generator.SetIssuerDN(Certificate.SubjectDN);
        generator.SetSubjectDN(new X509Name($"CN={nodeName},O={Organization}"));
        generator.SetNotBefore(now.UtcDateTime.AddMinutes(-5));
        generator.SetNotAfter(now.UtcDateTime + NodeValidity);
        generator.SetPublicKey(keys.Public);
        generator.AddExtension(X509Extensions.BasicConstraints, true, new BasicConstraints(false));
        generator.AddExtension(X509Extensions.KeyUsage, true, new KeyUsage(KeyUsage.DigitalSignature | KeyUsage.KeyAgreement));
        generator.AddExtension(X509Extensions.ExtendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeID.id_kp_serverAuth, KeyPurposeID.id_kp_clientAuth));
        generator.AddExtension(X509Extensions.AuthorityKeyIdentifier, false, X509ExtensionUtilities.CreateAuthorityKeyIdentifier(Certificate));
        var names = new List<GeneralName> { new(GeneralName.DnsName, nodeName) };
        names.Add(IPAddress.TryParse(host, out _) ? new GeneralName(GeneralName.IPAddress, host) : new GeneralName(GeneralName.DnsName, host));
        if (host != "localhost") names.Add(new GeneralName(GeneralName.DnsName, "localhost"));
        generator.AddExtension(X509Extensions.SubjectAlternativeName, false, new GeneralNames(names.ToArray()));
        var certificate = generator.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", Keys.Private, Random));
        return (ToPem(certificate), ToPem(PrivateKeyInfoFactory.CreatePrivateKeyInfo(keys.Private)));
    }

    /// <summary>True when <paramref name="certificatePem"/> was signed by this CA's key.</summary>
    public bool Issued(string certificatePem)
    {
        try
        {
            if (new PemReader(new StringReader(certificatePem)).ReadObject() is not BcCertificate certificate) return false;
            certificate.Verify(Keys.Public);
            return true;
        }
        catch (Exception e) when (e is GeneralSecurityException or CertificateException or InvalidKeyException or IOException) { return false; }
    }

    public static DateTimeOffset ExpiryOf(string certificatePem) => X509Certificate2.CreateFromPem(certificatePem).NotAfter.ToUniversalTime();

    private static AsymmetricCipherKeyPair NewKeyPair()
    {
        var generator = new ECKeyPairGenerator("EC");
        generator.Init(new ECKeyGenerationParameters(Org.BouncyCastle.Asn1.X9.X9ObjectIdentifiers.Prime256v1, Random));
        return generator.GenerateKeyPair();
    }

    private static BigInteger NewSerial() => new BigInteger(128, Random).Add(BigInteger.One);

    private static string ToPem(object value)
    {
        using var text = new StringWriter();
        var writer = new PemWriter(text);
        writer.WriteObject(value is PrivateKeyInfo info ? new Org.BouncyCastle.Utilities.IO.Pem.PemObject("PRIVATE KEY", info.GetEncoded()) : value);
        writer.Writer.Flush();
        return text.ToString();
    }
}
