using System.CommandLine;
using Chain.Cli.Output;
using Chain.Node.Configuration;
using Chain.Node.Ledger;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;

namespace Chain.Cli.Commands.Operate;

internal static class LedgerCommands
{
    public static Command BuildStatus()
    {
        var command = new Command("status", "show the node, its channels, heights and last block hashes");
        command.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse);
            var info = await client.Ledger.GetChainInfoAsync(new ChainInfoRequest(), deadline: DateTime.UtcNow.AddSeconds(10), cancellationToken: cancel);
            // An expiring certificate is among the node's reported problems, printed below.
            string? tlsExpires = info.TlsCertificateExpiresMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(info.TlsCertificateExpiresMs).ToString("yyyy-MM-dd") : null;
            var channels = info.Channels.Select(c => new
            {
                channel = c.Channel, role = c.Role, consensus = c.Consensus, term = c.Term, leader = c.Leader, height = c.Height, lastBlockHash = Names.Hex(c.LastBlockHash), stateRoot = Names.Hex(c.StateRoot), contracts = c.Contracts.ToArray(),
                problems = c.Problems.ToArray(), pending = c.PendingTransactions, commitLag = c.CommitLag, storeBytes = c.StoreBytes,
            }).ToArray();
            string? httpApi = info.HttpListen is "" ? null : info.HttpListen, metrics = info.OperationsListen is "" ? null : $"http://{info.OperationsListen}/metrics";
            var problems = info.Problems.Concat(info.Channels.SelectMany(c => c.Problems)).ToArray();
            Printer.Print(parse, new { node = info.NodeId, address = info.NodeAddress, version = info.Version, tlsCertificateExpires = tlsExpires, httpApi, metrics, problems = info.Problems.ToArray(), channels }, () =>
            {
                Printer.Pairs(("node", info.NodeId), ("address", info.NodeAddress), ("version", info.Version), ("tls certificate", tlsExpires is null ? "none" : $"{info.TlsCertificateSubject}, expires {tlsExpires}"),
                    ("http api", httpApi ?? "off"), ("metrics", metrics ?? "off"));
                Console.Out.WriteLine();
                Console.Out.WriteLine($"{"CHANNEL",-18} {"ROLE",-10} {"TERM",5} {"LEADER",-10} {"HEIGHT",8} {"PENDING",7} {"LAG",5} {"STORE",9}  LAST BLOCK HASH");
                foreach (var c in channels)
                    Console.Out.WriteLine($"{c.channel,-18} {c.role,-10} {(c.consensus == "raft" ? c.term.ToString() : "-"),5} {(c.consensus == "raft" ? (c.leader is "" ? "(none)" : c.leader) : "-"),-10} {c.height,8} {c.pending,7} {c.commitLag,5} {Names.Bytes(c.storeBytes),9}  {c.lastBlockHash}");
            });
            // What the health check reports, one line each; a halted channel makes the command fail, for monitors.
            foreach (var problem in problems) Console.Error.WriteLine($"warning: {problem}");
            return info.Channels.Any(c => c.Role == "halted") ? 1 : 0;
        });
        return command;
    }

    public static Command BuildBlock()
    {
        var channel = GlobalOptions.Channel();
        var number = new Argument<ulong>("number") { Description = "block number" };
        var get = new Command("get", "show a block") { number, channel };
        Signer.AddTo(get);
        get.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse);
            var block = await client.Ledger.GetBlockByNumberAsync(new BlockByNumberRequest { Channel = parse.GetValue(channel)!, Number = parse.GetValue(number) }, cancellationToken: cancel);
            var h = block.Header;
            var model = new
            {
                channel = h.Channel, number = h.Number, hash = Hashes.ToHex(ProtocolHashes.BlockHash(h)), previousHash = Names.Hex(h.PreviousHash),
                txRoot = Names.Hex(h.TxRoot), resultsRoot = Names.Hex(h.ResultsRoot), stateRoot = Names.Hex(h.StateRoot),
                timestamp = DateTimeOffset.FromUnixTimeMilliseconds(h.TimestampMs).ToString("O"), proposer = h.Proposer,
                transactions = block.Transactions.Select((t, i) => new
                {
                    txId = Hashes.ToHex(ProtocolHashes.TxId(t.Payload.Span)), code = Names.Code(block.Results[i].Code), message = block.Results[i].Message,
                }).ToArray(),
                signers = block.Signatures.Select(s => Address.ToText(s.Signer.Span)).ToArray(),
            };
            Printer.Print(parse, model, () =>
            {
                Printer.Pairs(("channel", model.channel), ("number", model.number), ("hash", model.hash), ("previous", model.previousHash),
                    ("tx root", model.txRoot), ("results root", model.resultsRoot), ("state root", model.stateRoot), ("time", model.timestamp),
                    ("proposer", model.proposer), ("signers", string.Join(", ", model.signers)), ("transactions", model.transactions.Length));
                foreach (var t in model.transactions) Console.Out.WriteLine($"  {t.txId}  {t.code}{(t.message.Length > 0 ? "  " + t.message : "")}");
            });
            return 0;
        });
        var block = new Command("block", "read blocks");
        block.Subcommands.Add(get);
        return block;
    }

    public static Command BuildTx()
    {
        var channel = GlobalOptions.Channel();
        var id = new Argument<string>("id") { Description = "transaction id (64 hex characters)" };
        var get = new Command("get", "show a committed transaction and its validation result") { id, channel };
        Signer.AddTo(get);
        get.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse);
            var tx = await client.Ledger.GetTransactionAsync(new TransactionRequest { Channel = parse.GetValue(channel)!, TxId = parse.GetValue(id)! }, cancellationToken: cancel);
            var p = tx.Payload;
            var model = new
            {
                txId = Hashes.ToHex(ProtocolHashes.TxId(tx.Transaction.Payload.Span)), block = tx.BlockNumber, index = tx.TxIndex, code = Names.Code(tx.Result.Code), message = tx.Result.Message,
                channel = p?.Channel, contract = p?.Contract, function = p?.Function, args = p is null ? null : Names.Utf8OrHex(p.Args),
                creator = p is null ? null : Address.ToText(p.Creator.Span), timestamp = p is null ? null : DateTimeOffset.FromUnixTimeMilliseconds(p.TimestampMs).ToString("O"),
                events = tx.Result.Events.Select(e => new { e.Contract, e.Name, payload = Names.Utf8OrHex(e.Payload) }).ToArray(),
            };
            Printer.Print(parse, model, () => Printer.Pairs(("tx", model.txId), ("block", model.block), ("index", model.index), ("code", model.code),
                ("message", model.message), ("contract", $"{model.contract}.{model.function}"), ("args", model.args), ("creator", model.creator),
                ("time", model.timestamp), ("events", string.Join("; ", model.events.Select(e => $"{e.Contract}.{e.Name} {e.payload}")))));
            return 0;
        });
        var tx = new Command("tx", "read transactions");
        tx.Subcommands.Add(get);
        tx.Subcommands.Add(VerifyCommands.BuildReceipt());
        return tx;
    }

    public static Command BuildLedger()
    {
        var dir = new Option<string>("--dir") { Description = "data directory of a node (holds one folder per channel) or a node config file", Required = true };
        var channel = new Option<string?>("--channel", "-c") { Description = "verify only this channel" };
        var verify = new Command("verify", "offline: re-hash every block, check links, roots and signatures; exit 0 only if intact") { dir, channel };
        verify.SetHandler((parse, _) =>
        {
            var dataDir = parse.GetValue(dir)!;
            if (File.Exists(dataDir)) { var config = NodeConfig.Load(dataDir); dataDir = config.Resolve(config.DataDir); }
            if (!Directory.Exists(dataDir)) throw new UsageException($"data directory '{dataDir}' does not exist");
            var channels = parse.GetValue(channel) is { } one ? [one] : Directory.GetDirectories(dataDir).Select(Path.GetFileName)
                // Channel names have no '.'; "<channel>.raft" holds a channel's Raft log, not a ledger.
                .Where(name => !name!.Contains('.')).Order(StringComparer.Ordinal).ToArray();
            if (channels.Length == 0) throw new UsageException($"'{dataDir}' holds no channel ledgers");
            var reports = channels.Select(c =>
            {
                Progress? progress = null;
                try
                {
                    return LedgerVerifier.Verify(Path.Combine(dataDir, c!), c!, new Node.Membership.ConsenterRule().Check,
                        (done, total) => (progress ??= Progress.Start($"verifying {c} blocks", (long)total)).Report((long)done));
                }
                finally { progress?.Dispose(); }
            }).ToArray();
            Printer.Print(parse, reports.Select(r => new { channel = r.Channel, intact = r.Intact, height = r.Height, lastHash = Hashes.ToHex(r.LastHash), firstBadBlock = r.FirstBadBlock, problem = r.Problem }).ToArray(), () =>
            {
                foreach (var r in reports)
                    Console.Out.WriteLine(r.Intact ? $"{r.Channel}: intact, {r.Height} blocks, last hash {Hashes.ToHex(r.LastHash)}" : $"{r.Channel}: BROKEN: {r.Problem}");
            });
            var broken = reports.FirstOrDefault(r => !r.Intact);
            if (broken is null) return Task.FromResult(0);
            Console.Error.WriteLine($"error: channel '{broken.Channel}': {broken.Problem}");
            return Task.FromResult(1);
        });
        var ledger = new Command("ledger", "offline ledger tools");
        ledger.Subcommands.Add(verify);
        return ledger;
    }
}
