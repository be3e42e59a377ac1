using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;

namespace Chain.Contracts.DemolitionFund;

/// <summary>Error codes of the demolition-fund rules R1–R12; messages give the amounts and states involved.</summary>
public static class FundErrors
{
    /// <summary>R1: payment without a signed (or decided) current agreement.</summary>
    public const string NoAgreement = "NO_SIGNED_AGREEMENT";
    /// <summary>R2: amount other than the scheduled instalment, an instalment paid twice, or Σ paid above payable.</summary>
    public const string Instalment = "INSTALMENT";
    /// <summary>R3: approvals above the budget, or payments above the account balance.</summary>
    public const string OverBudget = "OVER_BUDGET";
    public const string Overdraft = "OVERDRAFT";
    /// <summary>R4: a second live record or agreement for a property unit, or a unit paid under two agreements.</summary>
    public const string DuplicateUnit = "DUPLICATE_UNIT";
    /// <summary>R5: the same person (or the wrong organisation) in two roles of one agreement.</summary>
    public const string SeparationOfDuties = "SEPARATION_OF_DUTIES";
    /// <summary>R6: payee is not the registered right-holder or a recorded agent.</summary>
    public const string PayeeMismatch = "PAYEE_MISMATCH";
    /// <summary>R7: outside the signing window, inside the cooling period, or handover before payment.</summary>
    public const string TimeLock = "TIME_LOCK";
    /// <summary>R8: decision before the dedicated account holds the full budget.</summary>
    public const string Underfunded = "UNDERFUNDED";
    /// <summary>R9: settlement with paid households missing from the published lists.</summary>
    public const string Unpublished = "UNPUBLISHED";
    /// <summary>R11: house value off the appraisal beyond the tolerance without a reason code.</summary>
    public const string AppraisalDeviation = "APPRAISAL_DEVIATION";
    public const string DuplicateBankRef = BankReferences.DuplicateCode;
}
