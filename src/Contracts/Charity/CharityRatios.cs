using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

/// <summary>
/// Annual spending and management-cost rules (Charity Law 2016 Art 60 / Art 61 after 2023, and the
/// MCA/MOF/SAT 2016 rule; see docs/CHARITY.md, Disclosure, ratios and alerts). Ratios are basis points; all arithmetic is integer.
/// </summary>
public static class CharityRatios
{
    /// <summary>Management cost below 200,000 yuan is exempt from the cap.</summary>
    public const long MgmtExemptionFen = 20_000_000;

    public sealed record Rule(string Basis, int MinSpendBps, int MaxMgmtBps, int MinIncomeSpendBps);

    public sealed record Result(string CharityId, int Year, OrgForm Form, bool PublicFundraising, Rule Rule,
        long IncomePriorYear, long NetAssetsPriorYearEnd, long CharitableSpend, long ManagementSpend, long TotalSpend,
        long RequiredSpend, int SpendBps, int MgmtBps, bool MgmtExempt, IReadOnlyList<string> Breaches);

    /// <summary>The row of the table that applies to an organisation (non-public tiers by net assets at the end of Y−1).</summary>
    public static Rule RuleFor(OrgForm form, bool publicFundraising, long netAssetsPriorYearEnd)
    {
        long yuan = netAssetsPriorYearEnd / 100;
        if (publicFundraising)
            return form == OrgForm.Foundation ? new Rule("income", 7000, 1000, 0) : new Rule("income", 7000, 1300, 0);
        if (form == OrgForm.Foundation)
            return yuan switch
            {
                >= 60_000_000 => new Rule("netAssets", 600, 1200, 0),
                >= 8_000_000 => new Rule("netAssets", 600, 1300, 0),
                >= 4_000_000 => new Rule("netAssets", 700, 1500, 0),
                _ => new Rule("netAssets", 800, 2000, 0),
            };
        return yuan switch
        {
            >= 10_000_000 => new Rule("netAssets", 600, 1300, 0),
            >= 5_000_000 => new Rule("netAssets", 700, 1400, 0),
            >= 1_000_000 => new Rule("netAssets", 800, 1500, 0),
            _ => new Rule("netAssets", 800, 2000, 5000),
        };
    }

    public static Result Evaluate(Org org, int year, long incomePriorYear, long netAssetsPriorYearEnd, long charitableSpend, long managementSpend, long totalSpend)
    {
        var rule = RuleFor(org.Form, org.PublicFundraising, netAssetsPriorYearEnd);
        long basis = rule.Basis == "income" ? incomePriorYear : netAssetsPriorYearEnd;
        long required = Bps(basis, rule.MinSpendBps);
        if (rule.MinIncomeSpendBps > 0) required = Math.Max(required, Bps(incomePriorYear, rule.MinIncomeSpendBps));
        int spendBps = Ratio(charitableSpend, basis);
        int mgmtBps = Ratio(managementSpend, totalSpend);
        bool exempt = managementSpend < MgmtExemptionFen;
        var breaches = new List<string>();
        if (charitableSpend < required)
            breaches.Add($"charitable spending {Money.Format(charitableSpend)} is below the required {rule.MinSpendBps / 100m}% of {rule.Basis} {Money.Format(basis)} = {Money.Format(required)}");
        if (!exempt && (Int128)managementSpend * 10_000 > (Int128)rule.MaxMgmtBps * totalSpend) // exact: the rounded ratio could hide a small breach
            breaches.Add($"management cost {Money.Format(managementSpend)} is {mgmtBps / 100m}% of total spending {Money.Format(totalSpend)}, above the {rule.MaxMgmtBps / 100m}% cap");
        return new Result(org.OrgId, year, org.Form, org.PublicFundraising, rule, incomePriorYear, netAssetsPriorYearEnd, charitableSpend, managementSpend, totalSpend,
            required, spendBps, mgmtBps, exempt, breaches);
    }

    private static long Bps(long amount, int bps) => (long)((Int128)amount * bps / 10_000);

    private static int Ratio(long part, long whole) => whole <= 0 ? 0 : (int)((Int128)part * 10_000 / whole);
}
