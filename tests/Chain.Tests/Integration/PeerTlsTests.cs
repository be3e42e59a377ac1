using Chain.Node.Membership.Crypto;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Tests.TestKit;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>The mutual-TLS peer endpoint, with certificates from the network's CAs and a forged one.</summary>
public class PeerTlsTests(NodeFixture fixture) : IClassFixture<NodeFixture>
{
    private NodeProcess Node => fixture.Node;
    private string Ca(string org) => Path.Combine(Node.CryptoDir, "orgs", org, "ca", "ca.crt");

    /// <summary>A certificate for a second node, issued by <paramref name="org"/>'s real CA or by a look-alike CA.</summary>
    private (string Certificate, string Key) SecondNode(TempDirectory dir, string org, bool forged)
    {
        var caDir = Path.Combine(Node.CryptoDir, "orgs", org, "ca");
        var ca = forged ? CertificateAuthority.Create(org, DateTimeOffset.UtcNow)
            : CertificateAuthority.Load(org, File.ReadAllText(Path.Combine(caDir, "ca.crt")), File.ReadAllText(Path.Combine(caDir, "ca.key")));
        var (certificate, key) = ca.IssueNodeCertificate("audit-node1", "127.0.0.1", DateTimeOffset.UtcNow);
        File.WriteAllText(dir.Combine("tls.crt"), certificate);
        File.WriteAllText(dir.Combine("tls.key"), key);
        return (dir.Combine("tls.crt"), dir.Combine("tls.key"));
    }

