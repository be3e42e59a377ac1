using Chain.Contracts.Abstractions;
using Chain.Protocol;

namespace Chain.Node.Membership;

/// <summary>
/// Who may read a configured channel (docs/IDENTITY.md, "Who may read what"). Every read names a rule: the public
/// query functions need no caller; contract queries their function's access rule (default the channel's
/// <see cref="Readers"/> policy); commit statuses and transaction-status events <see cref="Readers"/>; raw data (blocks,
/// transactions, key histories, full-block events) <see cref="RawReaders"/>.
/// </summary>
internal static class ReadAccess
{
    public const string Readers = ContractFunction.DefaultQueryAccess;
    public const string RawReaders = "rawReaders";

    /// <summary>Roles that read raw data when a channel defines no <see cref="RawReaders"/> policy: oversight sees everything.</summary>
    public static readonly string[] DefaultRawReaderRoles = ["auditor", "regulator", "inspector"];

    /// <summary>
    /// The expression a read policy stands for when the channel does not define it: readers are every member;
    /// raw readers the oversight roles and the admins of the organisations that order the channel (they hold every
    /// block anyway; their other members, a bank's donors say, do not read raw data by default). Null for any other name.
    /// </summary>
    public static string? DefaultOf(string policy, ChannelConfig config) => policy switch
    {
        Readers => $"ANY {Roles.Member}",
        RawReaders => $"OR({string.Join(", ", DefaultRawReaderRoles.Select(r => $"ANY {r}").Concat(config.Consenters.Select(c => c.Organization).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(o => $"{o}.{Roles.Admin}")))})",
        _ => null,
    };
}
