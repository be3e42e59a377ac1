using Chain.Node.Configuration;

namespace Chain.Tests.TestKit;

/// <summary>Files of the repository the tests run from.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string SampleNetworkFile => Path.Combine(Root, "network-config", "network.yaml");

    public static NetworkDefinition SampleNetwork() => NetworkDefinition.Load(SampleNetworkFile);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Chain.sln"))) return dir.FullName;
        throw new InvalidOperationException("Chain.sln not found above the test folder");
    }
}
