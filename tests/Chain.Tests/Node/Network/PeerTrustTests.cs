using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Chain.Node.Consensus.Raft;
using Chain.Node.Network;
using Chain.Protocol;
using Xunit;

namespace Chain.Tests.Node.Network;

/// <summary>Peer trust follows the configurations in force: new organisations, revoked and expired certificates, pinned consenters.</summary>
public class PeerTrustTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static X509Certificate2 Ca(string org)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"O={org}, CN={org} CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(Now.AddDays(-10), Now.AddDays(365));
    }

    private static X509Certificate2 Node(X509Certificate2 ca, string name, DateTimeOffset notBefore, DateTimeOffset notAfter, byte[]? serial = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"O=Org, CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2"), new Oid("1.3.6.1.5.5.7.3.1")], false));
        return request.Create(ca, notBefore, notAfter, serial ?? RandomNumberGenerator.GetBytes(8));
    }

    private static ChannelConfig Channel(ulong sequence, params (string Name, X509Certificate2 Ca)[] orgs)
    {
        var config = new ChannelConfig { Channel = "charity", Sequence = sequence };
        foreach (var (name, ca) in orgs) config.Organizations.Add(new OrganizationConfig { Name = name, CaCertificatePem = ca.ExportCertificatePem() });
        return config;
    }

    [Fact]
    public void AConfigurationUpdate_AddsAnOrganisationOrRevokesACertificate_WithoutANewTrust()
    {
        var bankCa = Ca("Bank");
        var auditCa = Ca("AuditBureau");
        var bankNode = Node(bankCa, "bank-node1", Now.AddDays(-1), Now.AddDays(90));
        var auditNode = Node(auditCa, "audit-node1", Now.AddDays(-1), Now.AddDays(90));
        var configs = new List<ChannelConfig> { Channel(1, ("Bank", bankCa)) };
        var trust = new PeerTrust(() => configs);

        Assert.Equal("Bank", trust.OrganizationOf(bankNode, out _));
        Assert.Null(trust.OrganizationOf(auditNode, out var stranger));
        Assert.Contains("not issued by the CA of any organisation", stranger);

        configs[0] = Channel(2, ("Bank", bankCa), ("AuditBureau", auditCa));
        Assert.Equal("AuditBureau", trust.OrganizationOf(auditNode, out _));

        var revoking = Channel(3, ("Bank", bankCa), ("AuditBureau", auditCa));
        revoking.Organizations[0].RevokedSerials.Add(bankNode.SerialNumber.ToLowerInvariant());
        configs[0] = revoking;
        Assert.Null(trust.OrganizationOf(bankNode, out var revoked));
        Assert.Equal($"certificate 'O=Org, CN=bank-node1' (serial {bankNode.SerialNumber}) was revoked by Bank in the configuration of channel 'charity'", revoked);
        Assert.Equal("AuditBureau", trust.OrganizationOf(auditNode, out _));
    }

    [Fact]
    public void AnExpiredCertificate_IsRefused_WithWhy()
    {
        var ca = Ca("Bank");
        var trust = new PeerTrust([Channel(1, ("Bank", ca))]);
        Assert.Null(trust.OrganizationOf(Node(ca, "old-node", Now.AddDays(-5), Now.AddDays(-1)), out var reason));
        Assert.Contains("is not valid now", reason);
    }

    [Fact]
    public void TheRaftPort_AcceptsOnlyTheCertificatesItsConsentersArePinnedWith()
    {
        var ca = Ca("Bank");
        var consenter = Node(ca, "bank-node1", Now.AddDays(-1), Now.AddDays(90));
        var other = Node(ca, "bank-node9", Now.AddDays(-1), Now.AddDays(90));
        var config = Channel(1, ("Bank", ca));
        Assert.True(DotNextRaftGroup.IsPinnedConsenter(config, other)); // nothing pinned: the organisation's trust decides
        config.Consenters.Add(new ConsenterConfig { Node = "bank-node1", Organization = "Bank", TlsCertificatePem = consenter.ExportCertificatePem() });
        Assert.True(DotNextRaftGroup.IsPinnedConsenter(config, consenter));
        Assert.False(DotNextRaftGroup.IsPinnedConsenter(config, other));
    }

    [Fact]
    public void ARevokedSerial_MatchesWithOrWithoutTheLeadingZeroOfItsSignByte()
    {
        var ca = Ca("Bank");
        var node = Node(ca, "bank-node1", Now.AddDays(-1), Now.AddDays(90), [0x00, 0x9c, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde]);
        Assert.StartsWith("00", node.SerialNumber); // as .NET shows it; openssl prints 9C123456789ABCDE
        var config = Channel(1, ("Bank", ca));
        config.Organizations[0].RevokedSerials.Add("9c123456789abcde");
        Assert.Null(new PeerTrust([config]).OrganizationOf(node, out var reason));
        Assert.Contains("was revoked by Bank", reason);
        Assert.Equal(PeerTrust.Serial("009C123456789ABCDE"), PeerTrust.Serial("9c123456789abcde"));
    }

    [Fact]
    public void AConfigurationWithAnUnreadableCertificate_TrustsTheRest()
    {
        var ca = Ca("Bank");
        var config = Channel(1, ("Bank", ca));
        config.Organizations.Add(new OrganizationConfig { Name = "Broken", CaCertificatePem = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----" });
        Assert.Equal("Bank", new PeerTrust([config]).OrganizationOf(Node(ca, "bank-node1", Now.AddDays(-1), Now.AddDays(90)), out _));
    }
}
