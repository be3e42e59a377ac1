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

    /// <summary>The smallest key greater than every key starting with <paramref name="prefix"/>.</summary>
    public static string UpperBound(string prefix)
    {
        if (prefix.Length == 0) return "";
        return prefix[..^1] + (char)(prefix[^1] + 1);
    }

    public static (string? After, int Limit) Args(ContractArgs args) =>
        (args.OptionalString("after", 512), args.OptionalInt("limit", DefaultLimit, 1, MaxLimit));
}
