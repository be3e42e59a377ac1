using System.Globalization;
using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Domain;

/// <summary>Money is integer fen (1 yuan = 100 fen) everywhere; yuan text with two decimals only at the edges.</summary>
public static class Money
{
    /// <summary>
    /// The largest single amount an argument may carry: 10^15 fen (10 trillion yuan). Far above any real payment,
    /// and low enough that sums of thousands of such amounts stay inside a 64-bit integer.
    /// </summary>
    public const long MaxFen = 1_000_000_000_000_000;

    /// <summary>"1234.50" for 123450 fen; negative amounts get a leading '-'.</summary>
    public static string Format(long fen)
    {
        var sign = fen < 0 ? "-" : "";
        var abs = fen == long.MinValue ? (ulong)long.MaxValue + 1 : (ulong)Math.Abs(fen);
        return string.Create(CultureInfo.InvariantCulture, $"{sign}{abs / 100}.{abs % 100:D2}");
    }

    /// <summary>Parses yuan with at most two decimals ("200", "200.5", "200.50") into fen; no floating point.</summary>
    public static bool TryParse(string text, out long fen, out string? error)
    {
        fen = 0;
        error = null;
        var trimmed = text.Trim();
        var parts = trimmed.Split('.');
        if (trimmed.Length == 0 || parts.Length > 2 || parts[0].Length == 0 || !parts[0].All(char.IsAsciiDigit)
            || (parts.Length == 2 && (parts[1].Length is 0 or > 2 || !parts[1].All(char.IsAsciiDigit))))
        {
            error = $"'{text}' is not an amount in yuan (use digits with up to two decimals, e.g. 200.00)";
            return false;
        }
        var cents = parts.Length == 2 ? parts[1].PadRight(2, '0') : "00";
        if (!long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var yuan) || yuan > long.MaxValue / 100 - 1)
        {
            error = $"'{text}' is too large";
            return false;
        }
        fen = yuan * 100 + int.Parse(cents, CultureInfo.InvariantCulture);
        return true;
    }
}
