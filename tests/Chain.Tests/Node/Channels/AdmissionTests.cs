using Chain.Node.Execution;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.Node.Channels;

/// <summary>Admission on a configured channel, in process: what a flood of transactions from unknown keys costs.</summary>
public sealed class AdmissionTests : IAsyncLifetime
{
    private readonly ScriptedOrderer _orderer = new();
    private ChannelFixture _channel = null!;

    public Task InitializeAsync()
    {
        _channel = new ChannelFixture(TestNetwork.Config(), _ => _orderer);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _channel.DisposeAsync();

    private static Transaction WithGarbageSignature(Transaction tx)
    {
        var garbage = tx.Clone();
        garbage.Signature = ByteString.CopyFrom(Enumerable.Repeat((byte)0x5a, Signatures.Length).ToArray());
        return garbage;
    }

    [Fact]
    public void AnUnenrolledCreator_IsRefusedBeforeItsSignatureIsRecovered()
    {
        // The signature is garbage: had it been recovered first, the answer would be BAD_SIGNATURE.
        var stranger = WithGarbageSignature(Build.Put("k", "v", AccountKey.Generate(), channel: LedgerHarness.Channel));
        var refused = Assert.Throws<TxRejectedException>(() => _channel.Admit(stranger, out _));
        Assert.Equal(ValidationCode.NotAuthorized, refused.Rejection.Code);
        Assert.Contains("is not enrolled on channel", refused.Rejection.Message);

        // An enrolled creator's signature is still checked.
        var forged = WithGarbageSignature(Build.Put("k", "v", TestNetwork.Teller, channel: LedgerHarness.Channel));
        Assert.Equal(ValidationCode.BadSignature, Assert.Throws<TxRejectedException>(() => _channel.Admit(forged, out _)).Rejection.Code);
        Assert.Empty(_orderer.Queued);

        Assert.Null(_channel.Admit(Build.Put("k", "v", TestNetwork.Teller, channel: LedgerHarness.Channel), out var admitted));
        Assert.NotNull(admitted);
    }
}
