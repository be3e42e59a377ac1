using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.Charity;

/// <summary>Error codes of the charity contract's rules; messages say which rule and the amounts involved.</summary>
public static class CharityErrors
{
    /// <summary>I1/I2: more than the pool or lot holds (after approved, unpaid disbursements).</summary>
    public const string Overspend = "OVERSPEND";
    /// <summary>I3: restricted money used outside its campaign, or a purpose change without filing/consent.</summary>
    public const string Restricted = "RESTRICTED";
    /// <summary>I4: a value confirmation by someone other than a registered bank, or a reused bank reference.</summary>
    public const string BankOnly = "BANK_ONLY";
    public const string DuplicateBankRef = BankReferences.DuplicateCode;
    /// <summary>I5: proposer approving, approver of another organisation, second payment.</summary>
    public const string MakerChecker = "MAKER_CHECKER";
    /// <summary>I6: no evidence, or a supplier payment without an invoice.</summary>
    public const string Evidence = "EVIDENCE_REQUIRED";
    /// <summary>I7: donation outside the campaign's window or status, frozen organisation.</summary>
    public const string Window = "OUTSIDE_WINDOW";
    public const string Frozen = "FROZEN";
    /// <summary>I8: management cost above the campaign's cap.</summary>
    public const string FeeCap = "FEE_CAP";
    /// <summary>I9: payee is a declared related party of the charity.</summary>
    public const string RelatedParty = "RELATED_PARTY";
}
