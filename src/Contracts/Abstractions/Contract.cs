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
public sealed class ContractFunction(string name, FunctionKind kind, Func<ContractArgs, object?> parseArgs, Func<ContractContext, ContractArgs, byte[]?> execute, string? access,
    System.Text.Json.JsonSerializerOptions json)
{
    /// <summary>Invoke functions that name no access rule need the channel's "writers" policy.</summary>
    public const string DefaultInvokeAccess = "writers";

    /// <summary>Query functions that name no access rule need the channel's "readers" policy (a signed read).</summary>
    public const string DefaultQueryAccess = "readers";

    /// <summary>The access rule of a query anyone may run without signing: it answers only what the public may see.</summary>
    public const string PublicAccess = "public";

    public string Name { get; } = name;
    public FunctionKind Kind { get; } = kind;

    /// <summary>
    /// Who may call it: a policy expression (e.g. <c>Bank.bank</c>, <c>OR(Bank.bank, AuditBureau.auditor)</c>), the
    /// name of a channel policy (e.g. <c>writers</c>), or for a query <see cref="PublicAccess"/>. The node checks it
    /// before the function runs: against the transaction's signer, or the signer of the read.
    /// </summary>
    public string Access { get; } = access ?? (kind == FunctionKind.Invoke ? DefaultInvokeAccess : DefaultQueryAccess);

    /// <summary>A query anyone may run without signing.</summary>
    public bool IsPublic => Kind == FunctionKind.Query && Access == PublicAccess;
    public void ValidateArgs(ContractArgs args) => parseArgs(args);

    /// <summary>
    /// The arguments as the handler receives them, usually the contract's public argument record. Serialized in the
    /// contract's encoding, such a record is itself a valid call with the same meaning (clients build calls from them).
    /// </summary>
    public object? ParseArgs(ContractArgs args) => parseArgs(args);

    /// <summary>Runs the function over <paramref name="host"/>; a refusal is a <see cref="ContractException"/>.</summary>
    /// <param name="verifyWrites">Also fail when the handler changed a state object without writing it back (test hosts).</param>
    public byte[]? Execute(IContractHost host, ContractArgs args, bool verifyWrites = false)
    {
        var context = new ContractContext(host, json);
        byte[]? result;
        try
        {
            result = execute(context, args);
        }
        catch (OverflowException)
        {
            // Contracts compile with checked arithmetic: a sum that leaves the range of long is refused, not wrapped.
            throw new ContractException(ContractErrors.Overflow, $"{Name}: a number overflows the range of a 64-bit integer");
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
/// <param name="stateTypes">Compile-time JSON metadata of the contract's state types, if it has any (see <see cref="ContractJson.With"/>).</param>
public abstract class Contract(System.Text.Json.Serialization.Metadata.IJsonTypeInfoResolver? stateTypes = null)
{
    private readonly Dictionary<string, ContractFunction> _functions = new(StringComparer.Ordinal);
    private FrozenDictionary<string, ContractFunction>? _frozen;

    /// <summary>The contract's JSON encoding: <see cref="ContractJson.Options"/>, with its state types' metadata first.</summary>
    public System.Text.Json.JsonSerializerOptions Json { get; } = stateTypes is null ? ContractJson.Options : ContractJson.With(stateTypes);

    public abstract string Name { get; }

    /// <summary>What the contract's integer fields measure (<see cref="FieldUnits"/>); answered by its "FieldUnits" query.</summary>
    public virtual FieldUnits Units => FieldUnits.None;

    public IReadOnlyDictionary<string, ContractFunction> Functions => _frozen ??= _functions.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Registers a function whose arguments parse into <typeparamref name="TArgs"/>.</summary>
    /// <param name="access">Who may invoke it (see <see cref="ContractFunction.Access"/>); null means the channel's "writers" policy.</param>
    protected void Register<TArgs>(string name, FunctionKind kind, Func<ContractArgs, TArgs> parse, Func<ContractContext, TArgs, byte[]?> handler, string? access = null)
    {
        if (_frozen is not null) throw new InvalidOperationException("functions must be registered in the constructor");
        _functions.Add(name, new ContractFunction(name, kind, args => parse(args), (context, args) => handler(context, parse(args)), access, Json));
    }
}
