using System.Text.Json;
using Chain.Contracts.Abstractions;
using Chain.Contracts.Charity;
using Chain.Contracts.DemolitionFund;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Contracts;

/// <summary>
/// The public view: every query's access rule, stated here so that a change to who may read what is a visible change to
/// this test; and the public queries' answers hold only the fields listed, never a person's reference.
/// </summary>
public class PublicViewTests
{
    private const string Public = ContractFunction.PublicAccess, Readers = ContractFunction.DefaultQueryAccess;

    public static TheoryData<string, string, string> Rules => new()
    {
        { "charity", "GetOrg", Public }, { "charity", "GetCampaign", Public }, { "charity", "ListCampaigns", Public }, { "charity", "CampaignLedger", Public },
        { "charity", "BalanceSheet", Public }, { "charity", "AnnualRatios", Public }, { "charity", "FieldUnits", Public }, { "charity", "PublicTraceDonation", Public }, { "charity", "ListDisclosures", Public },
        { "charity", "DonorStatement", CharityContract.DonorStatementAccess },
        { "charity", "GetDonation", Readers }, { "charity", "GetDisbursement", Readers }, { "charity", "GetPool", Readers }, { "charity", "GetLot", Readers },
        { "charity", "TraceDonation", Readers }, { "charity", "TraceDisbursement", Readers }, { "charity", "OverdueDisclosures", Readers },
        { "charity", "IdleFunds", Readers }, { "charity", "PayeeAcrossCharities", Readers }, { "charity", "RelatedPartyHits", Readers },
        { "charity", "UnevidencedOrSelfApproved", Readers }, { "charity", "ListRelatedParties", Readers }, { "charity", "CheckInvariants", Readers },
        { "demolition-fund", "BudgetStatus", Public }, { "demolition-fund", "PublishedList", Public }, { "demolition-fund", "FieldUnits", Public },
        { "demolition-fund", "GetProject", Readers }, { "demolition-fund", "GetHousehold", Readers }, { "demolition-fund", "GetAgreement", Readers },
        { "demolition-fund", "GetPayment", Readers }, { "demolition-fund", "PaymentsOfProject", Readers }, { "demolition-fund", "HouseholdFile", Readers },
        { "demolition-fund", "HouseholdsPaidTwice", Readers }, { "demolition-fund", "PaymentsWithoutApprovedAgreement", Readers },
        { "demolition-fund", "SelfApprovedOrSameActor", Readers }, { "demolition-fund", "IdleFunds", Readers }, { "demolition-fund", "OverduePayments", Readers },
        { "demolition-fund", "AppraisalDeviations", Readers }, { "demolition-fund", "UnpublishedPaidHouseholds", Readers }, { "demolition-fund", "PayeeMismatches", Readers },
        { "demolition-fund", "CheckInvariants", Readers }, { "demolition-fund", "ActorActivity", Readers },
    };

    private static Contract ContractNamed(string name) => name == CharityContract.ContractName ? new CharityContract() : new FundContract();

    [Theory]
    [MemberData(nameof(Rules))]
    public void EveryQueryHasItsStatedRule(string contract, string function, string rule) =>
        Assert.Equal(rule, ContractNamed(contract).Functions[function].Access);

    [Theory]
    [InlineData("charity")]
    [InlineData("demolition-fund")]
    public void EveryQueryIsStated(string contract)
    {
        var stated = Rules.Select(r => ((string)r[0], (string)r[1])).Where(r => r.Item1 == contract).Select(r => r.Item2).Order(StringComparer.Ordinal);
        var queries = ContractNamed(contract).Functions.Values.Where(f => f.Kind == FunctionKind.Query).Select(f => f.Name).Order(StringComparer.Ordinal);
        Assert.Equal(string.Join(", ", queries), string.Join(", ", stated));
    }

    /// <summary>Every property name anywhere in <paramref name="answer"/>.</summary>
    private static SortedSet<string> FieldsOf(JsonElement answer)
    {
        var fields = new SortedSet<string>(StringComparer.Ordinal);
        void Walk(JsonElement e)
        {
            if (e.ValueKind == JsonValueKind.Object) foreach (var p in e.EnumerateObject()) { fields.Add(p.Name); Walk(p.Value); }
            else if (e.ValueKind == JsonValueKind.Array) foreach (var item in e.EnumerateArray()) Walk(item);
        }
        Walk(answer);
        return fields;
    }

    private static IEnumerable<string> StringsOf(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => StringsOf(p.Value)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(StringsOf),
        JsonValueKind.String => [e.GetString()!],
        _ => [],
    };

