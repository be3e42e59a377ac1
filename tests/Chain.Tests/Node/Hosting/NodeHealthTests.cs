using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Node.Consensus;
using Chain.Node.Hosting;
using Chain.Node.Network;
using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;

namespace Chain.Tests.Node.Hosting;

/// <summary>The health check can fail: a halted channel is unhealthy, a certificate about to expire degrades the node.</summary>
public sealed class NodeHealthTests : IAsyncLifetime
{
    private ChannelFixture _channel = null!;

    public Task InitializeAsync()
    {
        _channel = new ChannelFixture(TestNetwork.Config(), _ => new ScriptedOrderer());
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _channel.DisposeAsync();

    private NodeHealth Health(X509Certificate2? certificate = null) =>
        new(new ChannelDirectory([_channel.Channel]), new NodeIdentity("node1", AccountKey.Generate(), certificate), new NodeConfig(), TimeProvider.System);

    private static Task<HealthCheckResult> Check(NodeHealth health) => health.CheckHealthAsync(new HealthCheckContext());

    [Fact]
    public async Task AServingChannel_IsHealthy_AHaltedOne_IsUnhealthy_WithItsReason()
    {
        var health = Health();
        Assert.Equal(HealthStatus.Healthy, (await Check(health)).Status);
        Assert.Empty(NodeHealth.ProblemsOf(_channel.Channel));

        _channel.Channel.Support.Halt("block 7 failed verification");
        var halted = await Check(health);
        Assert.Equal(HealthStatus.Unhealthy, halted.Status);
        Assert.Contains("halted: block 7 failed verification", halted.Description);
        Assert.Equal([halted.Description], NodeHealth.ProblemsOf(_channel.Channel));
    }

    [Fact]
    public async Task ARaftFollowerWithoutALeader_DegradesTheNode_ALeaderDoesNot()
    {
        var config = TestNetwork.Config();
        config.Consensus = "raft";
        config.Consenters[0].RaftPort = 18051;
        var orderer = new ScriptedOrderer { Redirect = new Redirect("no leader elected", NoLeader: true) };
        await using var raft = new ChannelFixture(config, _ => orderer);
        var health = new NodeHealth(new ChannelDirectory([raft.Channel]), new NodeIdentity("node1", AccountKey.Generate()), new NodeConfig(), TimeProvider.System);

        var leaderless = await Check(health);
        Assert.Equal(HealthStatus.Degraded, leaderless.Status);
        Assert.Contains("has no Raft leader (this node is follower", leaderless.Description);

        orderer.Redirect = null; // this node leads
        Assert.Equal(HealthStatus.Healthy, (await Check(health)).Status);
    }

    [Fact]
    public async Task AChannelBehindItsPeers_OrReachingNoneOfThem_DegradesTheNode()
    {
        var orderer = new ScriptedOrderer();
        await using var channel = new ChannelFixture(TestNetwork.Config(), _ => orderer);
        var health = new NodeHealth(new ChannelDirectory([channel.Channel]), new NodeIdentity("node1", AccountKey.Generate()), new NodeConfig(), TimeProvider.System);

        orderer.Behind = NodeHealth.MaxLagBlocks; // within the allowance
        Assert.Equal(HealthStatus.Healthy, (await Check(health)).Status);
        orderer.Behind = NodeHealth.MaxLagBlocks + 1;
        var behind = await Check(health);
        Assert.Equal(HealthStatus.Degraded, behind.Status);
        Assert.Contains($"is {NodeHealth.MaxLagBlocks + 1} blocks behind its peers (at height 1)", behind.Description);

        orderer.Behind = 0;
        orderer.Unreached = "no peer reached since …";
        Assert.Contains("no peer reached since", (await Check(health)).Description);
    }

    [Fact]
    public void PullProgress_CountsBlocksThePeersHave_AndReportsUnreachablePeersOnlyAfterItsPatience()
    {
        var clock = new ManualClock(DateTimeOffset.Parse("2026-12-01T08:00:00Z"));
        var progress = new PullProgress(clock);
        progress.Reached(120);
        Assert.Equal(20, progress.Behind(100));
        Assert.Equal(0, progress.Behind(130));

        progress.Failed("https://127.0.0.1:1: Unavailable connection refused");
        Assert.Null(progress.Unreached());
        clock.Now += PullProgress.Patience;
        Assert.Equal("no peer reached since 2026-12-01 08:00:00 UTC (last: https://127.0.0.1:1: Unavailable connection refused)", progress.Unreached());

        progress.Reached(121); // a peer answered
        Assert.Null(progress.Unreached());
        progress.Failed("again");
        clock.Now += PullProgress.Patience;
        progress.Stopped(); // caught up to its target: not pulling, nothing is unreachable
        Assert.Null(progress.Unreached());
    }

    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public async Task ACertificateThatExpiresWithinAWeek_DegradesTheNode()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=node1", key, HashAlgorithmName.SHA256);
        using var soon = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(3));
        var degraded = await Check(Health(soon));
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("the node's TLS certificate (CN=node1) expires", degraded.Description);

        using var later = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90));
        Assert.Equal(HealthStatus.Healthy, (await Check(Health(later))).Status);
    }
}
