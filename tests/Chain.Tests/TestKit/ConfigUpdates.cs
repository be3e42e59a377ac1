using Chain.Node.Membership;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.TestKit;

/// <summary>Proposing, signing and submitting configuration updates on a configured <see cref="LedgerHarness"/>.</summary>
internal static class ConfigUpdates
{
    public static ChannelConfig Current(LedgerHarness h) => SystemState.ReadConfig(h.Ledger)!;

    /// <summary>The current configuration with sequence + 1 and a change applied.</summary>
    public static ChannelConfig Propose(LedgerHarness h, Action<ChannelConfig> change)
    {
        var proposed = Current(h).Clone();
        proposed.Sequence++;
        proposed.Members.Clear(); // genesis enrolments are not part of an update
        change(proposed);
        return proposed;
    }

    public static ConfigUpdateEnvelope Sign(ChannelConfig proposed, params AccountKey[] admins)
    {
        var envelope = new ConfigUpdateEnvelope { Config = proposed.ToByteString() };
        foreach (var admin in admins)
            envelope.Signatures.Add(new ConfigSignature
            {
                Signer = ByteString.CopyFrom(admin.Address),
                Signature = ByteString.CopyFrom(admin.Sign(ProtocolHashes.ConfigUpdateDigest(envelope.Config.Span))),
            });
        return envelope;
    }

    public static TxResult Submit(LedgerHarness h, ConfigUpdateEnvelope envelope, AccountKey? submitter = null) =>
        Assert.Single(h.Commit(Build.Call("update", $"{{\"envelope\":\"{Convert.ToBase64String(envelope.ToByteArray())}\"}}", submitter ?? TestNetwork.BankAdmin,
            contract: "_config", timestampMs: h.Now)).Results);
}
