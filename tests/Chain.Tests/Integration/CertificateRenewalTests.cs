using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Tests.TestKit;
using Grpc.Core;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// Renewing a node's TLS certificate and an organisation's CA on a running 3-node Raft network (real processes, mutual TLS
/// on loopback) while a client keeps submitting: stage, let the configuration accept the new certificates, put them in
/// use, retire the old ones; no node restarts for it, and no transaction fails.
/// </summary>
public sealed class CertificateRenewalTests
{
    private static readonly string[] Channels = ["sandbox"];

    [Fact]
    public async Task ANodeCertificateAndACaRenewedWhileAClientSubmits_NoTransactionFails_AndTheNodesShowTheNewCertificates()
    {
        await using var cluster = await LocalCluster.StartAsync(3, LocalCluster.SandboxOnly());
        var crypto = cluster.CryptoDir;
        var (node1, node2, node3) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        await cluster.LeaderAsync();

        var failures = new ConcurrentQueue<string>();
        int committed = 0;
        using var stop = new CancellationTokenSource();
        var client = Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var result = await node1.Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = Build.Put($"renew-{i}", "v") }, deadline: DateTime.UtcNow.AddSeconds(30));
                    if (result.Code == ValidationCode.Valid) Interlocked.Increment(ref committed);
                    else failures.Enqueue($"tx {i}: {result.Code} {result.Message}");
                }
                catch (RpcException e) { failures.Enqueue($"tx {i}: {e.StatusCode} {e.Status.Detail}"); }
            }
        });
        async Task CommitsGoOnAsync(string step)
        {
            int before = Volatile.Read(ref committed);
            await Wait.UntilAsync(() => Task.FromResult(Volatile.Read(ref committed) >= before + 5), $"the client commits after {step}");
        }
        async Task UpdateEveryChannelAsync(bool dropPrevious)
        {
            foreach (var channel in Channels)
            {
                var update = await cluster.UpdateConfigAsync(node1, c => ChannelConfigBuilder.RefreshCertificates(c, "Bank", crypto, dropPrevious), channel);
                Assert.True(update.Code == ValidationCode.Valid, $"{channel}: {update.Code} {update.Message}");
            }
        }
        async Task<ChainBinary.Result> RenewAsync(params string[] args)
        {
            var result = await ChainBinary.RunAsync(["crypto", "renew", "--crypto", crypto, "--network", Repo.SampleNetworkFile, .. args]);
            Assert.True(result.ExitCode == 0, result.StdErr);
            return result;
        }
        await CommitsGoOnAsync("the start");

        // bank-node2's certificate: staged, accepted by every channel's configuration, then in use.
        var before = ServerCertificateOf(node2, crypto);
        var staged = await RenewAsync("--node", "bank-node2");
        Assert.Contains("TLS certificate of bank-node2 (staged)", staged.StdOut);
        Assert.Equal(before.Thumbprint, ServerCertificateOf(node2, crypto).Thumbprint); // staged, not shown yet
        await UpdateEveryChannelAsync(dropPrevious: false);
        await RenewAsync("--node", "bank-node2", "--activate");
        await Wait.UntilAsync(() => Task.FromResult(ServerCertificateOf(node2, crypto).Thumbprint != before.Thumbprint), "bank-node2 shows its new certificate");
        var renewedNode = ServerCertificateOf(node2, crypto);
        Assert.Equal(File.ReadAllText(Path.Combine(crypto, "orgs", "Bank", "nodes", "bank-node2", "tls.crt")).Trim(), renewedNode.ExportCertificatePem().Trim());
        await CommitsGoOnAsync("bank-node2's new certificate");
        await UpdateEveryChannelAsync(dropPrevious: true);
        var (_, pinned) = await PinnedAsync(cluster, node1, "bank-node2");
        Assert.Equal([renewedNode.Thumbprint], pinned);
        await CommitsGoOnAsync("retiring bank-node2's old certificate");

        // The Bank's CA: a new CA and new certificates for its nodes, accepted, put in use, the old CA retired.
        var oldCa = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(crypto, "orgs", "Bank", "ca", "ca.crt")));
        await RenewAsync("--org", "Bank");
        await UpdateEveryChannelAsync(dropPrevious: false);
        await RenewAsync("--org", "Bank", "--activate");
        var newCa = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(crypto, "orgs", "Bank", "ca", "ca.crt")));
        Assert.NotEqual(oldCa.Thumbprint, newCa.Thumbprint);
        foreach (var node in cluster.Nodes)
            await Wait.UntilAsync(() => Task.FromResult(ServerCertificateOf(node, crypto).Issuer == newCa.Subject && IssuedBy(ServerCertificateOf(node, crypto), newCa)), $"{node.Config.NodeId} shows a certificate of the new CA");
        // New Raft connections use the new certificates: the restarted third node rejoins through them.
        await node3.StopAsync();
        await node3.StartProcessAsync();
        await CommitsGoOnAsync("the Bank's new CA");
        await UpdateEveryChannelAsync(dropPrevious: true);
        var (caPem, _) = await PinnedAsync(cluster, node1, "bank-node1");
        Assert.Equal([newCa.Thumbprint], Chain.Sdk.Client.PemFiles.ParseAll(caPem).Select(c => c.Thumbprint));
        await CommitsGoOnAsync("retiring the old CA");

        stop.Cancel();
        await client;
        Assert.Empty(failures);
        foreach (var channel in Channels) await LocalCluster.ConvergedAsync(cluster.Nodes, channel);
    }

    /// <summary>The certificate <paramref name="node"/>'s peer endpoint shows in a TLS handshake now (a new connection).</summary>
    private static X509Certificate2 ServerCertificateOf(NodeProcess node, string crypto)
    {
        var ours = Chain.Sdk.Client.PemFiles.LoadWithKey(Path.Combine(crypto, "orgs", "Bank", "nodes", "bank-node3", "tls.crt"), Path.Combine(crypto, "orgs", "Bank", "nodes", "bank-node3", "tls.key"));
        var endpoint = System.Net.IPEndPoint.Parse(node.Config.PeerListen!);
        using var tcp = new TcpClient();
        tcp.Connect(endpoint);
        X509Certificate2? shown = null;
        using var tls = new SslStream(tcp.GetStream(), false, (_, certificate, _, _) => { shown = new X509Certificate2(certificate!); return true; });
        tls.AuthenticateAsClient(new SslClientAuthenticationOptions { TargetHost = "localhost", ClientCertificates = [ours], ApplicationProtocols = [SslApplicationProtocol.Http2] });
        return shown!;
    }

    private static bool IssuedBy(X509Certificate2 certificate, X509Certificate2 ca)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    /// <summary>The Bank's CA entry and the thumbprints pinned for <paramref name="consenter"/> in the sandbox configuration in force.</summary>
    private static async Task<(string CaPem, string[] Pinned)> PinnedAsync(LocalCluster cluster, NodeProcess via, string consenter)
    {
        var json = (await via.Client.Gateway.EvaluateAsync(new EvaluateRequest { Channel = "sandbox", Contract = SystemState.ConfigNamespace, Function = "get", Args = Google.Protobuf.ByteString.CopyFromUtf8("{}") })).Result.ToStringUtf8();
        var config = ChannelConfig.Parser.ParseJson(json);
        return (config.Organizations.Single(o => o.Name == "Bank").CaCertificatePem,
            Chain.Sdk.Client.PemFiles.ParseAll(config.Consenters.Single(c => c.Node == consenter).TlsCertificatePem).Select(c => c.Thumbprint).ToArray());
    }
}