    private static void AssertPublic(JsonElement answer, string allowed, IEnumerable<string> secrets)
    {
        var unexpected = FieldsOf(answer).Except(allowed.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.True(unexpected.Count == 0, "fields not in the public list: " + string.Join(" ", unexpected) + "\nall: " + string.Join(" ", FieldsOf(answer)));
        var leaked = StringsOf(answer).Intersect(secrets).ToList();
        Assert.True(leaked.Count == 0, "a person's reference in a public answer: " + string.Join(", ", leaked));
    }

    [Fact]
    public void CharityPublicAnswers_HoldOnlyTheirListedFields_AndNoPersonsReference()
    {
        var world = new CharityWorld();
        world.OpenCampaign("C1");
        world.Donate("D1", 300_000, donor: "donor-a");
        world.Donate("D2", 200_000, donor: "donor-b", anonymous: true);
        world.Spend("P1", "C:C1", 100_000, payee: "supplier-x");
        string[] secrets = [CharityWorld.Hash("donor-a"), CharityWorld.Hash("donor-b"), CharityWorld.Hash("supplier-x")];
        int year = DateTimeOffset.FromUnixTimeMilliseconds(world.Host.Now).Year;

        AssertPublic(world.Host.Query("GetOrg", new { orgId = CharityWorld.Foundation }),
            "orgId type name uscc form publicFundraising status dualApprovalThreshold idleDays accountBank registeredAt relatedParties", secrets);
        AssertPublic(world.Host.Query("GetCampaign", new { campaignId = "C1" }), CampaignFields + " campaign pool poolId balance reserved", secrets);
        AssertPublic(world.Host.Query("ListCampaigns", new { charityId = CharityWorld.Foundation }), CampaignFields + " items next", secrets);
        AssertPublic(world.Host.Query("CampaignLedger", new { campaignId = "C1" }),
            "campaignId charityId title status restricted totals pool poolId balance reserved inflows outflows balanced entries kind id at in out detail next " + CampaignFields, secrets);
        AssertPublic(world.Host.Query("BalanceSheet", new { charityId = CharityWorld.Foundation }),
            "charityId pools poolId kind campaignId balance reserved restricted unrestricted subGrants total income refunds outByCategory charitable management fundraising other", secrets);
        AssertPublic(world.Host.Query("AnnualRatios", new { charityId = CharityWorld.Foundation, year }),
            "charityId year form publicFundraising basis rule ledger incomePriorYear netAssetsPriorYearEnd charitableSpend managementSpend totalSpend spendBps mgmtBps " +
            "minSpendBps minIncomeSpendBps maxMgmtBps mgmtExempt requiredSpend breaches", secrets);
        foreach (var donation in new[] { "D1", "D2" })
        {
            var trace = world.Host.Query("PublicTraceDonation", new { donationId = donation });
            AssertPublic(trace, "donation donationId charityId campaignId purposeCode amount refunded donor anonymous valueDate confirmedAt paid remaining truncated tree " +
                "lotId poolId owner restrictedTo createdAt uses type id category payeeType status paidAt evidence lots kind hash uri reason", secrets);
            // The same money as the full trace.
            var full = world.Host.Query("TraceDonation", new { donationId = donation });
            foreach (var total in new[] { "paid", "refunded", "remaining" }) Assert.Equal(full.GetProperty(total).GetInt64(), trace.GetProperty(total).GetInt64());
        }
        world.Host.Invoke(world.Officer1, "PublishDisclosure", new { scope = "Campaign", id = "C1", kind = "Periodic", period = "2026-Q1", reportHash = CharityWorld.Hash("report") });
        var disclosures = world.Host.Query("ListDisclosures", new { scope = "Campaign", id = "C1" });
        AssertPublic(disclosures, "items scope id seq kind period reportHash publishedAt by next", secrets);
        Assert.Single(disclosures.GetProperty("items").EnumerateArray());
        Assert.Equal("anonymous", world.Host.Query("PublicTraceDonation", new { donationId = "D2" }).GetProperty("donation").GetProperty("donor").GetString());
    }

    [Fact]
    public void FundPublicAnswers_HoldOnlyTheirListedFields_AndNoPersonsReference()
    {
        var world = new FundWorld();
        world.DecidedProject(budget: 2_000_000);
        world.Household("H1");
        world.CloseSurvey();
        world.Agreed("A1", "H1");
        world.Pay("PAY1", "A1", "H1", 1, 1_050_000);
        world.Host.Invoke(world.Reviewer, "PublishHouseholdList", new { projectId = FundWorld.P, round = 1, listHash = CharityWorld.Hash("round 1"), hhIds = new[] { "H1" } });
        string[] secrets = [FundWorld.Holder("H1"), FundWorld.PayeeAccount("H1")];

        AssertPublic(world.Host.Query("BudgetStatus", new { projectId = FundWorld.P }),
            "projectId status budget deposited committed paid pending pendingPayments pendingReturns returned balance owed idle fundedBps committedBps paidBps balanced", secrets);
        // "by" is the publishing organisation, as on a paper notice.
        AssertPublic(world.Host.Query("PublishedList", new { projectId = FundWorld.P, round = 1 }), "projectId round listHash hhIds publishedAt publishedBlock by", secrets);
    }

    private const string CampaignFields = "campaignId charityId title purposeCode restricted public target startAt endAt planHash filingNo status createdAt openedAt " +
        "mgmtFeeCapBps leftoverRule noInvest disclosureEveryDays finalDisclosed ledgerLines totals received receivedUnrestricted allocatedIn movedIn movedOut paid paidCharitable " +
        "paidManagement paidFundraising paidOther paidFromUnrestricted refunded managementCommitted approvedUnpaid";
}
