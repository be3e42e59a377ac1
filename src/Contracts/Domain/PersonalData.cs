using System.Globalization;
using System.Text;
using System.Text.Json;

using Chain.Contracts.Abstractions;

namespace Chain.Contracts.Domain;

/// <summary>
/// Keeps PRC resident identity numbers off the ledger: a call whose arguments hold one anywhere (a string value,
/// a number, or a property name) is refused.
/// </summary>
/// <remarks>
/// <para>Text is normalised first: full-width forms become ASCII (as NFKC does; the node runs with invariant
/// globalisation, where <see cref="string.Normalize()"/> changes nothing, so the folding is explicit), every
/// Unicode decimal digit becomes its ASCII digit, and spaces and punctuation between digits are dropped, so
/// "１１０１０５ 1949-1231-002X" is read as one run of digits. Letters end a run.</para>
/// <para>Within a run, every 18-character window is tested: a province code, a real birth date (1900–2100) and
/// a matching ISO 7064 MOD 11-2 check character (digit or X, X only last). A 15-digit first-generation number
/// (province code and a real YYMMDD date, no check digit) counts only as a run of exactly 15 digits: without a
/// check digit, windows inside longer runs would match about one random number in thirty.</para>
/// <para>64-character hex hashes are skipped. The check is a guard against mistakes, not a guarantee: clients
/// must send keyed hashes (HMAC) of identity numbers instead.</para>
/// </remarks>
public static class PersonalData
{
    public const string Code = "PERSONAL_DATA";
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckChars = "10X98765432";

    /// <summary>Throws PERSONAL_DATA naming the argument when any value or name in <paramref name="root"/> holds an ID number.</summary>
    public static void RejectIdNumbers(JsonElement root) => Scan(root, "");

    private static void Scan(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var name = path.Length == 0 ? property.Name : path + "." + property.Name;
                    if (ContainsIdNumber(property.Name)) throw Refused(name + " (the name itself)");
                    Scan(property.Value, name);
                }
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in element.EnumerateArray()) Scan(item, $"{path}[{i++}]");
                break;
            case JsonValueKind.String:
                if (ContainsIdNumber(element.GetString()!)) throw Refused(path);
                break;
            case JsonValueKind.Number:
                if (ContainsIdNumber(element.GetRawText())) throw Refused(path);
                break;
        }
    }

    private static ContractException Refused(string path) =>
        new(Code, $"'{path}' looks like a resident identity number; identity numbers must not be put on the ledger (send a keyed hash instead)");

    public static bool ContainsIdNumber(string text)
    {
        if (text.Length < 15) return false;
        if (text.Length == 64 && text.All(char.IsAsciiHexDigit)) return false;
        var run = new StringBuilder();
        foreach (var raw in text)
        {
            char c = Fold(raw);
            if (char.IsAsciiDigit(c)) { run.Append(c); continue; }
            if (c is 'X' or 'x' && run.Length > 0)
            {
                run.Append('X');
                if (RunHoldsIdNumber(run)) return true;
                run.Clear();
                continue;
            }
            if (IsSeparator(c)) continue;
            if (RunHoldsIdNumber(run)) return true;
            run.Clear();
        }
        return RunHoldsIdNumber(run);
    }

    /// <summary>Full-width ASCII forms and the ideographic space to ASCII; every Unicode decimal digit to '0'–'9'.</summary>
    private static char Fold(char c)
    {
        if (c is >= '\uFF01' and <= '\uFF5E') return (char)(c - 0xFEE0);
        if (c == '\u3000') return ' ';
        if (c > '\u007F' && CharUnicodeInfo.GetDecimalDigitValue(c) is var digit and >= 0) return (char)('0' + digit);
        return c;
    }

    private static bool IsSeparator(char c) => CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Control
        or UnicodeCategory.DashPunctuation or UnicodeCategory.ConnectorPunctuation or UnicodeCategory.OtherPunctuation
        or UnicodeCategory.OpenPunctuation or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
        or UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol;

    private static bool RunHoldsIdNumber(StringBuilder run)
    {
        int length = run.Length;
        if (length < 15) return false;
        bool endsWithX = run[^1] == 'X';
        int digits = endsWithX ? length - 1 : length;
        if (digits == 15 && !endsWithX && IsFirstGeneration(run.ToString())) return true;
        if (length < 18) return false;
        var chars = run.ToString();
        for (int start = 0; start + 18 <= length; start++)
            if (IsSecondGeneration(chars.AsSpan(start, 18))) return true;
        return false;
    }

    private static bool IsFirstGeneration(ReadOnlySpan<char> id) => IsProvince(id) && IsRealDate(19, id.Slice(6, 6));

    private static bool IsSecondGeneration(ReadOnlySpan<char> id)
    {
        for (int k = 0; k < 17; k++) if (!char.IsAsciiDigit(id[k])) return false;
        if (!IsProvince(id) || !IsRealDate(0, id.Slice(6, 8))) return false;
        int sum = 0;
        for (int k = 0; k < 17; k++) sum += (id[k] - '0') * Weights[k];
        return id[17] == CheckChars[sum % 11];
    }

    // First two digits: a province-level code (GB/T 2260), 81–83 for Hong Kong, Macao and Taiwan residents, 9x for foreigners' permanent residence.
    private static bool IsProvince(ReadOnlySpan<char> id) => ((id[0] - '0') * 10 + (id[1] - '0')) is
        (>= 11 and <= 15) or (>= 21 and <= 23) or (>= 31 and <= 37) or (>= 41 and <= 46) or (>= 50 and <= 54) or (>= 61 and <= 65) or 71 or (>= 81 and <= 83) or (>= 90 and <= 99);

    // century 0: the span is YYYYMMDD; otherwise YYMMDD in that century.
    private static bool IsRealDate(int century, ReadOnlySpan<char> digits)
    {
        int year, rest;
        if (century == 0)
        {
            year = int.Parse(digits[..4], CultureInfo.InvariantCulture);
            rest = 4;
            if (year < 1900 || year > 2100) return false;
        }
        else
        {
            year = century * 100 + int.Parse(digits[..2], CultureInfo.InvariantCulture);
            rest = 2;
        }
        int month = int.Parse(digits.Slice(rest, 2), CultureInfo.InvariantCulture), day = int.Parse(digits.Slice(rest + 2, 2), CultureInfo.InvariantCulture);
        return month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }
}
