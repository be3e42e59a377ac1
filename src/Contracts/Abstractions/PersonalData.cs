using System.Text.Json;

namespace Chain.Contracts.Abstractions;

/// <summary>
/// Keeps PRC resident identity numbers off the ledger: any string value in a call's arguments that contains
/// one is refused. An 18-character number counts when its birth date is a real date and its ISO 7064
/// MOD 11-2 check character matches; a 15-digit (first generation) number counts when its YYMMDD is a real date.
/// </summary>
/// <remarks>
/// Runs of digits of other lengths are ignored, and so are 64-character hex hashes, so bank references
/// and evidence hashes pass. The check is a guard against mistakes, not a guarantee: clients must send
/// hashed references (HMAC of the id number) instead.
/// </remarks>
public static class PersonalData
{
    public const string Code = "PERSONAL_DATA";
    private static readonly int[] Weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    private const string CheckChars = "10X98765432";

    /// <summary>Throws PERSONAL_DATA naming the argument when any string in <paramref name="root"/> holds an ID number.</summary>
    public static void RejectIdNumbers(JsonElement root) => Scan(root, "");

    private static void Scan(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject()) Scan(property.Value, path.Length == 0 ? property.Name : path + "." + property.Name);
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in element.EnumerateArray()) Scan(item, $"{path}[{i++}]");
                break;
            case JsonValueKind.String:
                if (ContainsIdNumber(element.GetString()!))
                    throw new ContractException(Code, $"'{path}' looks like a resident identity number; identity numbers must not be put on the ledger (send a hashed reference instead)");
                break;
        }
    }

    public static bool ContainsIdNumber(string text)
    {
        if (text.Length == 64 && text.All(char.IsAsciiHexDigit)) return false;
        int i = 0;
        while (i < text.Length)
        {
            if (!char.IsAsciiDigit(text[i])) { i++; continue; }
            int start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            int digits = i - start;
            bool endsWithX = digits == 17 && i < text.Length && (text[i] == 'X' || text[i] == 'x');
            int length = endsWithX ? 18 : digits;
            var token = text.AsSpan(start, length);
            if (length == 18 && IsSecondGeneration(token)) return true;
            if (length == 15 && IsRealDate(19, token.Slice(6, 6))) return true;
        }
        return false;
    }

    private static bool IsSecondGeneration(ReadOnlySpan<char> id)
    {
        if (!IsRealDate(0, id.Slice(6, 8))) return false;
        int sum = 0;
        for (int k = 0; k < 17; k++) sum += (id[k] - '0') * Weights[k];
        return char.ToUpperInvariant(id[17]) == CheckChars[sum % 11];
    }

    // century 0: the span is YYYYMMDD; otherwise YYMMDD in that century.
    private static bool IsRealDate(int century, ReadOnlySpan<char> digits)
    {
        int year, rest;
        if (century == 0)
        {
            year = int.Parse(digits[..4]);
            rest = 4;
            if (year < 1900 || year > 2100) return false;
        }
        else
        {
            year = century * 100 + int.Parse(digits[..2]);
            rest = 2;
        }
        int month = int.Parse(digits.Slice(rest, 2)), day = int.Parse(digits.Slice(rest + 2, 2));
        return month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }
}
