using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Domain;

/// <summary>Bank references are used once per bank: <see cref="DomainKeys.BankReference"/> records what each one confirmed.</summary>
public static class BankReferences
{
    public const string DuplicateCode = "DUPLICATE_BANK_REF";

    /// <summary>Throws DUPLICATE_BANK_REF when the reference was used; returns the key to record it under.</summary>
    public static string RequireUnused(ContractContext context, string bankId, string bankTxRef)
    {
        var key = DomainKeys.BankReference(bankId, bankTxRef);
        if (context.Exists(key)) throw new ContractException(DuplicateCode, $"bank reference '{bankTxRef}' of {bankId} was already used");
        return key;
    }

    public static void Record(ContractContext context, string key, string usedFor) => context.PutState(key, System.Text.Encoding.UTF8.GetBytes(usedFor));
}
