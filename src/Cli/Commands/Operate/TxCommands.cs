using System.CommandLine;
using System.Text;
using System.Text.Json;
using Chain.Cli.Output;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;
using Google.Protobuf;

namespace Chain.Cli.Commands.Operate;

internal static class TxCommands
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

    /// <summary>Signs with a keystore and submits one transaction (<see cref="Submission"/>): invoke and the operator verbs.</summary>
    public static Task<int> SubmitAsync(ParseResult parse, string channel, string contract, string function, string argsJson,
        string keyFile, string? passwordFile, bool wait, CancellationToken cancel) =>
        Submission.SubmitAsync(parse, Keystore.Read(keyFile, CliErrors.ReadPassword(passwordFile, "the signing key")), channel, contract, function, argsJson, wait, cancel);

    public static Command BuildQuery()
    {
        var channel = GlobalOptions.Channel();
        var contract = Contract();
        var function = Function();
        var args = Args();
        var command = new Command("query", "run a read-only contract function") { channel, contract, function, args, ProvenQuery.Verify, ProvenQuery.Save };
        Signer.AddTo(command);
        command.SetHandler(async (parse, cancel) =>
        {
            var argsJson = RequireJsonObject(parse.GetValue(args)!);
            using var client = GlobalOptions.Connect(parse);
            var result = Printer.ResultAsJson(await ProvenQuery.QueryAsync(parse, client, parse.GetValue(channel)!, parse.GetValue(contract)!, parse.GetValue(function)!, argsJson, cancel));
            Console.Out.WriteLine(Printer.Indented(result));
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
