using System.Security.Cryptography.X509Certificates;
using Chain.Node.Membership.Crypto;
using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Node.Membership;

public class CryptoGeneratorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ARenewal_IsStagedBesideTheCertificatesInUse_AndActivatedWholeOrNotAtAll()
    {
        using var dir = new TempDirectory();
        var network = Repo.SampleNetwork();
        CryptoGenerator.Generate(network, dir.Path, Now);
        string Bank(params string[] path) => Path.Combine([dir.Path, "orgs", "Bank", .. path]);
        var caBefore = File.ReadAllText(Bank("ca", "ca.crt"));
        var nodeBefore = File.ReadAllText(Bank("nodes", "bank-node2", "tls.crt"));

        CryptoGenerator.RenewOrganization(network, dir.Path, "Bank", Now);
        Assert.Equal(caBefore, File.ReadAllText(Bank("ca", "ca.crt"))); // staged, nothing in use changed
        Assert.Equal(nodeBefore, File.ReadAllText(Bank("nodes", "bank-node2", "tls.crt")));
        var stagedCa = File.ReadAllText(Bank("ca", "ca.next.crt"));

        // One staged certificate missing: refused, naming it, and nothing moves.
        File.Delete(Bank("nodes", "bank-node5", "tls.next.key"));
        var refused = Assert.Throws<Chain.Node.Configuration.ConfigException>(() => CryptoGenerator.Activate(network, dir.Path, null, "Bank"));
        Assert.Contains("bank-node5", refused.Message);
        Assert.Contains("nothing was changed", refused.Message);
        Assert.Equal(caBefore, File.ReadAllText(Bank("ca", "ca.crt")));
        Assert.True(File.Exists(Bank("nodes", "bank-node2", "tls.next.crt")));

        // Staged again in full: the new CA comes first in ca.crt, the old one after it, and each node's new certificate is issued by it.
        CryptoGenerator.RenewOrganization(network, dir.Path, "Bank", Now);
        stagedCa = File.ReadAllText(Bank("ca", "ca.next.crt"));
        CryptoGenerator.Activate(network, dir.Path, null, "Bank");
        var bundle = Chain.Sdk.Client.PemFiles.ParseAll(File.ReadAllText(Bank("ca", "ca.crt")));
        Assert.Equal([X509Certificate2.CreateFromPem(stagedCa).Thumbprint, X509Certificate2.CreateFromPem(caBefore).Thumbprint], bundle.Select(c => c.Thumbprint));
        Assert.True(CertificateAuthority.Load("Bank", stagedCa, File.ReadAllText(Bank("ca", "ca.key"))).Issued(File.ReadAllText(Bank("nodes", "bank-node2", "tls.crt"))));
        Assert.False(File.Exists(Bank("nodes", "bank-node2", "tls.next.crt")));
    }

    [Fact]
    public void Generate_CreatesCaNodeCertificatesAndAccountsForEveryOrganisation()
    {
        using var dir = new TempDirectory();
        var network = Repo.SampleNetwork();
        var manifest = CryptoGenerator.Generate(network, dir.Path, Now);

        Assert.Equal(network.Organizations.Select(o => o.Name), manifest.Organizations.Select(o => o.Name));
        var bank = manifest.Organizations.Single(o => o.Name == "Bank");
        Assert.Equal(["teller1", "donor1", "donor2"], bank.Members.Select(m => m.Name));
        Assert.Equal(["donor"], bank.Members[1].Roles);
        var account = Keystore.Read(dir.Combine(bank.Admin.Keystore), File.ReadAllText(dir.Combine(bank.Admin.PasswordFile)));
        Assert.Equal(bank.Admin.Address, account.AddressText);

        Assert.Equal(["bank-node1", "bank-node2", "bank-node3", "bank-node4", "bank-node5"], bank.Nodes.Select(n => n.Name));
        var node = bank.Nodes[0];
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(dir.Combine(bank.CaCertificate)));
        var tls = X509Certificate2.CreateFromPem(File.ReadAllText(dir.Combine(node.Certificate)));
        Assert.Equal(Now.AddDays(365).UtcDateTime, tls.NotAfter.ToUniversalTime().AddMinutes(0), TimeSpan.FromMinutes(10));
        Assert.True(ChainsTo(tls, ca));
        var usages = tls.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages.Cast<System.Security.Cryptography.Oid>().Select(o => o.Value);
        Assert.Equal(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], usages); // server and client authentication
        Assert.Contains("127.0.0.1", tls.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses().Select(a => a.ToString()));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Combine(node.PrivateKey)));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Combine("orgs", "Bank", "ca", "ca.key")));
        }
    }

    [Fact]
    public void Rerun_KeepsExistingMaterial_ForceReplacesIt()
    {
        using var dir = new TempDirectory();
        var network = Repo.SampleNetwork();
        var first = CryptoGenerator.Generate(network, dir.Path, Now);
        var caPem = File.ReadAllText(dir.Combine("orgs", "Bank", "ca", "ca.crt"));

        var second = CryptoGenerator.Generate(network, dir.Path, Now.AddDays(1));
        Assert.Equal(first.Organizations.Select(o => o.Admin.Address), second.Organizations.Select(o => o.Admin.Address));
        Assert.Equal(caPem, File.ReadAllText(dir.Combine("orgs", "Bank", "ca", "ca.crt")));

        var forced = CryptoGenerator.Generate(network, dir.Path, Now, force: true);
        Assert.NotEqual(first.Organizations[0].Admin.Address, forced.Organizations[0].Admin.Address);
        Assert.NotEqual(caPem, File.ReadAllText(dir.Combine("orgs", "Bank", "ca", "ca.crt")));
        Assert.Equal(forced.Organizations.Select(o => o.Admin.Address), CryptoGenerator.LoadManifest(dir.Path).Organizations.Select(o => o.Admin.Address));
    }

    [Fact]
    public void CertificateFromAnotherCa_IsNotIssuedByThisCa()
    {
        var bank = CertificateAuthority.Create("Bank", Now);
        var forger = CertificateAuthority.Create("Bank", Now); // same name, different key
        var (forged, _) = forger.IssueNodeCertificate("bank-node1", "127.0.0.1", Now);
        var (genuine, _) = bank.IssueNodeCertificate("bank-node1", "127.0.0.1", Now);
        Assert.True(bank.Issued(genuine));
        Assert.False(bank.Issued(forged));
        Assert.False(bank.Issued("not a certificate"));
    }

    [Fact]
    public void ExpiryWarnings_NameCertificatesDueWithin30Days()
    {
        using var dir = new TempDirectory();
        var manifest = CryptoGenerator.Generate(Repo.SampleNetwork(), dir.Path, Now);
        Assert.Empty(CryptoGenerator.ExpiryWarnings(manifest, Now));
        var warnings = CryptoGenerator.ExpiryWarnings(manifest, Now.AddDays(340)).ToList();
        Assert.Contains(warnings, w => w.Contains("TLS certificate of node bank-node1"));
        Assert.DoesNotContain(warnings, w => w.Contains("CA certificate"));
    }

    private static bool ChainsTo(X509Certificate2 leaf, X509Certificate2 root)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = leaf.NotBefore.AddHours(1);
        return chain.Build(leaf);
    }
}
