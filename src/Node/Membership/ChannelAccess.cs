using Chain.Contracts.Abstractions;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Chain.Protocol;
using Chain.Sdk.Crypto;

namespace Chain.Node.Membership;

/// <summary>
/// Who may do what on a configured channel, as of one committed state: the configuration, its policies
/// and the enrolments. Built from committed state at the start of each block, so an enrolment or a
/// revocation takes effect from the next block on.
/// </summary>
/// <remarks>Thread-safe; it caches identities and parsed policies for the state it was loaded from.</remarks>
internal sealed class ChannelAccess
{
    private readonly IStateReader _state;
    private readonly Dictionary<string, Policy> _policies = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Policy> _parsed = new(StringComparer.Ordinal);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Identity? Identity, TxRejection? Rejection)> _identities = new(StringComparer.Ordinal);

    private ChannelAccess(IStateReader state, ChannelConfig config)
    {
        _state = state;
        Config = config;
        Organizations = config.Organizations.Select(o => o.Name).ToArray();
        foreach (var policy in config.Policies) _policies[policy.Name] = PolicyParser.Parse(policy.Expression);
    }

    public ChannelConfig Config { get; }
    public IReadOnlyList<string> Organizations { get; }

    /// <summary>Access rules of <paramref name="config"/>, reading enrolments from <paramref name="state"/> (see <see cref="Configuration.ChannelView"/>).</summary>
    public static ChannelAccess Of(IStateReader state, ChannelConfig config) => new(state, config);

    public OrganizationConfig? Organization(string name) => Config.Organization(name);

    /// <summary>The enrolled identity of an account, or a NOT_AUTHORIZED rejection saying why it has none.</summary>
    public Identity? IdentityOf(ReadOnlySpan<byte> address, out TxRejection? rejection)
    {
        var key = Hashes.ToHex(address);
        if (!_identities.TryGetValue(key, out var known))
        {
            var text = Address.ToText(address);
            var enrollment = SystemState.ReadMember(_state, address);
            var adminOf = AdminOrganization(address);
            known = enrollment switch
            {
                _ when adminOf is not null => (new Identity(text, adminOf,
                    new HashSet<string>(StringComparer.Ordinal) { Roles.Admin, Roles.Member }.Concat(enrollment is { Revoked: false } e && e.Organization == adminOf ? e.Roles : []).ToHashSet(StringComparer.Ordinal)), null),
                null => (null, new TxRejection(ValidationCode.NotAuthorized, $"account {text} is not enrolled on channel '{Config.Channel}'")),
                { Revoked: true } => (null, new TxRejection(ValidationCode.NotAuthorized, $"account {text} was revoked by {enrollment.Organization} in block {enrollment.Block}")),
                _ when !Organizations.Contains(enrollment.Organization) => (null, new TxRejection(ValidationCode.NotAuthorized, $"account {text} belongs to {enrollment.Organization}, which is not a member of channel '{Config.Channel}'")),
                _ => (new Identity(text, enrollment.Organization, enrollment.Roles.Append(Roles.Member).ToHashSet(StringComparer.Ordinal)), null),
            };
            // Only enrolled identities are kept: refusals cost a look-up each, so random addresses cannot fill the cache.
            if (known.Identity is not null) _identities[key] = known;
        }
        rejection = known.Rejection;
        return known.Identity;
    }

    /// <summary>
    /// The identity of an account whose signature has not been verified yet, or a refusal that says only that the channel
    /// does not know it: why (revoked, which organisation) is told only to a verified signer.
    /// </summary>
    public Identity? ClaimedIdentityOf(ReadOnlySpan<byte> address, out TxRejection? rejection)
    {
        var identity = IdentityOf(address, out rejection);
        if (identity is null) rejection = new TxRejection(ValidationCode.NotAuthorized, $"account {Address.ToText(address)} is not enrolled on channel '{Config.Channel}'");
        return identity;
    }

    /// <summary>The organisation whose configuration lists this account as an admin, if any.</summary>
    public string? AdminOrganization(ReadOnlySpan<byte> address)
    {
        foreach (var org in Config.Organizations)
            foreach (var admin in org.Admins)
                if (admin.Span.SequenceEqual(address)) return org.Name;
        return null;
    }

    /// <summary>
    /// Checks that every function's access rule parses (a rule without '.', '(' or a space names a channel
    /// policy); run at start-up so a bad rule stops the node instead of refusing calls later.
    /// </summary>
    public static void ValidateAccessRules(ContractRegistry contracts)
    {
        foreach (var name in contracts.Names)
        {
            contracts.TryGet(name, out var contract);
            foreach (var function in contract.Functions.Values)
            {
                if (function.Access is not { } access || !IsExpression(access)) continue;
                if (!PolicyParser.TryParse(access, out _, out var error))
                    throw new Configuration.ConfigException($"contract {name}, function {function.Name}: access rule is not a policy: {error}");
            }
        }
    }

    private static bool IsExpression(string access) => access.Contains('.') || access.Contains('(') || access.Contains(' ');

    /// <summary>Checks the function's access rule against the signer; null when allowed.</summary>
    public TxRejection? Authorize(Identity identity, string contract, ContractFunction function) =>
        function.Access is { } access && Check(identity, access, $"{contract}.{function.Name}", "signer") is { } refusal
            ? new TxRejection(ValidationCode.NotAuthorized, refusal)
            : null;

    /// <summary>
    /// Checks an access rule (a channel policy's name or a policy expression) against one identity; null when it holds,
    /// else why not, naming <paramref name="subject"/>, the rule and who the <paramref name="who"/> is.
    /// </summary>
    public string? Check(Identity identity, string access, string subject, string who)
    {
        if (Resolve(access) is not var (policy, described))
            return $"{subject} requires the channel policy '{access}', which channel '{Config.Channel}' does not define";
        if (policy.IsSatisfiedBy([identity], Organizations)) return null;
        var roles = string.Join(", ", identity.Roles.Order(StringComparer.Ordinal));
        return $"{subject} requires {described}; {who} {identity.Address} is {identity.Org} with roles {roles}";
    }

    private (Policy Policy, string Described)? Resolve(string access)
    {
        if (_policies.TryGetValue(access, out var named)) return (named, $"the channel policy '{access}' ({named})");
        if (ReadAccess.DefaultOf(access, Config) is { } fallback)
        {
            var policy = _parsed.GetOrAdd(fallback, PolicyParser.Parse);
            return (policy, $"the channel policy '{access}' (not defined here, so its default {policy})");
        }
        if (!IsExpression(access)) return null;
        var parsed = _parsed.GetOrAdd(access, PolicyParser.Parse);
        return (parsed, parsed.ToString()!);
    }

    public static Caller CallerOf(Identity identity) => new(identity.Address, identity.Org, (IReadOnlySet<string>)identity.Roles);
}
