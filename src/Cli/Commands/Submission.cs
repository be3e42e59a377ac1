using System.CommandLine;
using Chain.Cli.Output;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Transactions;

namespace Chain.Cli.Commands;

/// <summary>
/// The one way the CLI sends a signed call, for <c>chain invoke</c>, the operator verbs and every domain verb: sign,
/// submit, wait for the block unless told not to, print the outcome; a call that committed as anything but VALID
/// exits 1 with one line naming the function and the refusal.
/// </summary>
internal static class Submission
{
    public static async Task<int> SubmitAsync(ParseResult parse, AccountKey signer, string channel, string contract, string function, string argsJson, bool wait, CancellationToken cancel)
    {
        using var client = GlobalOptions.Connect(parse);
        if (!wait)
        {
            var txId = await client.SubmitAsync(TransactionFactory.Create(signer, channel, contract, function, argsJson), GlobalOptions.Retry(parse), cancel);
            Printer.Print(parse, new { txId, status = "SUBMITTED" }, () => Printer.Pairs(("function", function), ("tx", txId), ("status", "SUBMITTED")));
            return 0;
        }
        var status = await client.InvokeAsync(signer, channel, contract, function, argsJson, cancel, GlobalOptions.Retry(parse));
        var code = ErrorCodes.NameOf(status.Code);
        Printer.Print(parse, new { txId = status.TxId, block = status.BlockNumber, code, message = status.Message },
            () => Printer.Pairs(("function", function), ("tx", status.TxId), ("block", status.BlockNumber), ("code", code)));
        if (status.Code == ValidationCode.Valid) return 0;
        Console.Error.WriteLine($"error: {function} refused: {status.Message}");
        return 1;
    }
}
