namespace Chain.Contracts.Abstractions;

/// <summary>What the integer JSON fields of one contract's state, events and query answers measure.</summary>
/// <remarks>
/// Each contract declares every integer field name it writes in exactly one of three sets, so a client (the CLI,
/// a portal) can show amounts in yuan without guessing from names; a test walks every state object and query
/// answer and fails on a name that is not declared, so the declaration cannot fall behind the code.
/// </remarks>
public sealed class FieldUnits
{
    public static readonly FieldUnits None = new([], [], []);

    public FieldUnits(IEnumerable<string> fen, IEnumerable<string> centiSquareMetres, IEnumerable<string> other)
    {
        Fen = fen.ToHashSet(StringComparer.Ordinal);
        CentiSquareMetres = centiSquareMetres.ToHashSet(StringComparer.Ordinal);
        Other = other.ToHashSet(StringComparer.Ordinal);
        var twice = Fen.Intersect(CentiSquareMetres).Concat(Fen.Intersect(Other)).Concat(CentiSquareMetres.Intersect(Other)).ToList();
        if (twice.Count > 0) throw new ArgumentException($"fields declared with two units: {string.Join(", ", twice)}");
    }

    /// <summary>Money in integer fen (shown as yuan with two decimals).</summary>
    public IReadOnlySet<string> Fen { get; }
    /// <summary>Areas in hundredths of a square metre (shown as square metres with two decimals).</summary>
    public IReadOnlySet<string> CentiSquareMetres { get; }
    /// <summary>Integers that are neither: times (Unix ms), counts, sequence numbers, basis points, days.</summary>
    public IReadOnlySet<string> Other { get; }

    /// <summary>Shown with two decimals: fen as yuan, hundredths of a square metre as square metres.</summary>
    public bool IsHundredths(string field) => Fen.Contains(field) || CentiSquareMetres.Contains(field);

    public bool IsDeclared(string field) => IsHundredths(field) || Other.Contains(field);

    /// <summary>The declaration as a query answer, for clients that cannot load this assembly.</summary>
    public object Describe() => new
    {
        fen = Fen.Order(StringComparer.Ordinal), centiSquareMetres = CentiSquareMetres.Order(StringComparer.Ordinal), other = Other.Order(StringComparer.Ordinal),
    };
}
