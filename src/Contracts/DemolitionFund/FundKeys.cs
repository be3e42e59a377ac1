using Chain.Contracts.Domain;
using System.Globalization;

namespace Chain.Contracts.DemolitionFund;

/// <summary>Every state key of the demolition-fund contract. Ids are validated (no '/' or ':'), so '/' separates parts.</summary>
public static class FundKeys
{
    public static string Project(string projectId) => $"project/{projectId}";
    public const string ProjectPrefix = "project/";
    public static string Deposit(string depositId) => $"deposit/{depositId}";
    public static string Household(string projectId, string hhId) => $"household/{projectId}/{hhId}";
    public static string HouseholdPrefix(string projectId) => $"household/{projectId}/";
    /// <summary>The one live household record of a property unit (R4).</summary>
    public static string Unit(string unitNo) => $"unit/{unitNo}";
    public static string Appraisal(string projectId, string hhId) => $"appraisal/{projectId}/{hhId}";
    public static string Agreement(string agrId, int ver) => $"agreement/{agrId}/{ver:D4}";
    public static string AgreementHead(string agrId) => $"agrhead/{agrId}";
    public const string AgreementHeadPrefix = "agrhead/";
    public static string Payment(string payId) => $"payment/{payId}";
    public const string PaymentPrefix = "payment/";
    public static string ProjectPayment(string projectId, string payId) => $"idx/project/{projectId}/payment/{payId}";
    public static string ProjectPaymentPrefix(string projectId) => $"idx/project/{projectId}/payment/";
    /// <summary>A household's payments numbered 1..<see cref="Household.PaymentCount"/> in the order they were instructed; the value is the payment id.</summary>
    public static string HouseholdPayment(string projectId, string hhId, long number) => Paging.NumberedKey($"idx/household/{projectId}/{hhId}/payment/", number);
    /// <summary>Cumulative confirmed payments per property unit and agreement (duplicate-pay detection).</summary>
    public static string PaidUnit(string unitNo, string agrId) => $"paidunit/{unitNo}/{agrId}";
    public const string PaidUnitPrefix = "paidunit/";
    public static string ResettlementUnit(string resUnitId) => $"resunit/{resUnitId}";
    /// <summary>The live agreement whose swap names a resettlement unit (one at a time).</summary>
    public static string SwapClaim(string resUnitId) => $"swapclaim/{resUnitId}";
    public static string Return(string returnId) => $"return/{returnId}";
    public static string List(string projectId, int round) => $"list/{projectId}/{round:D4}";
    public static string ListPrefix(string projectId) => $"list/{projectId}/";
    /// <summary>Households that appear in a published list: value = the latest round that names them.</summary>
    public static string Listed(string projectId, string hhId) => $"listed/{projectId}/{hhId}";
    public static string Attestation(string projectId, string org, string reportHash) => $"attest/{projectId}/{org}/{reportHash}";
    public static string Actor(string address, long at, string action, string target) => $"actor/{address}/{Time(at)}/{action}/{target}";
    public static string ActorPrefix(string address) => $"actor/{address}/";

    public static string Time(long ms) => ms.ToString("D20", CultureInfo.InvariantCulture);
}
