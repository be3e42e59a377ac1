using System.Text.Json;
using Chain.Contracts.Abstractions;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Client;
using Google.Protobuf;

namespace Chain.Node.Membership;

/// <summary>
/// Enrolment of accounts on a configured channel (the `_members` system contract). An organisation's
/// admins enrol and revoke the accounts of their own organisation, with roles the organisation defines.
/// Changes take effect from the next block. State: key = account address (hex), value = Enrollment.
/// </summary>
internal sealed class MembershipContract : Contract
{
    public const string ContractName = SystemContracts.Members;
    private const string AdminAccess = "ANY admin";
    private readonly Configuration.ChannelViews _views;

    public override string Name => ContractName;

    /// <param name="views">The configuration in force; during a block, the one committed before it (configuration and enrolments).</param>
    public MembershipContract(Configuration.ChannelViews views)
    {
        _views = views;
        Register("enroll", FunctionKind.Invoke, args => (Account: ParseAddress(args), Roles: ParseRoles(args)), Enroll, AdminAccess);
        Register("revoke", FunctionKind.Invoke, ParseAddress, Revoke, AdminAccess);
        Register("get", FunctionKind.Query, ParseAddress, Get);
    }

    private byte[]? Enroll(ContractContext context, (byte[] Account, string[] Roles) args)
    {
        var org = RequireAdmin(context);
        var defined = _views.Current.Access!.Organization(org)!.Roles;
        foreach (var role in args.Roles)
            if (!defined.Contains(role)) throw new ContractException(ContractErrors.BadArgs, $"role '{role}' is not one of {org}'s roles ({string.Join(", ", defined)})");
        var key = Hashes.ToHex(args.Account);
        // An account belongs to the organisation that first enrolled it, even after a revocation.
        if (Read(context, key) is { } existing && existing.Organization != org)
            throw new ContractException(ContractErrors.Conflict, $"account {Address.ToText(args.Account)} is enrolled by {existing.Organization}; {org} cannot change it");
        var enrollment = new Enrollment { Address = ByteString.CopyFrom(args.Account), Organization = org, Roles = { args.Roles }, Block = context.BlockNumber };
        context.PutState(key, enrollment.ToByteArray());
        context.Emit(new MemberEnrolled(Address.ToText(args.Account), org, args.Roles));
        return null;
    }

    private byte[]? Revoke(ContractContext context, byte[] account)
    {
        var org = RequireAdmin(context);
        var key = Hashes.ToHex(account);
        var existing = Read(context, key) ?? throw new ContractException(ContractErrors.NotFound, $"account {Address.ToText(account)} is not enrolled");
        if (existing.Organization != org)
            throw new ContractException(ContractErrors.NotAuthorized, $"account {Address.ToText(account)} belongs to {existing.Organization}; only its admins can revoke it");
        if (existing.Revoked) throw new ContractException(ContractErrors.Conflict, $"account {Address.ToText(account)} is already revoked");
        if (string.Equals(Address.ToText(account), context.Caller.Address, StringComparison.OrdinalIgnoreCase))
            throw new ContractException(ContractErrors.Conflict, "an admin cannot revoke its own account");
        existing.Revoked = true;
        existing.Block = context.BlockNumber;
        context.PutState(key, existing.ToByteArray());
        context.Emit(new MemberRevoked(Address.ToText(account), org));
        return null;
    }

    private static byte[]? Get(ContractContext context, byte[] account)
    {
        var enrollment = Read(context, Hashes.ToHex(account)) ?? throw new ContractException(ContractErrors.NotFound, $"account {Address.ToText(account)} is not enrolled");
        return context.Serialize(new
        {
            address = Address.ToText(account), organization = enrollment.Organization, roles = enrollment.Roles.Prepend(Roles.Member).ToArray(),
            revoked = enrollment.Revoked, block = enrollment.Block,
        });
    }

    private static string RequireAdmin(ContractContext context)
    {
        if (!context.Caller.HasRole(Roles.Admin))
            throw new ContractException(ContractErrors.NotAuthorized, $"{context.Caller.Address} is not an admin of {context.Caller.Organization}");
        return context.Caller.Organization;
    }

    private static Enrollment? Read(ContractContext context, string key) => context.GetState(key) is { } bytes ? Enrollment.Parser.ParseFrom(bytes) : null;

    private static byte[] ParseAddress(ContractArgs args) =>
        Address.TryParse(args.RequiredString("address", 42)) ?? throw new ContractException(ContractErrors.BadArgs, "'address' must be a 20-byte hex account address");

    private static string[] ParseRoles(ContractArgs args)
    {
        if (!args.Root.TryGetProperty("roles", out var roles) || roles.ValueKind != JsonValueKind.Array)
            throw new ContractException(ContractErrors.BadArgs, "missing required argument 'roles' (array of role names)");
        var list = roles.EnumerateArray().Select(r => r.ValueKind == JsonValueKind.String ? r.GetString()! : throw new ContractException(ContractErrors.BadArgs, "'roles' must hold strings"))
            .Where(r => r != Roles.Member).Distinct(StringComparer.Ordinal).ToArray();
        if (list.Contains(Roles.Admin)) throw new ContractException(ContractErrors.BadArgs, "the admin role is granted by the channel configuration, not by enrolment");
        return list;
    }
}

internal sealed record MemberEnrolled(string Address, string Organization, IReadOnlyList<string> Roles) : IContractEvent;
internal sealed record MemberRevoked(string Address, string Organization) : IContractEvent;
