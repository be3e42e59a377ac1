using Chain.Node.Membership;
using Xunit;

namespace Chain.Tests.Node.Membership;

public class PolicyTests
{
    private static readonly string[] ChannelOrgs = ["Bank", "CivilAffairs", "CharityA", "AuditBureau"];

    private static Identity Id(string org, params string[] roles) => new($"0x{org}{string.Join("", roles)}", org, roles.ToHashSet());

    private static bool Eval(string policy, params Identity[] signers) => PolicyParser.Parse(policy).IsSatisfiedBy(signers, ChannelOrgs);

    [Theory]
    [InlineData("Bank.bank", true)]
    [InlineData("'Bank.bank'", true)]
    [InlineData("Bank.member", true)]
    [InlineData("CivilAffairs.member", false)]
    [InlineData("Bank.admin", false)]
    [InlineData("OR(CivilAffairs.regulator, Bank.bank)", true)]
    [InlineData("AND(Bank.bank, CivilAffairs.regulator)", false)]
    [InlineData("OutOf(1, CivilAffairs.regulator, Bank.bank)", true)]
    [InlineData("and(Bank.bank, or(Bank.member, AuditBureau.auditor))", false)] // one signature serves one principal only
    public void SingleBankSigner(string policy, bool expected) => Assert.Equal(expected, Eval(policy, Id("Bank", "bank")));

    [Fact]
    public void OneSignature_DoesNotCountTwice()
    {
        Assert.False(Eval("AND(Bank.bank, Bank.bank)", Id("Bank", "bank")));
        Assert.True(Eval("AND(Bank.bank, Bank.bank)", Id("Bank", "bank"), Id("Bank", "bank", "admin")));
        Assert.False(Eval("OutOf(2, Bank.member, Bank.bank)", Id("Bank", "bank")));
    }

    [Fact]
    public void Matching_BacktracksToFindAnAssignment()
    {
        // The first signer could take Bank.member, leaving Bank.bank unmatched; the search must try the other way.
        Assert.True(Eval("AND(Bank.member, Bank.bank)", Id("Bank", "bank"), Id("Bank", "clerk")));
    }

    [Theory]
    [InlineData("MAJORITY admin", 3, true)]
    [InlineData("MAJORITY admin", 2, false)]
    [InlineData("ANY admin", 1, true)]
    [InlineData("ALL admin", 3, false)]
    [InlineData("ALL admin", 4, true)]
    public void ImplicitMeta_CountsOrganisations(string policy, int orgsSigning, bool expected)
    {
        var signers = ChannelOrgs.Take(orgsSigning).Select(org => Id(org, "admin")).Append(Id("Bank", "admin")).ToArray();
        Assert.Equal(expected, Eval(policy, signers));
    }

    [Fact]
    public void ImplicitMeta_IgnoresSignersOfOtherOrgs() =>
        Assert.False(Eval("ANY admin", Id("Outsider", "admin")));

    [Theory]
    [InlineData("", "column 1: expected a principal")]
    [InlineData("Bank", "column 5: expected '.' between organisation 'Bank'")]
    [InlineData("Bank.", "column 6: expected a role name")]
    [InlineData("AND(Bank.bank", "column 14: expected ')'")]
    [InlineData("AND(Bank.bank,)", "column 15: expected a principal")]
    [InlineData("OutOf(x, Bank.bank)", "column 7: expected a whole number")]
    [InlineData("OutOf(3, Bank.bank, Audit.auditor)", "OutOf needs between 1 and 2")]
    [InlineData("Bank.bank extra", "column 11: expected end of policy")]
    [InlineData("'Bank.bank", "column 11: expected closing quote")]
    [InlineData("MAJORITY", "column 9: expected a role name after MAJORITY")]
    public void MalformedPolicy_SaysWhereAndWhatWasExpected(string text, string expected)
    {
        var error = Assert.Throws<PolicyParseException>(() => PolicyParser.Parse(text));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void OrgNamedLikeAKeyword_IsStillAPrincipal() =>
        Assert.Equal(new Principal("Any", "admin"), PolicyParser.Parse("Any.admin"));

    // Property tests over random policies and signer sets (seeded, so failures reproduce).
    private static readonly string[] Orgs = ["A", "B", "C", "D", "E"];
    private static readonly string[] RoleNames = ["x", "y"];

    private static Policy RandomPolicy(Random random, int depth)
    {
        if (depth == 0 || random.Next(3) == 0) return new Principal(Orgs[random.Next(Orgs.Length)], RoleNames[random.Next(RoleNames.Length)]);
        var parts = Enumerable.Range(0, random.Next(1, 4)).Select(_ => RandomPolicy(random, depth - 1)).ToList();
        return random.Next(3) switch
        {
            0 => new OutOf(parts.Count, parts, "AND"),
            1 => new OutOf(1, parts, "OR"),
            _ => new OutOf(random.Next(1, parts.Count + 1), parts),
        };
    }

    private static Identity[] RandomSigners(Random random) =>
        Enumerable.Range(0, random.Next(0, 6)).Select(i => new Identity($"s{i}", Orgs[random.Next(Orgs.Length)], RoleNames.Where(_ => random.Next(2) == 0).ToHashSet())).ToArray();

    [Fact]
    public void Property_PrintedPolicyParsesBackToTheSamePolicy()
    {
        var random = new Random(20261127);
        for (int i = 0; i < 2000; i++)
        {
            var policy = RandomPolicy(random, 3);
            Assert.Equal(policy.ToString(), PolicyParser.Parse(policy.ToString()).ToString());
        }
    }

    [Fact]
    public void Property_AddingASignerNeverBreaksASatisfiedPolicy()
    {
        var random = new Random(7);
        for (int i = 0; i < 3000; i++)
        {
            var policy = RandomPolicy(random, 3);
            var signers = RandomSigners(random);
            if (!policy.IsSatisfiedBy(signers, Orgs)) continue;
            var more = signers.Append(new Identity("extra", Orgs[random.Next(Orgs.Length)], new HashSet<string> { "x" })).ToArray();
            Assert.True(policy.IsSatisfiedBy(more, Orgs), $"{policy} lost satisfaction");
        }
    }

    [Fact]
    public void Property_OverDistinctOrgs_AndOrOutOfFollowCounting()
    {
        // With principals of distinct organisations no signer can serve two of them, so
        // AND = all satisfied, OR = any satisfied, OutOf(k) = at least k satisfied.
        var random = new Random(42);
        for (int i = 0; i < 3000; i++)
        {
            var principals = Orgs.OrderBy(_ => random.Next()).Take(random.Next(1, Orgs.Length + 1))
                .Select(org => new Principal(org, RoleNames[random.Next(RoleNames.Length)])).ToList();
            var signers = RandomSigners(random);
            int individually = principals.Count(p => p.IsSatisfiedBy(signers, Orgs));
            int k = random.Next(1, principals.Count + 1);
            Assert.Equal(individually == principals.Count, new OutOf(principals.Count, principals, "AND").IsSatisfiedBy(signers, Orgs));
            Assert.Equal(individually >= 1, new OutOf(1, principals, "OR").IsSatisfiedBy(signers, Orgs));
            Assert.Equal(individually >= k, new OutOf(k, principals).IsSatisfiedBy(signers, Orgs));
        }
    }
}
