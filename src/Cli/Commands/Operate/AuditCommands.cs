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
        audit.Subcommands.Add(BuildExport());
        audit.Subcommands.Add(BuildVerifyExport());
        return audit;
    }

    private const string ManifestName = "manifest.json", ConsentersFile = "consenters.bin";

    /// <summary>What <c>audit export</c> writes beside its rows: the range, the last header and its signatures, each file's SHA-256, the totals.</summary>
    private sealed record Manifest(string Channel, ulong FromBlock, ulong ToBlock, string LastBlockHash, string LastHeader, IReadOnlyList<ManifestSignature> Signatures,
        string Format, IReadOnlyList<ManifestFile> Files, IReadOnlyDictionary<string, long> TotalsFen, string ExportedAt);
    private sealed record ManifestSignature(string Signer, string Signature);
    private sealed record ManifestFile(string Name, string Sha256, long Rows);

    private static readonly JsonSerializerOptions ManifestJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The blocks from..to of a channel, each checked for its own roots and its link to the one before.</summary>
    private static async IAsyncEnumerable<Block> BlocksAsync(Sdk.Client.ChainClient client, string channel, ulong from, ulong to, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancel)
    {
        // One stream of full blocks (raw readers) rather than a call per block.
        byte[]? previous = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        using var call = client.Events.Subscribe(new SubscribeRequest { Channel = channel, StartBlock = from, IncludeFullBlock = true }, cancellationToken: stop.Token);
        for (ulong n = from; n <= to; n++)
        {
            if (!await call.ResponseStream.MoveNext(stop.Token)) throw new Sdk.Verification.VerificationException($"the node's stream of blocks ended before block {n}");
            var block = call.ResponseStream.Current.Block ?? throw new Sdk.Verification.VerificationException($"the node sent block {n} without its body");
            Sdk.Verification.ProofVerifier.CheckBody(block, $"block {n} from the node");
            if (block.Header.Number != n) throw new Sdk.Verification.VerificationException($"the node sent block {block.Header.Number} where block {n} belongs");
            if (previous is not null && !block.Header.PreviousHash.Span.SequenceEqual(previous))
                throw new Sdk.Verification.VerificationException($"block {n} does not link to block {n - 1}");
            previous = Sdk.Encoding.ProtocolHashes.BlockHash(block.Header);
            yield return block;
        }
        stop.Cancel();
    }

    /// <summary>An account's organisation, from its enrolment, asked once per account.</summary>
    private static Func<string, Task<string>> Organizations(Sdk.Client.ChainClient client, string channel, CancellationToken cancel)
    {
        var known = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        return async account =>
        {
            if (known.TryGetValue(account, out var org)) return org;
            try
            {
                var answer = await client.QueryAsync(channel, Sdk.Client.SystemContracts.Members, "get", JsonSerializer.Serialize(new { address = account }), cancel);
                using var document = JsonDocument.Parse(answer);
                org = document.RootElement.GetProperty("organization").GetString() ?? "";
            }
            catch (Grpc.Core.RpcException e) when (e.Is(Sdk.Client.ErrorCodes.Of(ValidationCode.ContractError)) || e.StatusCode == Grpc.Core.StatusCode.NotFound) { org = ""; }
            return known[account] = org;
        };
    }

    private static Command BuildExport()
    {
        var channel = GlobalOptions.Channel();
        var from = new Option<ulong>("--from-block") { Description = "first block (default 1, the first after genesis)", DefaultValueFactory = _ => 1 };
        var to = new Option<ulong?>("--to-block") { Description = "last block (default: the latest)" };
        var format = new Option<string>("--format") { Description = "csv or jsonl", DefaultValueFactory = _ => "csv" };
        format.AcceptOnlyFromAmong("csv", "jsonl");
        var output = new Option<string>("--out") { Description = "folder to write movements.csv|jsonl, consenters.bin and manifest.json into (must be empty or new)", Required = true };
        var command = new Command("export", "write every fund movement of a block range, with a manifest that proves it against the chain") { channel, from, to, format, output };
        Signer.AddTo(command);
        command.SetHandler(async (parse, cancel) =>
        {
            var name = parse.GetValue(channel)!;
            var dir = parse.GetValue(output)!;
            if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any()) throw new UsageException($"--out '{dir}' is not empty");
            using var client = GlobalOptions.Connect(parse);
            var height = (await client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = name }, cancellationToken: cancel)).Channels[0].Height;
            ulong first = parse.GetValue(from), last = parse.GetValue(to) ?? height - 1;
            if (first == 0 || first > last || last >= height) throw new UsageException($"the range must be within blocks 1..{height - 1} of channel '{name}' and --from-block ≤ --to-block");

            var started = System.Diagnostics.Stopwatch.StartNew();
            var fmt = parse.GetValue(format)!;
            var file = "movements." + fmt;
            Directory.CreateDirectory(dir);
            var totals = new SortedDictionary<string, long>(StringComparer.Ordinal);
            long rows = 0;
            Block? lastBlock = null;
            var organizationOf = Organizations(client, name, cancel);
            await using (var writer = new StreamWriter(Path.Combine(dir, file), false, new System.Text.UTF8Encoding(false)) { NewLine = "\n" })
            {
                if (fmt == "csv") await writer.WriteLineAsync(FundMovements.CsvLine(FundMovements.Columns));
                using var progress = Progress.Start($"exporting {name} blocks", (long)(last - first + 1));
                await foreach (var block in BlocksAsync(client, name, first, last, cancel))
                {
                    progress.Report((long)(block.Header.Number - first + 1));
                    await foreach (var row in FundMovements.OfAsync(block, organizationOf))
                    {
                        await writer.WriteLineAsync(fmt == "csv" ? FundMovements.CsvLine(FundMovements.Fields(row)) : FundMovements.JsonLine(row));
                        totals[row.Event] = checked(totals.GetValueOrDefault(row.Event) + row.AmountFen);
                        rows++;
                    }
                    lastBlock = block;
                }
            }
            // The consenters that vouch for the last block: the chain a receipt of its first transaction carries.
            if (lastBlock!.Transactions.Count == 0) throw new UsageException($"block {last} has no transaction to prove it by; end the export at another block");
            var anyTx = Sdk.Crypto.Hashes.ToHex(Sdk.Encoding.ProtocolHashes.TxId(lastBlock.Transactions[0].Payload.Span));
            var receipt = await client.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = name, TxId = anyTx }, cancellationToken: cancel);
            await File.WriteAllBytesAsync(Path.Combine(dir, ConsentersFile), Google.Protobuf.MessageExtensions.ToByteArray(receipt.Consenters), cancel);
            var manifest = new Manifest(name, first, last, Sdk.Crypto.Hashes.ToHex(Sdk.Encoding.ProtocolHashes.BlockHash(lastBlock.Header)),
                Convert.ToBase64String(Google.Protobuf.MessageExtensions.ToByteArray(lastBlock.Header)),
                lastBlock.Signatures.Select(s => new ManifestSignature(Sdk.Crypto.Address.ToText(s.Signer.Span), Sdk.Crypto.Hashes.ToHex(s.Signature.Span))).ToList(),
                fmt, [new ManifestFile(file, Sha256Of(Path.Combine(dir, file)), rows), new ManifestFile(ConsentersFile, Sha256Of(Path.Combine(dir, ConsentersFile)), 0)],
                totals, DateTimeOffset.UtcNow.ToOffset(DomainCli.ChinaOffset).ToString("O", CultureInfo.InvariantCulture));
            await File.WriteAllTextAsync(Path.Combine(dir, ManifestName), JsonSerializer.Serialize(manifest, ManifestJson), cancel);
            var seconds = started.Elapsed.TotalSeconds;
            var model = new { channel = name, fromBlock = first, toBlock = last, rows, file = Path.Combine(dir, file), lastBlockHash = manifest.LastBlockHash, rowsPerSecond = Math.Round(rows / seconds), seconds = Math.Round(seconds, 2) };
            Printer.Print(parse, model, () => Printer.Pairs(("channel", name), ("blocks", $"{first}..{last}"), ("rows", rows), ("file", model.file), ("last block hash", model.lastBlockHash),
                ("took", $"{seconds:F2} s ({model.rowsPerSecond} rows/s)")));
            return 0;
        });
        return command;
    }

    private static Command BuildVerifyExport()
    {
        var dir = new Argument<string>("dir") { Description = "a folder written by `chain audit export`" };
        var trust = new Option<string>("--trust") { Description = "the channel's genesis: its file or its block hash", Required = true };
        var command = new Command("verify-export", "re-check an export against the chain (any node): files, signed last block, every row, totals") { dir, trust };
        Signer.AddTo(command);
        command.SetHandler(async (parse, cancel) =>
        {
            var folder = parse.GetValue(dir)!;
            var manifestPath = Path.Combine(folder, ManifestName);
            if (!File.Exists(manifestPath)) throw new UsageException($"'{folder}' has no {ManifestName}");
            Manifest manifest;
            try { manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath), ManifestJson) ?? throw new JsonException("empty"); }
            catch (JsonException e) { throw new UsageException($"{manifestPath} is not an export manifest ({e.Message})"); }
            if (manifest.Files is not { Count: 2 } || manifest.Files[0].Name != "movements." + manifest.Format || manifest.Files[1].Name != ConsentersFile
                || manifest.Format is not ("csv" or "jsonl") || manifest.Signatures is null || manifest.TotalsFen is null || manifest.LastHeader is null)
                throw new Sdk.Verification.VerificationException($"{ManifestName} does not describe an export (files movements.csv|jsonl and {ConsentersFile}, format, header, signatures, totals)");
            foreach (var f in manifest.Files)
            {
                var path = Path.Combine(folder, f.Name);
                if (!File.Exists(path)) throw new Sdk.Verification.VerificationException($"{f.Name} is missing");
                if (Sha256Of(path) != f.Sha256) throw new Sdk.Verification.VerificationException($"{f.Name} is not the file the manifest names (its SHA-256 differs)");
            }
            // The last block: its header must be the one the manifest names, signed by consenters chained to the genesis.
            ConsenterChain consenters;
            BlockHeader header;
            try
            {
                consenters = ConsenterChain.Parser.ParseFrom(File.ReadAllBytes(Path.Combine(folder, ConsentersFile)));
                header = BlockHeader.Parser.ParseFrom(Convert.FromBase64String(manifest.LastHeader));
            }
            catch (Exception e) when (e is Google.Protobuf.InvalidProtocolBufferException or FormatException)
            {
                throw new Sdk.Verification.VerificationException($"{ConsentersFile} or the manifest's last header does not decode ({e.Message})");
            }
            var history = Sdk.Verification.ProofVerifier.VerifyConsenters(consenters, VerifyCommands.TrustedGenesis(parse.GetValue(trust)!));
            var signatures = manifest.Signatures.Select(s => new ConsenterSignature
            {
                Signer = Google.Protobuf.ByteString.CopyFrom(Sdk.Crypto.Address.TryParse(s.Signer) ?? []), Signature = Google.Protobuf.ByteString.CopyFrom(Sdk.Crypto.Hashes.TryFromHex(s.Signature) ?? []),
            }).ToList();
            var lastHash = Sdk.Verification.ProofVerifier.VerifyHeader(header, signatures, history, $"block {manifest.ToBlock}");
            if (header.Number != manifest.ToBlock || Sdk.Crypto.Hashes.ToHex(lastHash) != manifest.LastBlockHash)
                throw new Sdk.Verification.VerificationException($"the manifest's header is of block {header.Number} with hash {Sdk.Crypto.Hashes.ToHex(lastHash)}, not block {manifest.ToBlock} {manifest.LastBlockHash}");

            // Every row, re-derived from the node's blocks, which must chain up to that signed block.
            using var client = GlobalOptions.Connect(parse);
            var rowsFile = Path.Combine(folder, manifest.Files[0].Name);
            using var reader = new StreamReader(rowsFile);
            int line = 0;
            if (manifest.Format == "csv")
            {
                var columns = await reader.ReadLineAsync(cancel);
                line++;
                if (columns != FundMovements.CsvLine(FundMovements.Columns))
                    throw new Sdk.Verification.VerificationException($"line 1 of {manifest.Files[0].Name} is not the export's column header '{FundMovements.CsvLine(FundMovements.Columns)}'");
            }
            var totals = new SortedDictionary<string, long>(StringComparer.Ordinal);
            // Per project: deposits go to project:P; payments and returns come from it (BudgetStatus keeps the same three).
            var projects = new SortedDictionary<string, Dictionary<string, long>>(StringComparer.Ordinal);
            long rows = 0, paidOut = 0;
            Block? last = null;
            var organizationOf = Organizations(client, manifest.Channel, cancel);
            using var progress = Progress.Start($"checking {manifest.Channel} blocks", (long)(manifest.ToBlock - manifest.FromBlock + 1));
            await foreach (var block in BlocksAsync(client, manifest.Channel, manifest.FromBlock, manifest.ToBlock, cancel))
            {
                progress.Report((long)(block.Header.Number - manifest.FromBlock + 1));
                await foreach (var row in FundMovements.OfAsync(block, organizationOf))
                {
                    var expected = manifest.Format == "csv" ? FundMovements.CsvLine(FundMovements.Fields(row)) : FundMovements.JsonLine(row);
                    var actual = await reader.ReadLineAsync(cancel);
                    line++;
                    if (actual != expected)
                        throw new Sdk.Verification.VerificationException($"line {line} of {manifest.Files[0].Name} is not the chain's movement {row.Event} of tx {row.TxId[..12]} in block {row.Block}: {(actual is null ? "the file ends early" : $"expected '{expected}'")}");
                    totals[row.Event] = checked(totals.GetValueOrDefault(row.Event) + row.AmountFen);
                    // A payment to an executor is a sub-grant: the money stays in the charity system (a G: pool), it is not paid out.
                    if (row.Event == "DisbursementPaid" && row.Destination != "payee:Executor") paidOut = checked(paidOut + row.AmountFen);
                    if (ProjectFigure(row) is var (project, field))
                    {
                        var figures = projects.TryGetValue(project, out var f) ? f : projects[project] = new() { ["deposited"] = 0, ["paid"] = 0, ["returned"] = 0 };
                        figures[field] = checked(figures[field] + row.AmountFen);
                    }
                    rows++;
                }
                last = block;
            }
            if (await reader.ReadLineAsync(cancel) is { } extra) throw new Sdk.Verification.VerificationException($"line {line + 1} of {manifest.Files[0].Name} is not on the chain: the chain has {rows} movements in blocks {manifest.FromBlock}..{manifest.ToBlock}");
            if (!Sdk.Encoding.ProtocolHashes.BlockHash(last!.Header).AsSpan().SequenceEqual(lastHash))
                throw new Sdk.Verification.VerificationException($"the node's block {manifest.ToBlock} is not the signed block the manifest names");
            foreach (var (kind, fen) in totals.Concat(manifest.TotalsFen.Where(t => !totals.ContainsKey(t.Key))))
                if (manifest.TotalsFen.GetValueOrDefault(kind) != totals.GetValueOrDefault(kind))
                    throw new Sdk.Verification.VerificationException($"the manifest's total of {kind} is {FundMovements.Yuan(manifest.TotalsFen.GetValueOrDefault(kind))} yuan, the rows add up to {FundMovements.Yuan(totals.GetValueOrDefault(kind))}");

            var comparison = await CompareWithContractsAsync(client, manifest, totals, paidOut, projects, cancel);
            var model = new { verified = true, channel = manifest.Channel, fromBlock = manifest.FromBlock, toBlock = manifest.ToBlock, rows, totals = totals.ToDictionary(t => t.Key, t => FundMovements.Yuan(t.Value)), contracts = comparison };
            Printer.Print(parse, model, () =>
            {
                Console.Out.WriteLine($"verified: {rows} movements of channel {manifest.Channel}, blocks {manifest.FromBlock}..{manifest.ToBlock}, block {manifest.ToBlock} signed by consenters chained to the trusted genesis");
                foreach (var (kind, fen) in totals) Console.Out.WriteLine($"  {kind,-20} {FundMovements.Yuan(fen),16}");
                Console.Out.WriteLine(comparison);
            });
            return 0;
        });
        return command;
    }

    /// <summary>
    /// With the whole history (from block 1) up to the node's latest block, the totals must equal what the contract keeps:
    /// charity donated/refunded/paid out (CheckInvariants), each project's deposited/paid/returned (BudgetStatus).
    /// </summary>
    private static async Task<string> CompareWithContractsAsync(Sdk.Client.ChainClient client, Manifest manifest, SortedDictionary<string, long> totals, long paidOut,
        SortedDictionary<string, Dictionary<string, long>> projects, CancellationToken cancel)
    {
        var info = (await client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = manifest.Channel }, cancellationToken: cancel)).Channels[0];
        if (manifest.FromBlock > 1 || manifest.ToBlock != info.Height - 1)
            return $"totals not compared with the contracts: that needs an export from block 1 to the latest block (now {info.Height - 1})";
        var contract = info.Contracts.FirstOrDefault(c => c is "charity" or "demolition-fund");
        if (contract == "charity")
        {
            using var check = JsonDocument.Parse(await client.QueryAsync(manifest.Channel, "charity", "CheckInvariants", "{}", cancel));
            var kept = check.RootElement.GetProperty("totals");
            foreach (var (field, what, value) in new[] { ("donated", "DonationConfirmed", totals.GetValueOrDefault("DonationConfirmed")), ("refunded", "RefundPaid", totals.GetValueOrDefault("RefundPaid")),
                         ("paidOut", "DisbursementPaid to payees other than executors", paidOut) })
                if (kept.GetProperty(field).GetInt64() != value)
                    throw new Sdk.Verification.VerificationException($"the export's total of {what}, {FundMovements.Yuan(value)} yuan, is not the contract's {field} {FundMovements.Yuan(kept.GetProperty(field).GetInt64())}");
            return "totals equal the charity contract's donated, refunded and paid-out figures (CheckInvariants, as the node answers it)";
        }
        if (contract == "demolition-fund")
        {
            foreach (var (project, figures) in projects)
            {
                using var budget = JsonDocument.Parse(await client.QueryAsync(manifest.Channel, "demolition-fund", "BudgetStatus", JsonSerializer.Serialize(new { projectId = project }), cancel));
                foreach (var (field, value) in figures)
                    if (budget.RootElement.GetProperty(field).GetInt64() != value)
                        throw new Sdk.Verification.VerificationException($"the export's {field} of project {project}, {FundMovements.Yuan(value)} yuan, is not the contract's {FundMovements.Yuan(budget.RootElement.GetProperty(field).GetInt64())} (BudgetStatus)");
            }
            return $"totals equal the deposited, paid and returned figures of BudgetStatus for {projects.Count} project{(projects.Count == 1 ? "" : "s")} (as the node answers it)";
        }
        return "totals not compared: the channel has no domain contract";
    }

    private static (string Project, string Field)? ProjectFigure(FundMovements.Row row) => row.Event switch
    {
        "DepositConfirmed" => (row.Destination["project:".Length..], "deposited"),
        "PaymentConfirmed" => (row.Source["project:".Length..], "paid"),
        "LeftoverReturned" => (row.Source["project:".Length..], "returned"),
        _ => null,
    };

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(stream));
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
            var time = at is { } ms ? DomainCli.ShowTime(ms) + " UTC+8" : "the latest block";
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
