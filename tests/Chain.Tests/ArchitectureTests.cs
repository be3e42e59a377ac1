using System.Reflection;
using NetArchTest.Rules;
using Xunit;

namespace Chain.Tests;

/// <summary>
/// The dependency rules of the code base, checked on the compiled assemblies: a change that breaks one fails here,
/// naming the types that broke it and what they depend on.
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Node = typeof(Chain.Node.Hosting.NodeHost).Assembly;
    private static readonly Assembly Contracts = typeof(Chain.Contracts.Abstractions.Contract).Assembly;
    private static readonly Assembly Sdk = typeof(Chain.Sdk.Client.ChainClient).Assembly;
    private static readonly Assembly Cli = typeof(Chain.Cli.Program).Assembly;

    /// <summary>The namespace and every namespace below it.</summary>
    private static string Under(string ns) => "^" + System.Text.RegularExpressions.Regex.Escape(ns) + @"(\..*)?$";

    private static void Holds(TestResult result, string rule)
    {
        var failing = (result.FailingTypes ?? []).Select(t => $"{t.FullName} ({t.Explanation})").ToList();
        Assert.True(result.IsSuccessful, $"{rule}; broken by: {string.Join("; ", failing)}");
    }

    [Fact]
    public void OnlyTheRocksStore_UsesRocksDb()
    {
        Holds(Types.InAssembly(Node).That().DoNotResideInNamespaceMatching(Under("Chain.Node.Storage.Rocks")).ShouldNot().HaveDependencyOnAny("RocksDbSharp").GetResult(),
            "only Chain.Node.Storage.Rocks may use RocksDbSharp");
        Holds(Types.InAssemblies([Contracts, Sdk, Cli]).ShouldNot().HaveDependencyOnAny("RocksDbSharp", "Chain.Node.Storage.Rocks").GetResult(),
            "the SDK, the contracts and the CLI do not touch the store");
    }

    [Fact]
    public void TheNetworkAndConsensusLayers_DoNotDependOnTheGrpcServices()
    {
        Holds(Types.InAssembly(Node).That().ResideInNamespaceMatching(Under("Chain.Node.Network")).ShouldNot().HaveDependencyOnAny("Chain.Node.Rpc").GetResult(),
            "Chain.Node.Network does not reference Chain.Node.Rpc");
        Holds(Types.InAssembly(Node).That().ResideInNamespaceMatching(Under("Chain.Node.Consensus")).ShouldNot().HaveDependencyOnAny("Chain.Node.Rpc", "Chain.Node.Channels").GetResult(),
            "consensus reaches its channel only through IConsenterSupport, and never the gRPC services");
        Holds(Types.InAssembly(Node).That().ResideInNamespaceMatching(Under("Chain.Node.Execution")).ShouldNot().HaveDependencyOnAny("Chain.Node.Rpc", "Chain.Node.Consensus", "Chain.Node.Network", "Chain.Node.Channels").GetResult(),
            "execution depends on the ledger and the configuration in force only");
        Holds(Types.InAssembly(Node).That().ResideInNamespaceMatching(Under("Chain.Node.Storage")).Or().ResideInNamespaceMatching(Under("Chain.Node.Ledger"))
            .ShouldNot().HaveDependencyOnAny("Chain.Node.Rpc", "Chain.Node.Consensus", "Chain.Node.Network", "Chain.Node.Channels", "Chain.Node.Hosting").GetResult(),
            "storage and the ledger depend on nothing above them");
    }

    [Fact]
    public void TheContractSdk_DoesNotKnowTheDomainContracts()
    {
        Holds(Types.InAssembly(Contracts).That().ResideInNamespaceMatching(Under("Chain.Contracts.Abstractions"))
            .ShouldNot().HaveDependencyOnAny("Chain.Contracts.Charity", "Chain.Contracts.DemolitionFund", "Chain.Contracts.Kv", "Chain.Contracts.Domain").GetResult(),
            "Chain.Contracts.Abstractions does not reference a contract or the domain helpers");
        Holds(Types.InAssembly(Contracts).That().ResideInNamespaceMatching(Under("Chain.Contracts.Domain"))
            .ShouldNot().HaveDependencyOnAny("Chain.Contracts.Charity", "Chain.Contracts.DemolitionFund", "Chain.Contracts.Kv").GetResult(),
            "the shared domain helpers do not reference a contract");
        Holds(Types.InAssembly(Contracts).That().ResideInNamespaceMatching(Under("Chain.Contracts.Charity"))
            .ShouldNot().HaveDependencyOnAny("Chain.Contracts.DemolitionFund").GetResult(), "the charity contract does not use the fund contract");
        Holds(Types.InAssembly(Contracts).That().ResideInNamespaceMatching(Under("Chain.Contracts.DemolitionFund"))
            .ShouldNot().HaveDependencyOnAny("Chain.Contracts.Charity").GetResult(), "the fund contract does not use the charity contract");
    }

    [Fact]
    public void TheCli_UsesOnlyTheNodesPublicSurface()
    {
        Holds(Types.InAssembly(Cli).ShouldNot().HaveDependencyOnAny("Chain.Node.Rpc", "Chain.Node.Channels", "Chain.Node.Consensus", "Chain.Node.Execution",
                "Chain.Node.Network", "Chain.Node.Errors", "Chain.Node.Storage.Rocks").GetResult(),
            "the CLI runs and configures nodes (Hosting, Configuration, Membership, Ledger verification) and talks to them over gRPC, never through their internals");
    }
}
