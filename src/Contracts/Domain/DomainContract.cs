using System.Text.Json.Serialization.Metadata;
using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Domain;

/// <summary>
/// Base of the domain contracts (charity, demolition fund): every invoke function screens its arguments for identity
/// numbers (<see cref="PersonalData"/>) before parsing them, and a sum that overflows is refused with <c>OVERFLOW</c>
/// naming the largest amount an argument may carry.
/// </summary>
public abstract class DomainContract(IJsonTypeInfoResolver stateTypes) : Contract(stateTypes)
{
    /// <summary>An invoke function: the arguments are screened, then parsed into <typeparamref name="TArgs"/>.</summary>
    protected void Invoke<TArgs>(string name, string access, Func<ContractArgs, TArgs> parse, Func<ContractContext, TArgs, byte[]?> handler) =>
        Register(name, FunctionKind.Invoke, args => { PersonalData.RejectIdNumbers(args.Root); return parse(args); }, Checked(name, handler), access);

    /// <summary>
    /// A query function. Its access rule is <see cref="ContractFunction.PublicAccess"/> when the contract lists it in
    /// <see cref="PublicQueries"/>, else <paramref name="access"/>, by default the channel's readers policy.
    /// </summary>
    protected void Query<TArgs>(string name, Func<ContractArgs, TArgs> parse, Func<ContractContext, TArgs, byte[]?> handler, string? access = null)
    {
        if (PublicQueries.Contains(name) && access is not null) throw new InvalidOperationException($"query {name} is listed as public and also names the access rule {access}");
        Register(name, FunctionKind.Query, parse, Checked(name, handler), PublicQueries.Contains(name) ? ContractFunction.PublicAccess : access);
    }

    /// <summary>
    /// The queries anyone may run without signing, in one reviewed list per contract: each answers only what the public
    /// may see (aggregates, published lists and disclosures, the public registry), never a person's reference.
    /// </summary>
    protected abstract IReadOnlySet<string> PublicQueries { get; }

    private static Func<ContractContext, TArgs, byte[]?> Checked<TArgs>(string name, Func<ContractContext, TArgs, byte[]?> handler) => (context, args) =>
    {
        try { return handler(context, args); }
        catch (OverflowException)
        {
            // The contracts compile with checked arithmetic: a sum that leaves the range of long is refused, not wrapped.
            throw new ContractException(ContractErrors.Overflow, $"{name}: an amount overflows the ledger's range (single amounts are at most {Money.Format(Money.MaxFen)} yuan)");
        }
    };
}

/// <summary>Amount arguments of the domain contracts: integer fen, at most <see cref="Money.MaxFen"/>.</summary>
public static class AmountArgs
{
    /// <summary>An amount of money in fen: an integer in <paramref name="min"/>..<see cref="Money.MaxFen"/>.</summary>
    public static long RequiredAmount(this ContractArgs args, string name, long min = 1) => args.RequiredLong(name, min, Money.MaxFen);

    public static long? OptionalAmount(this ContractArgs args, string name, long min = 0) => args.Has(name) ? args.RequiredAmount(name, min) : null;
}
