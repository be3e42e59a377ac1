using Chain.Node.Channels;
using Chain.Node.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Chain.Node.Hosting;

/// <summary>
/// What is wrong with a node, as the gRPC health check (a halted channel: NOT_SERVING) and <c>chain status</c> report it:
/// per channel, halted, without a Raft leader, more than <see cref="MaxLagBlocks"/> behind its peers, or unable to
/// reach any peer it follows; node-wide, a TLS certificate about to expire or a nearly full disk.
/// </summary>
internal sealed class NodeHealth(ChannelDirectory channels, NodeIdentity identity, NodeConfig config, TimeProvider clock) : IHealthCheck
{
    /// <summary>A certificate that expires within this is reported (the same horizon as <c>chain crypto</c>'s warnings).</summary>
    public static readonly TimeSpan CertificateWarning = Membership.Crypto.CryptoGenerator.ExpiryWarning;
    /// <summary>Less free space than this on the data folder's disk (or under 5% of it) is reported.</summary>
    public const long MinFreeBytes = 1L << 30;
    /// <summary>A channel more blocks than this behind what its peers or its Raft group committed is reported.</summary>
    public const long MaxLagBlocks = 10;

    public static IEnumerable<string> ProblemsOf(ChannelRuntime channel)
    {
        if (channel.HaltedBy is { } halted)
        {
            yield return halted.Message;
            yield break;
        }
        var status = channel.Orderer.Status;
        // Only a voting member misses a leader; an observer, a joining or removed node has none by design.
        if (channel.Consensus == "raft" && status.Role is "follower" or "candidate" && string.IsNullOrEmpty(status.Leader))
            yield return $"channel '{channel.Name}' has no Raft leader (this node is {status.Role}, term {status.Term})";
        if (status.Behind > MaxLagBlocks)
            yield return $"channel '{channel.Name}' is {status.Behind} blocks behind its peers (at height {channel.Ledger.Height})";
        if (status.Unreached is { } unreached)
            yield return $"channel '{channel.Name}': {unreached}";
    }

    public IEnumerable<string> NodeProblems()
    {
        if (identity.TlsCertificate is { } certificate && certificate.NotAfter.ToUniversalTime() - clock.GetUtcNow().UtcDateTime < CertificateWarning)
            yield return $"the node's TLS certificate ({certificate.Subject}) expires {certificate.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm} UTC";
        if (FreeSpace(config.Resolve(config.DataDir)) is var (free, total) && (free < MinFreeBytes || free < total / 20))
            yield return $"disk nearly full: {free >> 20} MiB free of {total >> 20} MiB on the data folder's disk";
    }

    /// <summary>Free and total bytes of the mount that holds <paramref name="path"/> (the longest mount point above it), or null when unknown.</summary>
    private static (long Free, long Total)? FreeSpace(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            static bool Under(string path, string root) => path == root.TrimEnd('/') || path.StartsWith(root.TrimEnd('/') + "/", StringComparison.Ordinal) || root == "/";
            var drive = DriveInfo.GetDrives().Where(d => d.IsReady && Under(full, d.RootDirectory.FullName))
                .MaxBy(d => d.RootDirectory.FullName.Length);
            return drive is null ? null : (drive.AvailableFreeSpace, drive.TotalSize);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problems = channels.All.SelectMany(ProblemsOf).Concat(NodeProblems()).ToList();
        var result = channels.All.Any(c => c.Halted) ? HealthCheckResult.Unhealthy(string.Join("; ", problems))
            : problems.Count > 0 ? HealthCheckResult.Degraded(string.Join("; ", problems))
            : HealthCheckResult.Healthy();
        return Task.FromResult(result);
    }
}
