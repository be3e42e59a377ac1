namespace Chain.Node.Membership;

/// <summary>
/// Parses policy expressions:
/// <code>
/// policy    := expr
/// expr      := implicit
///            | "AND" "(" expr ("," expr)* ")"
///            | "OR" "(" expr ("," expr)* ")"
///            | "OutOf" "(" integer "," expr ("," expr)* ")"
///            | principal
/// implicit  := ("ANY" | "ALL" | "MAJORITY") role          e.g.  MAJORITY admin, OR(ANY regulator, ANY auditor)
/// principal := Org.role   or   'Org.role'                  e.g.  Bank.bank
/// </code>
/// Keywords are case-insensitive; names are letters, digits, '-' and '_'. Errors give the 1-based column
/// and what was expected there.
/// </summary>
internal sealed class PolicyParser
{
    private readonly string _text;
    private int _position;

    private PolicyParser(string text) => _text = text;

    public static Policy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parser = new PolicyParser(text);
        var policy = parser.ParsePolicy();
        parser.SkipSpace();
        if (parser._position < text.Length) throw parser.Error("end of policy");
        return policy;
    }

    public static bool TryParse(string text, out Policy? policy, out string? error)
    {
        try
        {
            policy = Parse(text);
            error = null;
            return true;
        }
        catch (PolicyParseException e)
        {
            policy = null;
            error = e.Message;
            return false;
        }
    }

    private Policy ParsePolicy() => ParseExpr();

    /// <summary>An implicit-meta rule (ANY|ALL|MAJORITY role) here, or null (position unchanged).</summary>
    private ImplicitMeta? TryParseImplicit()
    {
        SkipSpace();
        var word = PeekWord();
        bool isPrincipal = word is not null && _position + word.Length < _text.Length && _text[_position + word.Length] == '.';
        if (word is null || isPrincipal || !IsKeyword(word, "ANY", "ALL", "MAJORITY") || !Enum.TryParse<MetaRule>(word, ignoreCase: true, out var rule)) return null;
        _position += word.Length;
        SkipSpace();
        var role = ReadName("a role name after " + word.ToUpperInvariant());
        return new ImplicitMeta(rule, role);
    }

    private Policy ParseExpr()
    {
        if (TryParseImplicit() is { } implicitRule) return implicitRule;
        SkipSpace();
        var word = PeekWord();
        if (word is not null && IsKeyword(word, "AND", "OR", "OUTOF") && NextNonSpaceAfter(word.Length) == '(')
        {
            _position += word.Length;
            Expect('(');
            var name = word.ToUpperInvariant();
            int required = 0;
            if (name == "OUTOF")
            {
                required = ReadInteger();
                Expect(',');
            }
            var parts = new List<Policy> { ParseExpr() };
            while (TryConsume(',')) parts.Add(ParseExpr());
            Expect(')');
            return name switch
            {
                "AND" => new OutOf(parts.Count, parts, "AND"),
                "OR" => new OutOf(1, parts, "OR"),
                _ when required < 1 || required > parts.Count =>
                    throw new PolicyParseException($"OutOf needs between 1 and {parts.Count} of its {parts.Count} parts, got {required}"),
                _ => new OutOf(required, parts),
            };
        }
        return ParsePrincipal();
    }

    private Principal ParsePrincipal()
    {
        SkipSpace();
        bool quoted = TryConsume('\'');
        var org = ReadName("a principal (Org.role), AND(, OR( or OutOf(");
        if (!TryConsume('.')) throw Error($"'.' between organisation '{org}' and a role");
        var role = ReadName("a role name after '" + org + ".'");
        if (quoted && !TryConsume('\'')) throw Error("closing quote");
        return new Principal(org, role);
    }

    private static bool IsKeyword(string word, params string[] keywords) => keywords.Any(k => string.Equals(k, word, StringComparison.OrdinalIgnoreCase));

    private string? PeekWord()
    {
        int end = _position;
        while (end < _text.Length && IsNameChar(_text[end])) end++;
        return end > _position ? _text[_position..end] : null;
    }

    private char? NextNonSpaceAfter(int length)
    {
        int i = _position + length;
        while (i < _text.Length && char.IsWhiteSpace(_text[i])) i++;
        return i < _text.Length ? _text[i] : null;
    }

    private string ReadName(string expected)
    {
        SkipSpace();
        int start = _position;
        while (_position < _text.Length && IsNameChar(_text[_position])) _position++;
        if (_position == start) throw Error(expected);
        return _text[start.._position];
    }

    private int ReadInteger()
    {
        SkipSpace();
        int start = _position;
        while (_position < _text.Length && char.IsAsciiDigit(_text[_position])) _position++;
        if (_position == start || !int.TryParse(_text.AsSpan(start, _position - start), out var value)) throw Error("a whole number");
        return value;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c)) throw Error($"'{c}'");
    }

    private bool TryConsume(char c)
    {
        SkipSpace();
        if (_position < _text.Length && _text[_position] == c) { _position++; return true; }
        return false;
    }

    private void SkipSpace()
    {
        while (_position < _text.Length && char.IsWhiteSpace(_text[_position])) _position++;
    }

    private static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';

    private PolicyParseException Error(string expected)
    {
        var found = _position < _text.Length ? $"'{_text[_position]}'" : "end of text";
        return new PolicyParseException($"at column {_position + 1}: expected {expected}, found {found} in \"{_text}\"");
    }
}

internal sealed class PolicyParseException(string message) : Exception(message);
