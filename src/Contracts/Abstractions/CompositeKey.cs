namespace Chain.Contracts.Abstractions;

/// <summary>
/// Composite keys in the Fabric style: object type and attributes joined by U+0000, so
/// <c>GetStateByPrefix(CompositeKey.Prefix(type, a))</c> lists every key that starts with those parts.
/// </summary>
public static class CompositeKey
{
    public const char Separator = '\u0000';

    public static string Create(string objectType, params ReadOnlySpan<string> attributes)
    {
        Validate(objectType);
        var parts = new string[attributes.Length + 1];
        parts[0] = objectType;
        for (int i = 0; i < attributes.Length; i++)
        {
            Validate(attributes[i]);
            parts[i + 1] = attributes[i];
        }
        return string.Join(Separator, parts) + Separator;
    }

    /// <summary>The prefix shared by every composite key of that type whose first attributes are these.</summary>
    public static string Prefix(string objectType, params ReadOnlySpan<string> attributes) => Create(objectType, attributes);

    public static string[] Split(string compositeKey)
    {
        if (compositeKey.Length == 0 || compositeKey[^1] != Separator)
            throw new ContractException(ContractErrors.BadArgs, "not a composite key (it must end with U+0000)");
        return compositeKey[..^1].Split(Separator);
    }

    private static void Validate(string part)
    {
        if (part.Contains(Separator)) throw new ContractException(ContractErrors.BadArgs, "a key part must not contain U+0000");
    }
}
