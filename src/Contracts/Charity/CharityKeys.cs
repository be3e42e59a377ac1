using System.Globalization;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

/// <summary>
/// Every state key of the charity contract. Ids are validated (A–Z, a–z, 0–9, '.', '_', '-'), so '/'
/// separates parts and ':' separates the parts of derived ids. Times are 20-digit zero-padded so keys
/// sort by time.
/// </summary>
public static class CharityKeys
{
    public static string Org(string orgId) => $"org/{orgId}";
    public const string OrgPrefix = "org/";
    public static string Campaign(string campaignId) => $"campaign/{campaignId}";
    public const string CampaignPrefix = "campaign/";
    public static string Pool(string poolId) => $"pool/{poolId}";
    public static string Lot(string lotId) => $"lot/{lotId}";
    public static string Donation(string donationId) => $"donation/{donationId}";
    public static string Disbursement(string disbId) => $"disb/{disbId}";
    public const string DisbursementPrefix = "disb/";
    public static string Refund(string refundId) => $"refund/{refundId}";
    public static string Pledge(string pledgeId) => $"pledge/{pledgeId}";
    public static string Consent(string donationId, int seq) => $"consent/{donationId}/{seq:D10}";
    public static string Filing(string campaignId, string filingNo) => $"filing/{campaignId}/{filingNo}";
    public static string DisclosurePrefix(Scope scope, string id) => $"disclosure/{scope}/{id}/";
    public static string Disclosure(Scope scope, string id, int seq) => $"disclosure/{scope}/{id}/{seq:D10}";
    public static string Annual(string charityId, int year) => $"annual/{charityId}/{year}";
    public static string Flows(string orgId, int year) => $"flows/{orgId}/{year}";
    public static string FlowsPrefix(string orgId) => $"flows/{orgId}/";
    /// <summary>A declared related party of an organisation (<see cref="RelatedParty"/>).</summary>
    public static string RelatedParty(string orgId, string hash) => $"related/{orgId}/{hash}";
    public const string RelatedPartyPrefix = "related/";
    /// <summary>What one organisation paid one payee in all (<see cref="PayeeTotal"/>).</summary>
    public static string PayeeTotal(string payeeRef, string orgId) => $"payeetotal/{payeeRef}/{orgId}";
    public static string PayeeTotalPrefix(string payeeRef) => $"payeetotal/{payeeRef}/";
    public static string Attestation(Scope scope, string id, string org, string reportHash) => $"attest/{scope}/{id}/{org}/{reportHash}";

    /// <summary>lineage: amount that flowed from a lot to a child (lot, disb or refund).</summary>
    public static string Edge(string lotId, string childType, string childId) => $"edge/{lotId}/{childType}/{childId}";
    public static string EdgePrefix(string lotId) => $"edge/{lotId}/";
    /// <summary>The lot's edges numbered 1..<see cref="Lot.EdgeCount"/> in the order they were made; the value is "childType/childId".</summary>
    public static string EdgeNumber(string lotId, long number) => Paging.NumberedKey($"edgeno/{lotId}/", number);

    /// <summary>Open lots of a pool in FIFO order (createdAt, lotId).</summary>
    public static string Fifo(string poolId, long createdAt, string lotId) => $"fifo/{poolId}/{Time(createdAt)}/{lotId}";
    public static string FifoPrefix(string poolId) => $"fifo/{poolId}/";

    public static string DonorIndex(string donorRef, string donationId) => $"idx/donor/{donorRef}/{donationId}";
    public static string DonorIndexPrefix(string donorRef) => $"idx/donor/{donorRef}/";
    /// <summary>The gifts a donor's own chain account gave, by reference: what a donor reads of its own statement.</summary>
    public static string DonorAccountIndex(string account, string donorRef, string donationId) => $"idx/donoracct/{account.ToLowerInvariant()}/{donorRef}/{donationId}";
    public static string DonorAccountIndexPrefix(string account, string donorRef) => $"idx/donoracct/{account.ToLowerInvariant()}/{donorRef}/";
    public static string PayeeIndex(string payeeRef, string disbId) => $"idx/payee/{payeeRef}/{disbId}";
    public static string PayeeIndexPrefix(string payeeRef) => $"idx/payee/{payeeRef}/";
    public static string OwnerCampaign(string charityId, string campaignId) => $"idx/charity/{charityId}/campaign/{campaignId}";
    public static string OwnerCampaignPrefix(string charityId) => $"idx/charity/{charityId}/campaign/";
    public static string OwnerPool(string owner, string poolId) => $"idx/charity/{owner}/pool/{poolId}";
    public static string OwnerPoolPrefix(string owner) => $"idx/charity/{owner}/pool/";
    /// <summary>A campaign's movements numbered 1..<see cref="Campaign.LedgerLines"/> in the order they were recorded; the value is a <see cref="LedgerEntry"/>.</summary>
    public static string CampaignEntry(string campaignId, long number) => Paging.NumberedKey($"cl/{campaignId}/", number);

    // Derived ids.
    public static string UnrestrictedPool(string charityId) => $"U:{charityId}";
    public static string CampaignPool(string campaignId) => $"C:{campaignId}";
    public static string SubGrantPool(string executorId, string? campaignId) => $"G:{executorId}:{campaignId ?? "*"}";
    public static string DonationLotId(string donationId) => $"D:{donationId}";
    public static string ChildLotId(string kind, string parentOperationId, int index) => $"{kind}:{parentOperationId}:{index:D4}";

    public static string Time(long ms) => ms.ToString("D20", CultureInfo.InvariantCulture);
}

/// <summary>One line of a campaign's ledger.</summary>
public sealed record LedgerEntry(string Kind, string Id, long At, long In, long Out, string? Detail);
