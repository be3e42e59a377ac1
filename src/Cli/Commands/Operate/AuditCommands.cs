using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Chain.Cli.Output;
using Chain.Protocol;
using Chain.Sdk.Client;

namespace Chain.Cli.Commands.Operate;

/// <summary><c>chain audit anomalies</c>: every regulator check of a channel's domain contract in one dated report.</summary>
internal static class AuditCommands
{
    public static Command Build()
    {
        var audit = new Command("audit", "regulators' and auditors' reports over a channel");
        audit.Subcommands.Add(BuildAnomalies());
        return audit;
    }

    /// <summary>A regulator check: the query, its arguments, and where its findings are in the answer.</summary>
    private sealed record Check(string Name, string Function, Func<long?, object> Args, params string[] Lists);

    private static readonly Check[] CharityChecks =
    [
        new("overdue disclosure", "OverdueDisclosures", asOf => new { asOf, limit = 1000 }, "items"),
        new("idle funds", "IdleFunds", asOf => new { asOf, limit = 1000 }, "items"),
        new("payment to a related party in force", "RelatedPartyHits", _ => new { limit = 1000 }, "inForce"),
        new("payment to a party declared related later", "RelatedPartyHits", _ => new { limit = 1000 }, "declaredLater"),
        new("disbursement without evidence or approved by its proposer", "UnevidencedOrSelfApproved", _ => new { limit = 1000 }, "items"),
        new("conservation law violated", "CheckInvariants", _ => new { }, "violations"),
    ];

    private static readonly Check[] FundChecks =
    [
        new("household or unit paid twice or above payable", "HouseholdsPaidTwice", _ => new { limit = 1000 }, "items"),
        new("payment without an approved agreement", "PaymentsWithoutApprovedAgreement", _ => new { limit = 1000 }, "items"),
        new("same person in two roles", "SelfApprovedOrSameActor", _ => new { limit = 1000 }, "items"),
        new("house value departs from the appraisal", "AppraisalDeviations", _ => new { limit = 1000 }, "items"),
        new("overdue payment", "OverduePayments", asOf => new { asOf, limit = 1000 }, "items"),
        new("idle project account", "IdleFunds", asOf => new { asOf }, "items"),
        new("payment to the wrong payee refused by the bank", "PayeeMismatches", _ => new { limit = 1000 }, "items"),
        new("conservation law violated", "CheckInvariants", _ => new { }, "violations"),
    ];

    private sealed record Finding(string Check, string Records, JsonObject Detail);

    private static Command BuildAnomalies()
    {
        var channel = GlobalOptions.Channel();
        var asOf = DomainCli.Time("--as-of", "judge deadlines and idleness at this time (default: the latest block's time)");
        var format = new Option<string>("--format") { Description = "table, json or csv", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");
        var projects = new Option<string[]>("--project") { Description = "also list paid households missing from every published list of this project (demolition-fund; repeatable)", AllowMultipleArgumentsPerToken = true };
        var command = new Command("anomalies", "run every regulator check of the channel's contract (charity or demolition-fund) and print one dated report") { channel, asOf, format, projects };
        Signer.AddTo(command);
        command.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse);
            var name = parse.GetValue(channel)!;
            var info = (await client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = name }, cancellationToken: cancel)).Channels[0];
            var contract = info.Contracts.FirstOrDefault(c => c is "charity" or "demolition-fund")
                ?? throw new UsageException($"channel '{name}' has neither the charity nor the demolition-fund contract");
            var at = DomainCli.Millis(parse, asOf);
            var checks = (contract == "charity" ? CharityChecks : FundChecks).ToList();
            foreach (var project in parse.GetValue(projects) ?? [])
                checks.Add(new($"paid household not on a published list of {project}", "UnpublishedPaidHouseholds", _ => new { projectId = project }, "items"));

            var findings = new List<Finding>();
            var answers = new Dictionary<string, JsonNode?>();
            foreach (var check in checks)
            {
                var key = check.Function + JsonSerializer.Serialize(check.Args(at));
                if (!answers.TryGetValue(key, out var answer))
                    answers[key] = answer = YuanJson.Convert(contract, await client.QueryAsync(name, contract, check.Function, JsonSerializer.Serialize(check.Args(at)), cancel));
                foreach (var list in check.Lists)
                    foreach (var item in answer?[list]?.AsArray() ?? [])
                        if (item is JsonObject found) findings.Add(new Finding(check.Name, Records(found), (JsonObject)found.DeepClone()));
            }
            // Without --as-of the contracts judge at their latest block's time.
            var time = at is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms).ToOffset(DomainCli.ChinaOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC+8" : "the latest block";
            var title = $"anomalies on channel {name} ({contract}) as of {time}, at height {info.Height}: {findings.Count} finding{(findings.Count == 1 ? "" : "s")} in {checks.Count} checks";
            var output = Printer.IsJson(parse) ? "json" : parse.GetValue(format);
            switch (output)
            {
                case "json":
                    Console.Out.WriteLine(Printer.Indented(new JsonObject
                    {
                        ["channel"] = name, ["contract"] = contract, ["asOf"] = time, ["height"] = info.Height,
                        ["checks"] = new JsonArray(checks.Select(c => (JsonNode)JsonValue.Create(c.Name)!).ToArray()),
                        ["findings"] = new JsonArray(findings.Select(f => (JsonNode)new JsonObject { ["check"] = f.Check, ["records"] = f.Records, ["detail"] = f.Detail }).ToArray()),
                    }));
                    break;
                case "csv":
                    Console.Out.WriteLine("as_of,channel,height,check,records,detail");
                    foreach (var f in findings) Console.Out.WriteLine(string.Join(",", Csv(time), Csv(name), info.Height, Csv(f.Check), Csv(f.Records), Csv(f.Detail.ToJsonString(Compact))));
                    break;
                default:
                    Console.Out.WriteLine(title);
                    foreach (var check in checks)
                    {
                        var mine = findings.Where(f => f.Check == check.Name).ToList();
                        Console.Out.WriteLine($"  {(mine.Count == 0 ? "ok " : "!! ")} {check.Name}: {mine.Count}");
                        foreach (var f in mine) Console.Out.WriteLine($"       {f.Records}  {f.Detail.ToJsonString(Compact)}");
                    }
                    if (findings.Count > 0)
                        Console.Out.WriteLine($"prove a record: chain history subject KIND ID -c {name} --verify GENESIS (each record above is KIND:ID)");
                    break;
            }
            return 0;
        });
        return command;
    }

    /// <summary>The records a finding names: its fields "&lt;kind&gt;Id" as KIND:ID, the same kinds the domain history is keyed by.</summary>
    private static string Records(JsonObject item) =>
        string.Join(" ", item.Where(p => p.Key.Length > 2 && p.Key.EndsWith("Id", StringComparison.Ordinal) && p.Value is JsonValue v && v.TryGetValue<string>(out _))
            .Select(p => $"{p.Key[..^2]}:{p.Value}"));

    private static readonly JsonSerializerOptions Compact = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static string Csv(string value) => value.IndexOfAny([',', '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"") + "\"";
}
