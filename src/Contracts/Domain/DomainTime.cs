using System.Globalization;

namespace Chain.Contracts.Domain;

/// <summary>
/// Times in the messages of the domain contracts. Contracts never read a clock: these only format the transaction's
/// or the state's Unix milliseconds, in China time as the parties read them (holds in UTC).
/// </summary>
public static class DomainTime
{
    public const long DayMs = 86_400_000;
    private static readonly TimeSpan China = TimeSpan.FromHours(8);

    /// <summary>"2026-01-01 08:00:00+08:00".</summary>
    public static string Seconds(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(China).ToString("yyyy-MM-dd HH:mm:ss'+08:00'", CultureInfo.InvariantCulture);

    /// <summary>"2026-01-01 08:00+08:00".</summary>
    public static string Minutes(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(China).ToString("yyyy-MM-dd HH:mm'+08:00'", CultureInfo.InvariantCulture);

    /// <summary>"2026-01-01 00:00Z".</summary>
    public static string UtcMinutes(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + "Z";
}
