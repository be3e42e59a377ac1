using System.Text.Json;
using Chain.Contracts.Abstractions;
using Chain.Node.Configuration;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Sdk.Client;
using Google.Protobuf;

namespace Chain.Node.Membership;

/// <summary>
/// Configuration updates (the `_config` system contract). An update carries the complete new configuration
/// with sequence = current + 1 and the signatures of the admins who approve it; it applies only if those
/// signers satisfy the current configuration's "admins" policy, and takes effect from the next block.
/// </summary>
internal sealed class ConfigContract : Contract
{
    public const string ContractName = SystemContracts.Config;
    public const string AdminsPolicy = "admins";
    private readonly Configuration.ChannelViews _views;

    public override string Name => ContractName;

    /// <param name="views">The configuration in force; during a block, the one committed before it.</param>
    public ConfigContract(Configuration.ChannelViews views)
    {
        _views = views;
        Register("update", FunctionKind.Invoke, ParseEnvelope, Update, "ANY admin");
        Register("get", FunctionKind.Query, _ => 0, (context, _) => context.GetState(SystemState.ConfigKey)
            is { } bytes ? System.Text.Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(ChannelConfig.Parser.ParseFrom(bytes))) : throw new ContractException(ContractErrors.NotFound, "channel has no configuration"));
    }

    private byte[]? Update(ContractContext context, ConfigUpdateEnvelope envelope)
    {
        var access = _views.Current.Access ?? throw new ContractException(ContractErrors.NotFound, "channel has no configuration to update");
        var current = access.Config;
        ChannelConfig proposed;
        try { proposed = ChannelConfig.Parser.ParseFrom(envelope.Config); }
        catch (InvalidProtocolBufferException e) { throw new ContractException(ContractErrors.BadArgs, $"proposed configuration does not decode: {e.Message}"); }

        if (proposed.Channel != current.Channel) throw new ContractException(ContractErrors.BadArgs, $"update is for channel '{proposed.Channel}', not '{current.Channel}'");
        if (proposed.Sequence != current.Sequence + 1)
            throw new ContractException(ContractErrors.Conflict, $"update has sequence {proposed.Sequence}, the next is {current.Sequence + 1} (the configuration changed since it was proposed)");
        // The view is the configuration before this block: an earlier update in the same block already took the next
        // sequence, so this one is refused (one configuration per sequence, and per block, along the chain).
        if (context.GetState(SystemState.ConfigKey) is { } stored && ChannelConfig.Parser.ParseFrom(stored).Sequence != current.Sequence)
            throw new ContractException(ContractErrors.Conflict, $"an earlier transaction of this block already updated the configuration to sequence {current.Sequence + 1}; propose again against it");
        if (proposed.Contract.Name != current.Contract.Name)
            throw new ContractException(ContractErrors.BadArgs, $"changing the channel's contract ('{current.Contract.Name}' to '{proposed.Contract.Name}') is not supported");
        if (proposed.Members.Count > 0) throw new ContractException(ContractErrors.BadArgs, "an update cannot enrol members; admins enrol them with _members.enroll");
        ConfigShape.Validate(proposed);
        ValidateConsenterChange(current, proposed);

        var signers = VerifySignatures(envelope, access);
        var policy = PolicyParser.Parse(current.Policies.First(p => p.Name == AdminsPolicy).Expression);
        if (!policy.IsSatisfiedBy(signers, access.Organizations))
            throw new ContractException(ContractErrors.NotAuthorized,
                $"the update needs the '{AdminsPolicy}' policy ({policy}); signed by {(signers.Count == 0 ? "nobody" : string.Join(", ", signers.Select(s => $"{s.Org} admin {s.Address}")))}, " +
                $"{signers.Select(s => s.Org).Distinct().Count()} of {access.Organizations.Count} organisations");

        context.PutState(SystemState.ConfigKey, proposed.ToByteArray());
        context.Emit(new ConfigUpdated(proposed.Sequence, proposed.Organizations.Select(o => o.Name).ToArray(), signers.Select(s => s.Address).ToArray()));
        return null;
    }

    /// <summary>Every signature must verify and come from a current admin; one signature per admin counts.</summary>
    private static List<Identity> VerifySignatures(ConfigUpdateEnvelope envelope, ChannelAccess access)
    {
        var digest = ProtocolHashes.ConfigUpdateDigest(envelope.Config.Span);
        var signers = new List<Identity>();
        foreach (var signature in envelope.Signatures)
        {
            var claimed = Address.ToText(signature.Signer.Span);
            var recovered = Signatures.TryRecoverAddress(digest, signature.Signature.Span, out var error);
            if (recovered is null || !recovered.AsSpan().SequenceEqual(signature.Signer.Span))
                throw new ContractException(ContractErrors.NotAuthorized, $"the signature of {claimed} on the update does not verify ({error ?? "signed by another key or over other content"})");
            if (access.AdminOrganization(recovered) is null)
                throw new ContractException(ContractErrors.NotAuthorized, $"{claimed} signed the update but is not an admin of any channel organisation");
            if (signers.Any(s => s.Address == claimed)) continue;
            var identity = access.IdentityOf(recovered, out _)!;
            signers.Add(identity);
        }
        return signers;
    }

    /// <summary>
    /// The ordering service cannot be swapped by an update, and Raft membership changes one consenter at a time
    /// (add or remove one), which Raft applies as a single-server change while the channel keeps committing.
    /// </summary>
    private static void ValidateConsenterChange(ChannelConfig current, ChannelConfig proposed)
    {
        static string Consensus(ChannelConfig c) => c.Consensus is "raft" ? "raft" : "solo";
        if (Consensus(current) != Consensus(proposed))
            throw new ContractException(ContractErrors.BadArgs, $"proposed configuration: changing consensus from {Consensus(current)} to {Consensus(proposed)} is not supported");
        // A consenter's pinned TLS certificates may change with any update (a renewal lists the old and the new, then the
        // new only); who the consenter is and where it listens change only one consenter at a time.
        static ByteString Member(ConsenterConfig consenter)
        {
            var member = consenter.Clone();
            member.TlsCertificatePem = "";
            return member.ToByteString();
        }
        var before = current.Consenters.Select(Member).ToHashSet();
        var after = proposed.Consenters.Select(Member).ToHashSet();
        int changed = before.Count(b => !after.Contains(b)) + after.Count(a => !before.Contains(a));
        if (Consensus(current) == "raft" && changed > 1)
            throw new ContractException(ContractErrors.BadArgs, $"proposed configuration: add or remove one consenter per update ({changed} consenter entries differ); changing a consenter's identity or address is a removal and an addition, in two updates; its TLS certificates may change with any update");
    }

    private static ConfigUpdateEnvelope ParseEnvelope(ContractArgs args)
    {
        var encoded = args.RequiredString("envelope", 16 * 1024 * 1024);
        try { return ConfigUpdateEnvelope.Parser.ParseFrom(Convert.FromBase64String(encoded)); }
        catch (Exception e) when (e is FormatException or InvalidProtocolBufferException)
        {
            throw new ContractException(ContractErrors.BadArgs, $"'envelope' must be a base64 ConfigUpdateEnvelope ({e.Message})");
        }
    }
}

internal sealed record ConfigUpdated(ulong Sequence, IReadOnlyList<string> Organizations, IReadOnlyList<string> Signers) : IContractEvent;
