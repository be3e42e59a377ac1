using Chain.Node.Channels;
using Chain.Node.Configuration;
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
        _observer = new ChannelRuntime(new ChannelSettings { Name = LedgerHarness.Channel, Observe = true }, genesis,
            ChannelLedger.Open(_dir.Combine("observer"), LedgerHarness.Channel), AccountKey.Generate(), TimeProvider.System, NullLogger.Instance, _ => { });
    }

    public void Dispose()
    {
        _observer.Dispose();
        _leader.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public void ABlockThatLinksAndIsSignedByAConsenter_IsCommitted()
    {
        Assert.True(_observer.ApplyPulled(_leader.Commit(Build.Put("a", "1"))));
        Assert.Equal(_leader.Ledger.Head.StateRoot, _observer.Ledger.Head.StateRoot);
        Assert.True(_observer.ApplyPulled(_leader.Ledger.GetBlock(1)!)); // a resent block is skipped
        Assert.Equal(2UL, _observer.Ledger.Height);
    }

    [Fact]
    public void ABlockThatDoesNotLink_StopsFollowing_AndCommitsNothing()
    {
        var block = _leader.Commit(Build.Put("a", "1"));
        var forged = block.Clone();
        forged.Header.PreviousHash = ByteString.CopyFrom(new byte[32]);
        Assert.False(_observer.ApplyPulled(forged));
        Assert.Equal(1UL, _observer.Ledger.Height);
        Assert.False(_observer.ApplyPulled(block)); // halted: the channel no longer follows
        Assert.Throws<ChannelHaltedException>(() => _observer.Admit(Build.Put("b", "2")));
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
        Assert.False(_observer.ApplyPulled(forged));
        Assert.Equal(1UL, _observer.Ledger.Height);
    }
}
