using Chain.Node.Configuration;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Node.Configuration;

public class ConfigTests
{
    [Fact]
    public void SampleNetwork_DefinesTheOrganisationsAndBothChannels()
    {
        var network = Repo.SampleNetwork();
        Assert.Equal(["charity", "demolition-fund", "sandbox"], network.Channels.Select(c => c.Name));
        Assert.Equal(12, network.Organizations.Count);
        Assert.Equal(["Bank", "CivilAffairs", "CharityFoundation", "CharitySmall", "Executor", "AuditBureau"], network.Channels[0].Organizations);
        Assert.Contains("household", network.Organization("StreetOffice").Roles);
    }

    [Theory]
    [InlineData("organizations: at least one organisation", "organizations: []")]
    [InlineData("channels[0].organizations: organisation 'Nowhere' is not defined", "organizations: [Bank, Nowhere]")]
    [InlineData("organizations[1].nodes[0].port: 127.0.0.1:7051 is already used by node 'bank-node1'", "name: CivilAffairs\n    nodes: [{ name: ca-node, host: 127.0.0.1, port: 7051 }]")]
    [InlineData("channels[0].consenters: channel 'charity' has no consenter", "consenters: []")]
    [InlineData("channels[0].policies.writers: principal 'Bank.pilot' names role 'pilot'", "writers: OR(Bank.pilot, CivilAffairs.regulator)")]
    [InlineData("channels[0].policies.writers: principal 'Appraiser.appraiser' names organisation 'Appraiser', which is not a member", "writers: Appraiser.appraiser")]
    [InlineData("channels[0].policies.writers: at column 14: expected ')'", "writers: AND(Bank.bank")]
    [InlineData("channels[0].contract.name: unknown contract 'Lottery'", "contract: { name: Lottery }")]
    [InlineData("channels[0].consensus: 'pbft' must be 'solo' or 'raft'", "consenters: [bank-node1]\n    consensus: pbft")]
    [InlineData("channels[0].consenters: a node is listed twice", "consenters: [bank-node1, bank-node1]")]
    [InlineData("line ", "organisations: []")]
    public void BadNetworkFile_FailsWithOneLineNamingFileFieldAndProblem(string expected, string change)
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("network.yaml");
        File.WriteAllText(path, Mutate(change));

        var error = Assert.Throws<ConfigException>(() => NetworkDefinition.Load(path));

        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(expected, error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    /// <summary>A small valid network with one change applied by text substitution.</summary>
    private static string Mutate(string change)
    {
        var yaml = """
            organizations:
              - name: Bank
                roles: [admin, bank]
                nodes: [{ name: bank-node1, host: 127.0.0.1, port: 7051 }]
              - name: CivilAffairs
                roles: [admin, regulator]
            channels:
              - name: charity
                contract: { name: kv }
                organizations: [Bank, CivilAffairs]
                consenters: [bank-node1]
                policies:
                  admins: MAJORITY admin
                  writers: OR(Bank.bank, CivilAffairs.regulator)
            """;
        return change switch
        {
            "organizations: []" => "organizations: []\nchannels: []\n",
            "organisations: []" => yaml + "\norganisations: []\n",
            _ when change.StartsWith("organizations: [Bank") => yaml.Replace("organizations: [Bank, CivilAffairs]", change),
            _ when change.StartsWith("name: CivilAffairs") => yaml.Replace("name: CivilAffairs", change),
            _ when change.StartsWith("consenters") => yaml.Replace("consenters: [bank-node1]", change),
            _ when change.StartsWith("writers") => yaml.Replace("writers: OR(Bank.bank, CivilAffairs.regulator)", change),
            _ when change.StartsWith("contract") => yaml.Replace("contract: { name: kv }", change),
            _ => throw new ArgumentException(change),
        };
    }

    [Theory]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"nowhere\",\"channels\":[{\"name\":\"charity\"}]}", "listen 'nowhere'")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"channels\":[{\"name\":\"Bad_Name\"}]}", "channel name 'Bad_Name'")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"channels\":[]}", "at least one channel")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"chanels\":[]}", "chanels")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"channels\":[{\"name\":\"a\",\"batch\":{\"maxTxCount\":0}}]}", "maxTxCount 0")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"channels\":[{\"name\":\"a\"},{\"name\":\"a\"}]}", "configured twice")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"channels\":[{\"name\":\"a\",\"raft\":{\"requestTimeoutMs\":1500}}]}", "raft.requestTimeoutMs 1500 must be positive and below raft.lowerElectionTimeoutMs 1000")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"channels\":[{\"name\":\"a\",\"raft\":{\"snapshotInterval\":1}}]}", "raft.snapshotInterval must be at least 2")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"httpListen\":\"127.0.0.1:7000\",\"channels\":[{\"name\":\"a\"}]}", "httpListen '127.0.0.1:7000' uses the port of listen")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"httpListen\":\"0.0.0.0:7100\",\"channels\":[{\"name\":\"a\"}]}", "httpListen '0.0.0.0:7100' is not a loopback address")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"httpListen\":\"web\",\"channels\":[{\"name\":\"a\"}]}", "httpListen 'web' is not an IP:port address")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"httpListen\":\"127.0.0.1:7100\",\"operationsListen\":\"127.0.0.1:7100\",\"channels\":[{\"name\":\"a\"}]}", "operationsListen '127.0.0.1:7100' uses the port of httpListen")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"telemetry\":{\"otlpEndpoint\":\"collector:4317\"},\"channels\":[{\"name\":\"a\"}]}", "telemetry.otlpEndpoint 'collector:4317' must be an http:// or https:// URL")]
    [InlineData("{\"nodeId\":\"n\",\"listen\":\"127.0.0.1:7000\",\"telemetry\":{\"otlpEndpoint\":\"http://127.0.0.1:4317\",\"protocol\":\"zipkin\"},\"channels\":[{\"name\":\"a\"}]}", "telemetry.protocol 'zipkin' must be 'grpc' or 'http/protobuf'")]
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
