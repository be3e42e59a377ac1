using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Xunit;
using static Chain.Tests.TestKit.TestNetwork;

namespace Chain.Tests.Node.Membership;

public class ConsenterTests
{
    [Fact]
    public void Verify_AcceptsBlocksOfTheConsenter_AndNamesABlockSignedByAnyoneElse()
    {
        using var h = new LedgerHarness(Config());
        h.Commit(Build.Put("a", "1", Teller, timestampMs: h.Now));
        var rule = new ConsenterRule();
        Assert.Null(rule.Check(h.Ledger.GetBlock(0)!));
        Assert.Null(rule.Check(h.Ledger.GetBlock(1)!));

        // The same block re-signed by an outsider that claims to be the proposer.
        var outsider = AccountKey.Generate();
        var forged = h.Ledger.GetBlock(1)!.Clone();
        forged.Header.Proposer = outsider.AddressText;
        forged.Signatures.Clear();
        forged.Signatures.Add(new ConsenterSignature { Signer = ByteString.CopyFrom(outsider.Address), Signature = ByteString.CopyFrom(outsider.Sign(ProtocolHashes.BlockHash(forged.Header))) });
        Assert.Contains($"signed by {outsider.AddressText}, which is not a consenter", rule.Check(forged));
    }

    [Fact]
    public void NodeRemovedFromTheConsenters_StopsCuttingBlocks()
    {
        using var h = new LedgerHarness(Config());
        var proposed = ConfigUpdates.Propose(h, c => c.Consenters[0].Address = ByteString.CopyFrom(AccountKey.Generate().Address));
        var update = ConfigUpdates.Submit(h, ConfigUpdates.Sign(proposed, BankAdmin, RegulatorAdmin));
        Assert.Equal(ValidationCode.Valid, update.Code);

        var error = Assert.Throws<InvalidOperationException>(() => h.Commit(Build.Put("after", "v", Teller, timestampMs: h.Now)));
        Assert.Contains("is not a consenter of channel 'sandbox'", error.Message);
    }
}
