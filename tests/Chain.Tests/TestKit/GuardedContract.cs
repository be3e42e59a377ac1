using Chain.Contracts.Abstractions;

namespace Chain.Tests.TestKit;

/// <summary>A test contract whose functions carry different access rules, for authorization tests.</summary>
public sealed class GuardedContract : Contract
{
    public override string Name => "guarded";

    public GuardedContract()
    {
        Register("confirm", FunctionKind.Invoke, _ => 0, Write("confirmed"), "Bank.bank");
        Register("regulate", FunctionKind.Invoke, _ => 0, Write("regulated"), "CivilAffairs.regulator");
        Register("inspect", FunctionKind.Invoke, _ => 0, Write("inspected"), "OR(AuditBureau.auditor, CivilAffairs.regulator)");
        Register("cosign", FunctionKind.Invoke, _ => 0, Write("cosigned"), "AND(Bank.bank, AuditBureau.auditor)");
        Register("note", FunctionKind.Invoke, _ => 0, Write("noted")); // the channel's "writers" policy
    }

    private static Func<ContractContext, int, byte[]?> Write(string what) => (context, _) =>
    {
        context.PutState(what + "/" + context.TxId, System.Text.Encoding.UTF8.GetBytes(context.Caller.Organization + ":" + string.Join(",", context.Caller.Roles.Order())));
        return null;
    };
}
