using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chain.Cli.Output;
using Chain.Contracts.Abstractions;
using Chain.Contracts.Domain;
using Chain.Protocol;
using Chain.Sdk.Client;

namespace Chain.Cli.Commands;

/// <summary>
/// The shared body of the domain command groups (<c>chain charity</c>, <c>chain fund</c>): sign and submit a
/// contract call and wait for its block, or evaluate a query, and print the result with amounts in yuan.
/// </summary>
internal static class DomainCli
{
    public static readonly TimeSpan ChinaOffset = TimeSpan.FromHours(8);

    /// <summary>A command whose handler sends one signed call built from the parsed options.</summary>
    public static Command Invoke(string name, string description, Option<string> channel, string contract, string function, Func<ParseResult, object> args, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols) Add(command, symbol);
        command.SetHandler((parse, cancel) => SubmitAsync(parse, parse.GetValue(channel)!, contract, function, args(parse), cancel));
        return command;
    }

    /// <summary>A command whose handler evaluates one query; <paramref name="table"/> renders it for people.</summary>
    public static Command Query(string name, string description, Option<string> channel, string contract, string function, Func<ParseResult, object> args,
        Action<JsonNode>? table, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols) Add(command, symbol);
        command.Options.Add(ProvenQuery.Verify);
        command.Options.Add(ProvenQuery.Save);
        command.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse);
            var result = YuanJson.Convert(contract, await ProvenQuery.QueryAsync(parse, client, parse.GetValue(channel)!, contract, function, Serialize(args(parse)), cancel));
            if (Printer.IsJson(parse) || table is null || result is null) Console.Out.WriteLine(Printer.Indented(result));
            else table(result);
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The contract's CheckInvariants query: prints what was checked and every violation; exits with 1 when the
    /// ledger breaks a conservation law, so scripts and monitors can run it.
    /// </summary>
    public static Command Check(string name, string description, Option<string> channel, string contract, Func<ParseResult, object> args, params Symbol[] symbols)
    {
        var command = new Command(name, description);
        foreach (var symbol in symbols) Add(command, symbol);
        command.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse);
            var result = YuanJson.Convert(contract, await client.QueryAsync(parse.GetValue(channel)!, contract, "CheckInvariants", Serialize(args(parse)), cancel))!;
            bool sound = result["sound"]!.GetValue<bool>();
            if (Printer.IsJson(parse)) Console.Out.WriteLine(Printer.Indented(result));
            else
            {
                var counts = result["checked"]!.AsArray().Select(c => $"{c!["count"]} {c["what"]}");
                Console.Out.WriteLine($"{(sound ? "sound" : "VIOLATIONS FOUND")}: checked {string.Join(", ", counts)}");
                foreach (var violation in result["violations"]!.AsArray())
                    Console.Out.WriteLine($"  {violation!["law"]}  {violation["subject"]}: {violation["detail"]}");
            }
            if (!sound) Console.Error.WriteLine($"error: {result["violations"]!.AsArray().Count} conservation law violation(s) on channel {parse.GetValue(channel)}");
            return sound ? 0 : 1;
        });
        return command;
    }

    private static void Add(Command command, Symbol symbol)
    {
        switch (symbol)
        {
            case Option option: command.Options.Add(option); break;
            case Argument argument: command.Arguments.Add(argument); break;
        }
    }

    /// <summary>A call's arguments in the contracts' own encoding (<see cref="ContractJson"/>): the argument records serialize as the contracts parse them.</summary>
    public static string Serialize(object args) => JsonSerializer.Serialize(args, args.GetType(), ContractJson.Options);

    /// <summary>A domain verb's signed call (<see cref="Submission"/>), signed by <c>--key</c> or <c>--as</c>, waiting for its block.</summary>
    public static Task<int> SubmitAsync(ParseResult parse, string channel, string contract, string function, object args, CancellationToken cancel) =>
        Submission.SubmitAsync(parse, Signer.Load(parse), channel, contract, function, Serialize(args), wait: true, cancel);

    // ---- option builders and parsers ----

    public static Option<string> Text(string name, string description, bool required = true) => new(name) { Description = description, Required = required };
    public static Option<string?> OptionalText(string name, string description) => new(name) { Description = description };
    public static Option<string> Amount(string name, string description) => new(name) { Description = description + " (yuan, e.g. 200.00)", Required = true };
    public static Option<string?> OptionalAmount(string name, string description) => new(name) { Description = description + " (yuan, e.g. 200.00)" };
    public static Option<string?> Time(string name, string description) => new(name) { Description = description + " (yyyy-MM-dd or ISO 8601; China time unless an offset is given)" };
    public static Argument<string> Id(string name, string description) => new(name) { Description = description };

    public static long Fen(ParseResult parse, Option<string> option) => ParseFen(parse.GetValue(option)!, option.Name);

    public static long? OptionalFen(ParseResult parse, Option<string?> option) => parse.GetValue(option) is { } text ? ParseFen(text, option.Name) : null;

    public static long ParseFen(string text, string name) =>
        Money.TryParse(text, out var fen, out var error) ? fen : throw new UsageException($"{name}: {error}");

    /// <summary>An enum option read with the contracts' own rule (<see cref="ContractArgs.ParseEnum{TEnum}"/>), so the CLI refuses what the contract would.</summary>
    public static TEnum Enum<TEnum>(ParseResult parse, Option<string> option) where TEnum : struct, System.Enum => ParseEnum<TEnum>(parse.GetValue(option)!, option.Name);

    public static TEnum Enum<TEnum>(ParseResult parse, Option<string?> option, TEnum fallback) where TEnum : struct, System.Enum =>
        parse.GetValue(option) is { } text ? ParseEnum<TEnum>(text, option.Name) : fallback;

    public static TEnum? OptionalEnum<TEnum>(ParseResult parse, Option<string?> option) where TEnum : struct, System.Enum =>
        parse.GetValue(option) is { } text ? ParseEnum<TEnum>(text, option.Name) : null;

    public static TEnum ParseEnum<TEnum>(string text, string name) where TEnum : struct, System.Enum
    {
        try { return ContractArgs.ParseEnum<TEnum>(name, text); }
        catch (ContractException e) { throw new UsageException(e.Message); }
    }

    public static long? Millis(ParseResult parse, Option<string?> option) => parse.GetValue(option) is { } text ? ParseTime(text, option.Name) : null;

    public static long ParseTime(string text, string name)
    {
        if (DateTimeOffset.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            return new DateTimeOffset(DateTime.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture), ChinaOffset).ToUnixTimeMilliseconds();
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var parsed))
        {
            bool hasOffset = text.EndsWith('Z') || text.Contains('+') || text.LastIndexOf('-') > 9;
            return (hasOffset ? parsed : new DateTimeOffset(parsed.DateTime, ChinaOffset)).ToUnixTimeMilliseconds();
        }
        throw new UsageException($"{name}: '{text}' is not a date (use yyyy-MM-dd or ISO 8601)");
    }

    public static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static string ShowTime(JsonNode? ms) => ms is JsonValue v && v.TryGetValue<long>(out var value) ? ShowTime(value) : "-";

    /// <summary>A time as people here read it: China time, to the minute.</summary>
    public static string ShowTime(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(ChinaOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    /// <summary>A SHA-256 hex digest given directly, or computed from a file (evidence stays off chain; only its hash goes on).</summary>
    public static string HashArgument(string value, string name)
    {
        if (value.Length == 64 && value.All(char.IsAsciiHexDigit)) return value.ToLowerInvariant();
        if (File.Exists(value)) return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(value)));
        throw new UsageException($"{name}: '{value}' is neither a SHA-256 hex digest nor an existing file");
    }

    public static string Short(JsonNode? node, int length = 12) => node?.GetValue<string>() is { } text && text.Length > length ? text[..length] + "…" : node?.ToString() ?? "-";
}
