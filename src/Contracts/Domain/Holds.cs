using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Domain;

/// <summary>A hold placed by an oversight body on a target ("kind:id"); nothing moves money from a held target.</summary>
public sealed record Hold(string TargetKey, string By, string Reason, long At);

public sealed record HoldPlaced(string TargetKey, string By, string Reason) : IContractEvent;
public sealed record HoldReleased(string TargetKey, string By) : IContractEvent;

/// <summary>
/// Holds: an oversight organisation places one on a target, and only that organisation releases it. Stored under
/// <see cref="DomainKeys.Hold"/> in the calling contract's key space.
/// </summary>
public static class Holds
{
    public static string Key(string targetKey) => DomainKeys.Hold(targetKey);

    /// <summary>The "targetKey" argument: kind:id with one of the contract's target kinds.</summary>
    public static string ParseTarget(ContractArgs args, IReadOnlyCollection<string> kinds)
    {
        var target = args.RequiredString("targetKey", 160);
        int colon = target.IndexOf(':');
        if (colon <= 0 || !kinds.Contains(target[..colon]))
            throw new ContractException(ContractErrors.BadArgs, $"'targetKey' must be kind:id with kind one of {string.Join(", ", kinds)}, got \"{target}\"");
        return target;
    }

    /// <summary>Throws HELD naming the first held target (empty targets are skipped).</summary>
    public static void RequireNone(ContractContext context, params string[] targets)
    {
        foreach (var target in targets)
            if (target.Length > 0 && context.Get<Hold>(Key(target)) is { } hold)
                throw new ContractException(ContractErrors.Held, $"{target} is on hold by {hold.By} since {DomainTime.UtcMinutes(hold.At)}: {hold.Reason}");
    }

    /// <summary>Places a hold; the same hold again is a no-op. Returns false when nothing changed.</summary>
    public static bool Place(ContractContext context, string targetKey, string reason)
    {
        if (context.Get<Hold>(Key(targetKey)) is { } existing)
        {
            if (existing.Reason == reason && existing.By == context.Caller.Organization) return false;
            throw new ContractException(ContractErrors.Conflict, $"{targetKey} is already on hold by {existing.By}: {existing.Reason}");
        }
        context.Put(Key(targetKey), new Hold(targetKey, context.Caller.Organization, reason, context.TimestampMs));
        context.Emit(new HoldPlaced(targetKey, context.Caller.Organization, reason));
        return true;
    }

    /// <summary>Releases a hold placed by the caller's organisation; releasing a target without a hold is a no-op.</summary>
    public static bool Release(ContractContext context, string targetKey)
    {
        var hold = context.Get<Hold>(Key(targetKey));
        if (hold is null) return false;
        if (hold.By != context.Caller.Organization)
            throw new ContractException(ContractErrors.NotAuthorized, $"{targetKey} was put on hold by {hold.By}; only {hold.By} can release it");
        context.DeleteState(Key(targetKey));
        context.Emit(new HoldReleased(targetKey, context.Caller.Organization));
        return true;
    }
}
