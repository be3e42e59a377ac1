using Chain.Node.Channels;
using Chain.Node.Configuration;
using Chain.Node.Consensus;
using Chain.Node.Consensus.Following;
using Chain.Node.Network;
using Chain.Node.Ledger;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Chain.Tests.Node.Channels;

/// <summary>An observed channel commits a pulled block only when it links, and a consenter of the configuration in force signed it.</summary>
public sealed class ApplyPulledTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly LedgerHarness _leader = new(TestNetwork.Config());
    private readonly ChannelRuntime _observer;

    public ApplyPulledTests()
    {
        var genesis = _dir.Combine("sandbox.genesis");
        File.WriteAllBytes(genesis, _leader.Ledger.GetBlock(0)!.ToByteArray());
        var settings = new ChannelSettings { Name = LedgerHarness.Channel, Observe = true };
        _observer = ChannelBootstrap.Open(settings, genesis, ChannelLedger.Open(_dir.Combine("observer"), LedgerHarness.Channel), AccountKey.Generate(), TimeProvider.System,
            NullLogger.Instance, _ => { }, support => new FollowingOrderer(support, new BlockPuller(new NodeConfig(), "observer", NullLogger.Instance)));
    }

    public void Dispose()
    {
        _observer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _leader.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void ABlockThatLinksAndIsSignedByAConsenter_IsCommitted()
    {
        Assert.Equal(ApplyOutcome.Applied, Pulled(_leader.Commit(Build.Put("a", "1"))));
        Assert.Equal(_leader.Ledger.Head.StateRoot, _observer.Ledger.Head.StateRoot);
        Assert.Equal(ApplyOutcome.Stale, Pulled(_leader.Ledger.GetBlock(1)!)); // a resent block is skipped
        Assert.Equal(2UL, _observer.Ledger.Height);
    }

    [Fact]
    public void ABlockThatDoesNotLink_StopsFollowing_AndCommitsNothing()
    {
        var block = _leader.Commit(Build.Put("a", "1"));
        var forged = block.Clone();
        forged.Header.PreviousHash = ByteString.CopyFrom(new byte[32]);
        Assert.Equal(ApplyOutcome.Halted, Pulled(forged));
        Assert.Equal(1UL, _observer.Ledger.Height);
        Assert.Equal(ApplyOutcome.Halted, Pulled(block)); // halted: the channel no longer follows
        Assert.Throws<ChannelHaltedException>(() => _observer.Admit(Build.Put("b", "2"), out _));
    }

    [Fact]
    public void ABlockSignedByANonConsenter_IsRefused()
    {
        var block = _leader.Commit(Build.Put("a", "1"));
        var stranger = AccountKey.Generate();
        var forged = block.Clone();
        forged.Header.Proposer = stranger.AddressText;
        forged.Signatures.Clear();
        forged.Signatures.Add(new ConsenterSignature { Signer = ByteString.CopyFrom(stranger.Address), Signature = ByteString.CopyFrom(stranger.Sign(ProtocolHashes.BlockHash(forged.Header))) });
        Assert.Equal(ApplyOutcome.Halted, Pulled(forged));
        Assert.Equal(1UL, _observer.Ledger.Height);
    }

    private ApplyOutcome Pulled(Block block) => _observer.Support.Apply(block, "pulled");
}
