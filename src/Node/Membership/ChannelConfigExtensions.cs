using Chain.Protocol;

namespace Chain.Node.Membership;

/// <summary>Questions every part of the node asks of a channel configuration, answered in one place.</summary>
internal static class ChannelConfigExtensions
{
    /// <summary>"raft" when the configuration says so, else "solo" (an empty field means solo).</summary>
    public static string ConsensusKind(this ChannelConfig config) => config.Consensus is "raft" ? "raft" : "solo";

    /// <summary>The consenter whose signing key has <paramref name="address"/>, or null.</summary>
    public static ConsenterConfig? ConsenterOf(this ChannelConfig config, ReadOnlySpan<byte> address)
    {
        foreach (var consenter in config.Consenters)
            if (consenter.Address.Span.SequenceEqual(address)) return consenter;
        return null;
    }

    public static bool IsConsenter(this ChannelConfig config, ReadOnlySpan<byte> address) => Sdk.Verification.ChannelConfigs.IsConsenter(config, address);

    /// <summary>Null when every signature of <paramref name="block"/> is by a consenter of this configuration, else "signed by …, which is not a consenter …".</summary>
    public static string? CheckSigners(this ChannelConfig config, Block block)
    {
        foreach (var signature in block.Signatures)
            if (!config.IsConsenter(signature.Signer.Span))
                return $"signed by {Sdk.Crypto.Address.ToText(signature.Signer.Span)}, which is not a consenter of configuration {config.Sequence}";
        return null;
    }

    public static bool HasOrganization(this ChannelConfig config, string name) => config.Organizations.Any(o => o.Name == name);

    public static OrganizationConfig? Organization(this ChannelConfig config, string name) => config.Organizations.FirstOrDefault(o => o.Name == name);
}
