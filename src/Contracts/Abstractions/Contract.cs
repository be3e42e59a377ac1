using System.Collections.Frozen;

namespace Chain.Contracts.Abstractions;

public enum FunctionKind
{
    /// <summary>Changes state; runs inside a transaction.</summary>
    Invoke,
    /// <summary>Reads committed state; runs through Evaluate and never writes.</summary>
    Query,
}

/// <summary>
/// One callable function. <see cref="ValidateArgs"/> checks the arguments without state so a node can
/// refuse malformed calls at admission; <see cref="Execute"/> runs the function itself.
/// </summary>
public sealed class ContractFunction(string name, FunctionKind kind, Action<ContractArgs> validateArgs, Func<ContractContext, ContractArgs, byte[]?> execute, string? access)
{
    /// <summary>Invoke functions that name no access rule need the channel's "writers" policy.</summary>
    public const string DefaultInvokeAccess = "writers";

    public string Name { get; } = name;
    public FunctionKind Kind { get; } = kind;

    /// <summary>
    /// Who may call it: a policy expression (e.g. <c>Bank.bank</c>, <c>OR(Bank.bank, AuditBureau.auditor)</c>) or the
    /// name of a channel policy (e.g. <c>writers</c>). The node checks it before the function runs.
    /// Queries are not signed and have no access rule.
    /// </summary>
    public string? Access { get; } = kind == FunctionKind.Invoke ? access ?? DefaultInvokeAccess : null;
    public void ValidateArgs(ContractArgs args) => validateArgs(args);

    /// <summary>Runs the function over <paramref name="host"/>; a refusal is a <see cref="ContractException"/>.</summary>
    /// <param name="verifyWrites">Also fail when the handler changed a state object without writing it back (test hosts).</param>
    public byte[]? Execute(IContractHost host, ContractArgs args, bool verifyWrites = false)
    {
        var context = new ContractContext(host);
        byte[]? result;
        try
        {
            result = execute(context, args);
        }
        catch (OverflowException)
        {
            // Contracts compile with checked arithmetic: a sum that leaves the range of long is refused, not wrapped.
            throw new ContractException(ContractErrors.Overflow, $"{Name}: an amount overflows the ledger's range (single amounts are at most {Money.Format(Money.MaxFen)} yuan)");
        }
        if (verifyWrites && context.UnwrittenChanges() is { Count: > 0 } lost)
            throw new InvalidOperationException($"{Name} changed state objects without writing them back: {string.Join(", ", lost)}");
        return result;
    }
}

/// <summary>
/// Base class of every contract. A contract registers its functions in its constructor; every
/// state-changing function follows: validate args → authorize → mutate → emit event.
/// </summary>
public abstract class Contract
{
    private readonly Dictionary<string, ContractFunction> _functions = new(StringComparer.Ordinal);
    private FrozenDictionary<string, ContractFunction>? _frozen;

    public abstract string Name { get; }

    /// <summary>What the contract's integer fields measure (<see cref="FieldUnits"/>); answered by its "FieldUnits" query.</summary>
    public virtual FieldUnits Units => FieldUnits.None;

    public IReadOnlyDictionary<string, ContractFunction> Functions => _frozen ??= _functions.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Registers a function whose arguments parse into <typeparamref name="TArgs"/>.</summary>
    /// <param name="access">Who may invoke it (see <see cref="ContractFunction.Access"/>); null means the channel's "writers" policy.</param>
    protected void Register<TArgs>(string name, FunctionKind kind, Func<ContractArgs, TArgs> parse, Func<ContractContext, TArgs, byte[]?> handler, string? access = null)
    {
        if (_frozen is not null) throw new InvalidOperationException("functions must be registered in the constructor");
        _functions.Add(name, new ContractFunction(name, kind, args => parse(args), (context, args) => handler(context, parse(args)), access));
    }

    /// <summary>An invoke function of a domain contract: every string argument is screened for identity numbers first (<see cref="PersonalData"/>).</summary>
    protected void Invoke<TArgs>(string name, string access, Func<ContractArgs, TArgs> parse, Func<ContractContext, TArgs, byte[]?> handler) =>
        Register(name, FunctionKind.Invoke, args => { PersonalData.RejectIdNumbers(args.Root); return parse(args); }, handler, access);

    protected void Query<TArgs>(string name, Func<ContractArgs, TArgs> parse, Func<ContractContext, TArgs, byte[]?> handler) =>
        Register(name, FunctionKind.Query, parse, handler);
}
