using Chain.Node.Configuration;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Node.Configuration;

public class ConfigTests
{
    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Chain.sln"))) return dir.FullName;
        throw new InvalidOperationException("Chain.sln not found above the test folder");
    }

    [Fact]
    public void ShippedNetworkFile_DefinesBothChannels()
    {
        var network = NetworkConfig.Load(Path.Combine(RepoRoot(), "network-config", "network.json"));
        Assert.Equal(["charity", "demolition-fund"], network.Channels.Select(c => c.Name));
    }

    [Theory]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"nowhere\",\"channels\":[{\"name\":\"charity\"}]}", "listen 'nowhere'")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"channels\":[{\"name\":\"Bad_Name\"}]}", "channel name 'Bad_Name'")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"channels\":[]}", "at least one channel")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"chanels\":[]}", "chanels")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"channels\":[{\"name\":\"a\",\"batch\":{\"maxTxCount\":0}}]}", "maxTxCount 0")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"channels\":[{\"name\":\"a\"},{\"name\":\"a\"}]}", "configured twice")]
    [InlineData("not json", "is not valid")]
    public void InvalidNodeConfig_NamesTheProblem(string json, string expected)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("c.json"), json);
        var error = Assert.Throws<ConfigException>(() => NodeConfig.Load(dir.Combine("c.json")));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void RelativePaths_ResolveAgainstTheConfigFolder()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("c.json"), "{\"listen\":\"127.0.0.1:7000\",\"dataDir\":\"d\",\"channels\":[{\"name\":\"charity\"}]}");
        var config = NodeConfig.Load(dir.Combine("c.json"));
        Assert.Equal(dir.Combine("d"), config.Resolve(config.DataDir));
    }
}
