using System.CommandLine;
using System.Text;
using System.Text.Json;
using Chain.Cli.Output;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;
using Google.Protobuf;

namespace Chain.Cli.Commands;

public static class TxCommands
{
    private static Option<string> Contract() => new("--contract", "-k") { Description = "contract name", Required = true };
    private static Option<string> Function() => new("--fn", "-f") { Description = "function name", Required = true };
    private static Option<string> Args() => new("--args", "-a") { Description = "arguments as a JSON object", DefaultValueFactory = _ => "{}" };

    public static Command BuildInvoke()
    {
        var channel = GlobalOptions.Channel();
        var contract = Contract();
        var function = Function();
        var args = Args();
        var keyFile = new Option<string>("--key") { Description = "keystore file of the signing account", Required = true };
        var passwordFile = GlobalOptions.PasswordFile();
        var wait = new Option<bool>("--wait", "-w") { Description = "wait until the transaction is in a committed block" };
        var command = new Command("invoke", "sign and submit a transaction") { channel, contract, function, args, keyFile, passwordFile, wait };
        command.SetHandler((parse, cancel) => SubmitAsync(parse, parse.GetValue(channel)!, parse.GetValue(contract)!, parse.GetValue(function)!,
            RequireJsonObject(parse.GetValue(args)!), parse.GetValue(keyFile)!, parse.GetValue(passwordFile), parse.GetValue(wait), cancel));
        return command;
    }

    /// <summary>Signs and submits one transaction and prints the outcome; the shared body of every state-changing command.</summary>
    public static async Task<int> SubmitAsync(ParseResult parse, string channel, string contract, string function, string argsJson,
        string keyFile, string? passwordFile, bool wait, CancellationToken cancel)
    {
        var key = Keystore.Read(keyFile, CliErrors.ReadPassword(passwordFile, "the signing key"));
        var tx = TransactionFactory.Create(key, channel, contract, function, argsJson);
        using var client = GlobalOptions.Connect(parse);
        if (!wait)
        {
            var submitted = await client.Gateway.SubmitAsync(new SubmitRequest { Transaction = tx }, cancellationToken: cancel);
            Printer.Print(parse, new { txId = submitted.TxId, status = "SUBMITTED" }, () => Printer.Pairs(("tx", submitted.TxId), ("status", "SUBMITTED")));
            return 0;
        }
        var status = await client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = tx }, cancellationToken: cancel);
        var code = Names.Code(status.Code);
        Printer.Print(parse, new { txId = status.TxId, block = status.BlockNumber, code, message = status.Message },
            () => Printer.Pairs(("tx", status.TxId), ("block", status.BlockNumber), ("code", code), ("message", status.Message)));
        if (status.Code != ValidationCode.Valid)
        {
            Console.Error.WriteLine($"error: transaction committed as {code}: {status.Message}");
            return 1;
        }
        return 0;
    }

    public static Command BuildQuery()
    {
        var channel = GlobalOptions.Channel();
        var contract = Contract();
        var function = Function();
        var args = Args();
        var command = new Command("query", "run a read-only contract function") { channel, contract, function, args };
        command.SetHandler(async (parse, cancel) =>
        {
            var argsJson = RequireJsonObject(parse.GetValue(args)!);
            using var client = GlobalOptions.Connect(parse);
            var response = await client.Gateway.EvaluateAsync(new EvaluateRequest
            {
                Channel = parse.GetValue(channel)!, Contract = parse.GetValue(contract)!, Function = parse.GetValue(function)!,
                Args = ByteString.CopyFromUtf8(argsJson),
            }, cancellationToken: cancel);
            var result = Printer.ResultAsJson(response.Result.ToByteArray());
            Console.Out.WriteLine(result?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) ?? "null");
            return 0;
        });
        return command;
    }

    public static string RequireJsonObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new UsageException($"--args must be a JSON object, got {document.RootElement.ValueKind}");
        }
        catch (JsonException e) { throw new UsageException($"--args is not valid JSON: {e.Message}"); }
        return json;
    }
}

public static class Names
{
    public static string Code(ValidationCode code) => ErrorCodes.NameOf(code);

    public static string Hex(ByteString bytes) => Hashes.ToHex(bytes.Span);

    public static string Utf8OrHex(ByteString bytes)
    {
        try { return new UTF8Encoding(false, true).GetString(bytes.Span); }
        catch (DecoderFallbackException) { return "0x" + Hex(bytes); }
    }
}
