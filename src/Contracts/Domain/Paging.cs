using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Domain;

/// <summary>One page of a list query; pass <see cref="Next"/> back as "after" to get the following page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

public static class Paging
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    /// <summary>
    /// Up to <paramref name="limit"/> entries under <paramref name="prefix"/> whose key (after the prefix) is
    /// greater than <paramref name="after"/>, and the cursor of the next page (null on the last page).
    /// </summary>
    public static (IReadOnlyList<KeyValuePair<string, byte[]>> Entries, string? Next) Scan(ContractContext context, string prefix, string? after, int limit)
    {
        var start = after is null ? prefix : prefix + after + "\0";
        var entries = context.GetStateByRange(start, UpperBound(prefix), limit + 1);
        if (entries.Count <= limit) return (entries, null);
        var page = entries.Take(limit).ToList();
        return (page, page[^1].Key[prefix.Length..]);
    }

    /// <summary>
    /// One page of a numbered collection (members 1..<paramref name="count"/>, the count held by the collection's owner
    /// record): the member numbers after the cursor <paramref name="after"/> and the next page's cursor (null on the last
    /// page). Reading members by number is point reads, which a state proof covers whole; a prefix scan cannot be proven
    /// complete, because keys are spread over the state tree by hash (ADR 0007).
    /// </summary>
    public static (long First, long Last, string? Next) Numbers(long count, string? after, int limit)
    {
        long from = 1;
        if (after is not null)
        {
            if (!long.TryParse(after, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seen) || seen < 0)
                throw new ContractException(ContractErrors.BadArgs, $"'after' must be the 'next' cursor of the previous page (a member number); got '{after}'");
            from = seen + 1;
        }
        long last = Math.Min(count, from + limit - 1);
        return (from, last, last < count ? Number(last) : null);
    }

    /// <summary>The key of member <paramref name="number"/> of a numbered collection under <paramref name="prefix"/>; zero-padded so the keys sort by number.</summary>
    public static string NumberedKey(string prefix, long number) => prefix + Number(number);

    private static string Number(long number) => number.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The smallest key greater than every key starting with <paramref name="prefix"/>.</summary>
    public static string UpperBound(string prefix)
    {
        if (prefix.Length == 0) return "";
        return prefix[..^1] + (char)(prefix[^1] + 1);
    }

    public static (string? After, int Limit) Args(ContractArgs args) =>
        (args.OptionalString("after", 512), args.OptionalInt("limit", DefaultLimit, 1, MaxLimit));
}
