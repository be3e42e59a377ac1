using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Domain;

/// <summary>
/// Makes client-identified requests idempotent: the first call with an id records a hash of its content;
/// a later call with the same id and the same content changes nothing, and one with other content is refused.
/// </summary>
/// <remarks>Keys (<see cref="DomainKeys.Request"/>) live in the calling contract's own key space.</remarks>
public static class RequestLog
{
    /// <summary>
    /// True when this exact request was already applied (the caller must then return without writing).
    /// Throws CONFLICT when the id was used with different content.
    /// </summary>
    public static bool AlreadyApplied<T>(ContractContext context, string function, string id, T content, out string contentHash)
    {
        contentHash = ContractJson.ContentHash(content);
        var key = Key(function, id);
        if (context.GetState(key) is not { } recorded) return false;
        if (System.Text.Encoding.ASCII.GetString(recorded) == contentHash) return true;
        throw new ContractException(ContractErrors.Conflict, $"{function} '{id}' was already applied with different content");
    }

    public static void Record(ContractContext context, string function, string id, string contentHash) =>
        context.PutState(Key(function, id), System.Text.Encoding.ASCII.GetBytes(contentHash));

    private static string Key(string function, string id) => DomainKeys.Request(function, id);
}
