using System.CommandLine;
using System.Globalization;
using Chain.Cli.Output;
using Chain.Protocol;
using Chain.Sdk.Verification;

namespace Chain.Cli.Commands.Operate;

/// <summary><c>chain history subject|account</c>: the actions on one domain object, or of one account, in block order, page by page.</summary>
internal static class HistoryCommands
{
    public static Command Build()
    {
        var history = new Command("history", "every action on a domain object, or every transaction of an account, in block order (raw readers)");
        history.Subcommands.Add(BuildSubject());
        history.Subcommands.Add(BuildAccount());
        return history;
    }

    private static (Option<uint> PageSize, Option<string?> PageToken, Option<bool> All, Option<string?> Trust) PagingOptions() => (
        new Option<uint>("--page-size") { Description = "entries per page (default 100; with --verify at most 100)" },
        new Option<string?>("--page-token") { Description = "continue from a previous page's next page token" },
        new Option<bool>("--all") { Description = "follow the pages to the end" },
        new Option<string?>("--verify") { Description = "also fetch each entry's transaction proof and check it against this genesis (file or hash)" });

    private static Command BuildSubject()
    {
        var channel = GlobalOptions.Channel();
        var kind = new Argument<string>("kind") { Description = "the object's kind, as its events name it: donation, campaign, household, agreement, project, …" };
        var id = new Argument<string>("id") { Description = "the object's id" };
        var contract = new Option<string>("--contract") { Description = "contract whose events to follow (default: the channel's name)" };
        var (pageSize, pageToken, all, verify) = PagingOptions();
        var command = new Command("subject", "every event that names one domain object (a field \"<kind>Id\" equal to its id), oldest first") { kind, id, channel, contract, pageSize, pageToken, all, verify };
        Signer.AddTo(command);
        command.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse);
            var genesis = parse.GetValue(verify) is { } trust ? VerifyCommands.TrustedGenesis(trust) : null;
            var request = new SubjectHistoryRequest
            {
                Channel = parse.GetValue(channel)!, Contract = parse.GetValue(contract) ?? parse.GetValue(channel)!, Kind = parse.GetValue(kind)!, Id = parse.GetValue(id)!,
                PageSize = parse.GetValue(pageSize), PageToken = parse.GetValue(pageToken) ?? "", WithReceipts = genesis is not null,
            };
            var entries = new List<SubjectEvent>();
            string next;
            do
            {
                var page = await client.Ledger.GetSubjectHistoryAsync(request, cancellationToken: cancel);
                if (genesis is not null)
                {
                    var proven = CheckPage(page.Inclusions, page.Consenters, genesis, page.Entries.Select(e => (e.TxId, e.BlockNumber)).ToList());
                    for (int i = 0; i < page.Entries.Count; i++)
                    {
                        var entry = page.Entries[i];
                        var events = proven[i].Result.Events;
                        if (entry.EventIndex >= events.Count || events[(int)entry.EventIndex] is not { } ev || ev.Name != entry.Name || ev.Contract != entry.Contract || ev.Payload != entry.Payload)
                            throw new VerificationException($"entry {i + 1} ({entry.Name} in block {entry.BlockNumber}) is not event {entry.EventIndex} of its proven transaction");
                        if (ev.Contract != request.Contract || !Sdk.Verification.EventSubjects.Of(ev.Payload).Contains((request.Kind, request.Id)))
                            throw new VerificationException($"entry {i + 1} ({entry.Name} in block {entry.BlockNumber}) does not name {request.Kind} {request.Id} of {request.Contract}");
                        if (entry.Creator != Sdk.Crypto.Address.ToText(proven[i].Payload.Creator.Span) || entry.TimestampMs != proven[i].Header.TimestampMs)
                            throw new VerificationException($"entry {i + 1} ({entry.Name} in block {entry.BlockNumber}) names another signer or time than its proven transaction");
                    }
                }
                entries.AddRange(page.Entries);
                next = request.PageToken = page.NextPageToken;
            } while (parse.GetValue(all) && next.Length > 0);
            var model = new
            {
                entries = entries.Select(e => new { block = e.BlockNumber, time = DomainCli.ShowTime(e.TimestampMs), e.Name, txId = e.TxId, e.Creator, payload = Names.Utf8OrHex(e.Payload) }).ToArray(),
                verified = genesis is not null, nextPageToken = next,
            };
            Printer.Print(parse, model, () =>
            {
                Console.Out.WriteLine($"{"BLOCK",7}  {"TIME (UTC+8)",-16}  {"EVENT",-24}  {"TX",-12}  CREATOR");
                foreach (var e in model.entries) Console.Out.WriteLine($"{e.block,7}  {e.time,-16}  {e.Name,-24}  {e.txId[..12],-12}  {e.Creator}");
                Footer(model.entries.Length, next, model.verified);
            });
            return 0;
        });
        return command;
    }

    private static Command BuildAccount()
    {
        var channel = GlobalOptions.Channel();
        var account = new Argument<string>("account") { Description = "the account's 0x address" };
        var (pageSize, pageToken, all, verify) = PagingOptions();
        var command = new Command("account", "every transaction an account signed on the channel, VALID or refused, oldest first") { account, channel, pageSize, pageToken, all, verify };
        Signer.AddTo(command);
        command.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse);
            var genesis = parse.GetValue(verify) is { } trust ? VerifyCommands.TrustedGenesis(trust) : null;
            var request = new AccountActivityRequest
            {
                Channel = parse.GetValue(channel)!, Account = parse.GetValue(account)!, PageSize = parse.GetValue(pageSize), PageToken = parse.GetValue(pageToken) ?? "", WithReceipts = genesis is not null,
            };
            var entries = new List<AccountAction>();
            string next;
            do
            {
                var page = await client.Ledger.GetAccountActivityAsync(request, cancellationToken: cancel);
                if (genesis is not null)
                {
                    var proven = CheckPage(page.Inclusions, page.Consenters, genesis, page.Entries.Select(e => (e.TxId, e.BlockNumber)).ToList());
                    var requested = Sdk.Crypto.Address.TryParse(request.Account);
                    for (int i = 0; i < page.Entries.Count; i++)
                    {
                        var (entry, tx) = (page.Entries[i], proven[i]);
                        if (requested is null || !tx.Payload.Creator.Span.SequenceEqual(requested))
                            throw new VerificationException($"entry {i + 1} (tx {entry.TxId[..12]}) was signed by {Sdk.Crypto.Address.ToText(tx.Payload.Creator.Span)}, not {request.Account}");
                        if (entry.Contract != tx.Payload.Contract || entry.Function != tx.Payload.Function || entry.Code != tx.Result.Code || entry.Message != tx.Result.Message
                            || entry.TimestampMs != tx.Header.TimestampMs || entry.TxIndex != page.Inclusions[i].TxIndex)
                            throw new VerificationException($"entry {i + 1} (tx {entry.TxId[..12]}) does not show its proven call, outcome and time");
                    }
                }
                entries.AddRange(page.Entries);
                next = request.PageToken = page.NextPageToken;
            } while (parse.GetValue(all) && next.Length > 0);
            var model = new
            {
                entries = entries.Select(e => new { block = e.BlockNumber, time = DomainCli.ShowTime(e.TimestampMs), call = $"{e.Contract}.{e.Function}", txId = e.TxId, code = Names.Code(e.Code), e.Message }).ToArray(),
                verified = genesis is not null, nextPageToken = next,
            };
            Printer.Print(parse, model, () =>
            {
                Console.Out.WriteLine($"{"BLOCK",7}  {"TIME (UTC+8)",-16}  {"CALL",-32}  {"TX",-12}  CODE");
                foreach (var e in model.entries) Console.Out.WriteLine($"{e.block,7}  {e.time,-16}  {e.call,-32}  {e.txId[..12],-12}  {e.code}{(e.Message.Length > 0 ? "  " + e.Message : "")}");
                Footer(model.entries.Length, next, model.verified);
            });
            return 0;
        });
        return command;
    }

    /// <summary>Each entry must be the transaction its proof proves, in the block it names.</summary>
    private static IReadOnlyList<VerifiedTx> CheckPage(IReadOnlyList<TxInclusion> inclusions, ConsenterChain consenters, byte[] genesis, IReadOnlyList<(string TxId, ulong Block)> entries)
    {
        if (inclusions.Count != entries.Count) throw new VerificationException($"the node proved {inclusions.Count} of the page's {entries.Count} entries");
        var verified = ProofVerifier.VerifyInclusions(inclusions, consenters, genesis);
        for (int i = 0; i < entries.Count; i++)
            if (verified[i].TxId != entries[i].TxId || verified[i].Header.Number != entries[i].Block)
                throw new VerificationException($"entry {i + 1} names transaction {entries[i].TxId} in block {entries[i].Block}, its proof is of {verified[i].TxId} in block {verified[i].Header.Number}");
        return verified;
    }

    private static void Footer(int count, string next, bool verified)
    {
        Console.Out.WriteLine($"{count} entr{(count == 1 ? "y" : "ies")}{(verified ? ", each transaction verified against the genesis (an entry the node left out cannot be seen)" : "")}");
        if (next.Length > 0) Console.Out.WriteLine($"more: --page-token {next}");
    }
}