    [Fact]
    public async Task PeerWithCertificateFromAChannelOrganisation_IsIdentifiedByItsOrganisation()
    {
        using var dir = new TempDirectory();
        var (certificate, key) = SecondNode(dir, "AuditBureau", forged: false);
        var result = await ChainBinary.RunAsync("--endpoint", Node.PeerEndpoint, "peer", "hello", "--cert", certificate, "--tls-key", key, "--ca", Ca("Bank"), "-o", "json");
        Assert.True(result.ExitCode == 0, result.StdErr);
        var hello = System.Text.Json.JsonDocument.Parse(result.StdOut).RootElement;
        Assert.Equal("AuditBureau", hello.GetProperty("organization").GetString());
        Assert.Equal(["charity", "demolition-fund"], hello.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("CN=audit-node1", hello.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Hello_ListsOnlyTheChannelsOfTheCallersOrganisation()
    {
        using var dir = new TempDirectory();
        var (certificate, key) = SecondNode(dir, "Appraiser", forged: false); // a member of demolition-fund only
        var result = await ChainBinary.RunAsync("--endpoint", Node.PeerEndpoint, "peer", "hello", "--cert", certificate, "--tls-key", key, "--ca", Ca("Bank"), "-o", "json");
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Equal(["demolition-fund"], System.Text.Json.JsonDocument.Parse(result.StdOut).RootElement.GetProperty("channels").EnumerateArray().Select(c => c.GetString()));
    }

    [Fact]
    public async Task PeerWithCertificateFromAnUnknownCa_IsRefusedInTheHandshake()
    {
        using var dir = new TempDirectory();
        var (certificate, key) = SecondNode(dir, "AuditBureau", forged: true);
        var result = await ChainBinary.RunAsync("--endpoint", Node.PeerEndpoint, "peer", "hello", "--cert", certificate, "--tls-key", key, "--ca", Ca("Bank"));
        Assert.NotEqual(0, result.ExitCode);
        Assert.StartsWith("error: ", result.StdErr);
        Assert.Single(result.StdErr.Trim().Split('\n'));
    }

    [Fact]
    public async Task NodeWithAnotherCaCertificate_IsNotTrustedByTheClient()
    {
        using var dir = new TempDirectory();
        var (certificate, key) = SecondNode(dir, "AuditBureau", forged: false);
        // The client expects the node to be certified by AuditBureau's CA, but it is Bank's node.
        var result = await ChainBinary.RunAsync("--endpoint", Node.PeerEndpoint, "peer", "hello", "--cert", certificate, "--tls-key", key, "--ca", Ca("AuditBureau"));
        Assert.NotEqual(0, result.ExitCode);
    }

    [Fact]
    public async Task Status_WarnsWhenTheNodeCertificateExpiresWithin30Days()
    {
        var normal = await ChainBinary.RunAsync("--endpoint", Node.Endpoint, "status", "-o", "json");
        Assert.Equal("", normal.StdErr);
        var expires = DateTimeOffset.Parse(System.Text.Json.JsonDocument.Parse(normal.StdOut).RootElement.GetProperty("tlsCertificateExpires").GetString()!);
        Assert.InRange(expires, DateTimeOffset.UtcNow.AddDays(363), DateTimeOffset.UtcNow.AddDays(366)); // certificates are issued for a year

        await using var node = await NodeProcess.StartAsync(config =>
        {
            var caDir = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(config.Resolve(config.Tls!.Certificate))!)!, "..", "ca");
            var ca = CertificateAuthority.Load("Bank", File.ReadAllText(Path.Combine(caDir, "ca.crt")), File.ReadAllText(Path.Combine(caDir, "ca.key")));
            var (certificate, key) = ca.IssueNodeCertificate("bank-node1", "127.0.0.1", DateTimeOffset.UtcNow.AddDays(-355)); // 10 days left
            File.WriteAllText(config.Resolve("expiring.crt"), certificate);
            File.WriteAllText(config.Resolve("expiring.key"), key);
            config.Tls = new Chain.Node.Configuration.TlsConfig { Certificate = "expiring.crt", PrivateKey = "expiring.key", ClientEndpoint = false };
        });
        var expiring = await ChainBinary.RunAsync("--endpoint", node.Endpoint, "status");
        Assert.Equal(0, expiring.ExitCode);
        Assert.Contains("warning: the node's TLS certificate (O=Bank, CN=bank-node1) expires", expiring.StdErr);
    }

    [Fact]
    public async Task SecondNodeProcess_IsAcceptedWithItsOrganisationsCertificate_AndRefusedWithAForgedOne()
    {
        var bankCa = Ca("Bank");
        await using var genuine = await NodeProcess.StartAsync(config =>
            config.Peers = [new Chain.Node.Configuration.PeerConfig { Endpoint = Node.PeerEndpoint, CaCertificate = bankCa }]);
        await Wait.UntilAsync(() => Task.FromResult(genuine.Log.Contains("recognised this node as Bank")), "the first node to accept the second");
        await Wait.UntilAsync(() => Task.FromResult(Node.Log.Contains("peer node1 of Bank")), "the first node to log the second's hello");

        await using var forged = await NodeProcess.StartAsync(config =>
        {
            var (certificate, key) = CertificateAuthority.Create("Bank", DateTimeOffset.UtcNow).IssueNodeCertificate("bank-node1", "127.0.0.1", DateTimeOffset.UtcNow);
            File.WriteAllText(config.Resolve("forged.crt"), certificate);
            File.WriteAllText(config.Resolve("forged.key"), key);
            config.Tls = new Chain.Node.Configuration.TlsConfig { Certificate = "forged.crt", PrivateKey = "forged.key", ClientEndpoint = false };
            config.Peers = [new Chain.Node.Configuration.PeerConfig { Endpoint = Node.PeerEndpoint, CaCertificate = bankCa }];
        });
        await Wait.UntilAsync(() => Task.FromResult(forged.Log.Contains($"peer {Node.PeerEndpoint} did not accept this node")), "the first node to refuse the forged certificate");
        Assert.DoesNotContain("recognised this node", forged.Log);
    }

    [Fact]
    public async Task PeerService_IsNotReachableOnTheClientEndpoint_EvenWithASpoofedHostHeader()
    {
        // Regression: endpoint separation used to follow the Host header, which the caller chooses.
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, Node.Endpoint + "/chain.v1.Peer/Hello")
        {
            Content = new ByteArrayContent(new byte[5]), Version = System.Net.HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/grpc");
        request.Headers.Host = new Uri(Node.PeerEndpoint).Authority;

        using var response = await http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync(); // trailers arrive after the body
        var status = response.Headers.TryGetValues("grpc-status", out var values) ? values.Single()
            : response.TrailingHeaders.TryGetValues("grpc-status", out var trailers) ? trailers.Single() : null;
        Assert.True(((int)StatusCode.Unimplemented).ToString() == status, $"HTTP {(int)response.StatusCode}, grpc-status {status ?? "none"}, headers {response.Headers}");
    }

    [Fact]
    public async Task ClientAndPeerServices_AnswerOnlyOnTheirOwnEndpoint()
    {
        using var dir = new TempDirectory();
        var (certificate, key) = SecondNode(dir, "AuditBureau", forged: false);
        using var peer = new ChainClient(Node.PeerEndpoint, TlsOptions.FromPemFiles(Ca("Bank"), certificate, key));
        var onPeer = await Assert.ThrowsAsync<RpcException>(() => peer.Ledger.GetChainInfoAsync(new ChainInfoRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, onPeer.StatusCode);
        var onClient = await Assert.ThrowsAsync<RpcException>(() => Node.Client.Peer.HelloAsync(new HelloRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unimplemented, onClient.StatusCode);
    }
}
