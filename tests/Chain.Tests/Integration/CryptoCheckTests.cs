using System.Text.Json;
using Chain.Node.Membership.Crypto;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>`chain crypto check`: every certificate the network file implies, read from its file, soonest expiry first.</summary>
public class CryptoCheckTests
{
    [Fact]
    public async Task Check_ListsEveryCertificateByExpiry_AndFailsOnOneExpiringSoonOrMissing()
    {
        using var dir = new TempDirectory();
        var crypto = dir.Combine("crypto");
        // Made 350 days ago: node certificates (365 days) have 15 left, CAs (10 years) years.
        CryptoGenerator.Generate(Repo.SampleNetwork(), crypto, DateTimeOffset.UtcNow.AddDays(-350));

        var fine = await ChainBinary.RunAsync("crypto", "check", "--network", Repo.SampleNetworkFile, "--crypto", crypto, "--within", "10", "-o", "json");
        Assert.True(fine.ExitCode == 0, fine.StdErr);
        var rows = JsonDocument.Parse(fine.StdOut).RootElement.EnumerateArray().ToList();
        var network = Repo.SampleNetwork();
        Assert.Equal(network.Organizations.Count + network.Organizations.Sum(o => o.Nodes.Count), rows.Count);
        Assert.All(rows, r => Assert.Equal("ok", r.GetProperty("status").GetString()));
        var days = rows.Select(r => r.GetProperty("daysLeft").GetInt32()).ToList();
        Assert.Equal(days.Order(), days);
        Assert.InRange(days[0], 13, 15);

        File.Delete(Path.Combine(crypto, "orgs", "Bank", "nodes", "bank-node2", "tls.crt"));
        var warned = await ChainBinary.RunAsync("crypto", "check", "--network", Repo.SampleNetworkFile, "--crypto", crypto, "-o", "json");
        Assert.Equal(1, warned.ExitCode);
        var statuses = JsonDocument.Parse(warned.StdOut).RootElement.EnumerateArray().ToDictionary(r => r.GetProperty("name").GetString()!, r => r.GetProperty("status").GetString());
        Assert.Equal("missing", statuses["bank-node2"]);
        Assert.Equal("expires soon", statuses["bank-node1"]);
        Assert.Equal("ok", statuses["Bank"]);
        Assert.Contains("warning: node TLS certificate of bank-node1", warned.StdErr);
    }
}
