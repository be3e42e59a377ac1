namespace Chain.Node.Membership;

/// <summary>
/// A signature policy in the Fabric style. Leaves are principals <c>Org.role</c>; <c>OutOf(n, …)</c>
/// needs n of its parts; <c>AND</c> and <c>OR</c> are OutOf(all) and OutOf(1). Implicit-meta rules
/// (<c>ANY|ALL|MAJORITY role</c>) count organisations of the channel that have a signer with the role.
/// </summary>
internal abstract record Policy
{
    /// <summary>
    /// True when the signers satisfy the policy. As in Fabric, each signer counts for at most one principal
    /// of the whole policy, so one signature cannot stand in for two required parties.
    /// </summary>
    public bool IsSatisfiedBy(IReadOnlyList<Identity> signers, IReadOnlyCollection<string> channelOrgs) =>
        Assignments(signers, channelOrgs, new bool[signers.Count]).Any();

    /// <summary>
    /// Every way to satisfy this policy from the signers not yet used: each result is the set of used
    /// signers afterwards. Policies and signer lists are small, so exploring them all stays cheap, and it
    /// finds an assignment whenever one exists (a greedy match would not).
    /// </summary>
    internal abstract IEnumerable<bool[]> Assignments(IReadOnlyList<Identity> signers, IReadOnlyCollection<string> channelOrgs, bool[] used);

    /// <summary>The principals this policy mentions, for error messages and config validation.</summary>
    public abstract IEnumerable<Principal> Principals();
}

/// <summary>Who signed: an account's organisation and roles, as enrolled on the channel.</summary>
internal sealed record Identity(string Address, string Org, IReadOnlySet<string> Roles);

internal sealed record Principal(string Org, string Role) : Policy
{
    internal override IEnumerable<bool[]> Assignments(IReadOnlyList<Identity> signers, IReadOnlyCollection<string> channelOrgs, bool[] used)
    {
        for (int i = 0; i < signers.Count; i++)
        {
            if (used[i] || !Matches(signers[i])) continue;
            var next = (bool[])used.Clone();
            next[i] = true;
            yield return next;
        }
    }

    public bool Matches(Identity identity) =>
        string.Equals(identity.Org, Org, StringComparison.Ordinal) && (Role == Roles.Member || identity.Roles.Contains(Role));

    public override IEnumerable<Principal> Principals() => [this];
    public override string ToString() => $"{Org}.{Role}";
}

internal sealed record OutOf(int Required, IReadOnlyList<Policy> Parts, string Name = "OutOf") : Policy
{
    internal override IEnumerable<bool[]> Assignments(IReadOnlyList<Identity> signers, IReadOnlyCollection<string> channelOrgs, bool[] used) =>
        Search(0, 0, signers, channelOrgs, used);

    // Either satisfy part i (in each possible way) and go on, or skip it; stop as soon as enough parts hold.
    private IEnumerable<bool[]> Search(int part, int satisfied, IReadOnlyList<Identity> signers, IReadOnlyCollection<string> channelOrgs, bool[] used)
    {
        if (satisfied >= Required) { yield return used; yield break; }
        if (part == Parts.Count || satisfied + (Parts.Count - part) < Required) yield break;
        foreach (var after in Parts[part].Assignments(signers, channelOrgs, used))
            foreach (var result in Search(part + 1, satisfied + 1, signers, channelOrgs, after)) yield return result;
        foreach (var result in Search(part + 1, satisfied, signers, channelOrgs, used)) yield return result;
    }

    public override IEnumerable<Principal> Principals() => Parts.SelectMany(p => p.Principals());

    public override string ToString() => Name switch
    {
        "AND" or "OR" => $"{Name}({string.Join(", ", Parts)})",
        _ => $"OutOf({Required}, {string.Join(", ", Parts)})",
    };
}

internal enum MetaRule { Any, All, Majority }

internal sealed record ImplicitMeta(MetaRule Rule, string Role) : Policy
{
    internal override IEnumerable<bool[]> Assignments(IReadOnlyList<Identity> signers, IReadOnlyCollection<string> channelOrgs, bool[] used)
    {
        int orgs = channelOrgs.Count;
        if (orgs == 0) yield break;
        int present = channelOrgs.Count(org => signers.Any(s => new Principal(org, Role).Matches(s)));
        int required = Rule switch { MetaRule.Any => 1, MetaRule.All => orgs, _ => orgs / 2 + 1 };
        if (present >= required) yield return used;
    }

    public override IEnumerable<Principal> Principals() => [];
    public override string ToString() => $"{Rule.ToString().ToUpperInvariant()} {Role}";
}

/// <summary>Role names with a meaning of their own.</summary>
internal static class Roles
{
    /// <summary>Every enrolled account of an organisation has it implicitly.</summary>
    public const string Member = "member";
    /// <summary>May enrol and revoke the organisation's members and sign configuration updates.</summary>
    public const string Admin = "admin";
}
