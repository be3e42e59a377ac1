namespace Chain.Contracts.Domain;

/// <summary>
/// Every key the shared domain helpers write, in the key space of the contract that calls them. A contract's own
/// keys (<c>CharityKeys</c>, <c>FundKeys</c>) must not start with one of <see cref="Prefixes"/>.
/// </summary>
public static class DomainKeys
{
    public const string HoldPrefix = "hold/";
    public const string BankReferencePrefix = "uniq/bank/";
    public const string RequestPrefix = "req/";

    public static readonly IReadOnlyList<string> Prefixes = [HoldPrefix, BankReferencePrefix, RequestPrefix];

    /// <summary>A hold on a target "kind:id" (<see cref="Holds"/>).</summary>
    public static string Hold(string targetKey) => HoldPrefix + targetKey;

    /// <summary>What a bank reference was used for (<see cref="BankReferences"/>).</summary>
    public static string BankReference(string bankId, string bankTxRef) => $"{BankReferencePrefix}{bankId}/{bankTxRef}";

    /// <summary>The content hash of a client-identified request (<see cref="RequestLog"/>).</summary>
    public static string Request(string function, string id) => $"{RequestPrefix}{function}/{id}";
}
