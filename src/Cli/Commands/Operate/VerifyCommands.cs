using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Chain.Cli.Output;
using Chain.Protocol;
using Chain.Sdk.Crypto;
using Chain.Sdk.Encoding;
using Chain.Sdk.Verification;
using Google.Protobuf;

namespace Chain.Cli.Commands.Operate;

/// <summary>
/// <c>chain tx receipt</c> and <c>chain verify …</c>: fetch receipts and state proofs, and check them with nothing but
/// the channel's genesis (a file or its hash) as trust anchor, offline where the proof is already at hand.
/// </summary>
internal static class VerifyCommands
{
    public static Command BuildReceipt()
    {
        var channel = GlobalOptions.Channel();
        var id = new Argument<string>("id") { Description = "transaction id (64 hex characters)" };
        var output = new Option<string>("--out") { Description = "file to write the receipt to (protobuf Receipt, docs/adr/0007-proofs-and-receipts.md)", Required = true };
        var qr = new Option<string?>("--qr") { Description = "also write a QR code (PNG) of the receipt's compact form, for a donor to scan" };
        var command = new Command("receipt", "fetch a committed transaction's self-contained receipt, check it, and save it") { id, channel, output, qr };
        Signer.AddTo(command);
        command.SetHandler(async (parse, cancel) =>
        {
            using var client = GlobalOptions.Connect(parse);
            var receipt = await client.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = parse.GetValue(channel)!, TxId = parse.GetValue(id)! }, cancellationToken: cancel);
            // The node's own genesis is no trust anchor: this only catches a receipt that does not hold together.
            var genesis = receipt.Consenters?.Genesis?.Header ?? throw new VerificationException("the node's receipt carries no genesis block");
            var verified = ProofVerifier.VerifyReceipt(receipt, ProtocolHashes.BlockHash(genesis));
            File.WriteAllBytes(parse.GetValue(output)!, receipt.ToByteArray());
            var compact = CompactReceipt.Of(verified.Tx);
            if (parse.GetValue(qr) is { } png)
            {
                using var generator = new QRCoder.QRCodeGenerator();
                using var data = generator.CreateQrCode(compact.Text, QRCoder.QRCodeGenerator.ECCLevel.M);
                File.WriteAllBytes(png, new QRCoder.PngByteQRCode(data).GetGraphic(6));
            }
            var model = new { txId = verified.Tx.TxId, block = verified.Tx.Header.Number, blockHash = Hashes.ToHex(verified.Tx.BlockHash), file = parse.GetValue(output), compact = compact.Text, bytes = receipt.CalculateSize() };
            Printer.Print(parse, model, () => Printer.Pairs(("tx", model.txId), ("block", model.block), ("block hash", model.blockHash), ("receipt", $"{model.file} ({model.bytes} bytes)"), ("compact", model.compact)));
            return 0;
        });
        return command;
    }

    public static Command Build()
    {
        var verify = new Command("verify", "check receipts and state proofs against a channel's genesis, trusting no node");
        verify.Subcommands.Add(BuildVerifyReceipt());
        verify.Subcommands.Add(BuildVerifyState());
        verify.Subcommands.Add(BuildVerifyAnswer());
        return verify;
    }

    private static Command BuildVerifyAnswer()
    {
        var file = new Argument<string>("file") { Description = "an answer saved with --verify GENESIS --save FILE" };
        var trust = Trust();
        var command = new Command("answer", "re-check a saved query answer offline: its proofs, and that the query over the proven state gives it") { file, trust };
        command.SetHandler((parse, _) =>
        {
            var path = parse.GetValue(file)!;
            if (!File.Exists(path)) throw new UsageException($"answer file '{path}' does not exist");
            SavedAnswer saved;
            try { saved = SavedAnswer.Parser.ParseFrom(File.ReadAllBytes(path)); }
            catch (InvalidProtocolBufferException e) { throw new UsageException($"'{path}' is not a saved answer ({e.Message})"); }
            if (saved.Request is null || saved.Response is null) throw new UsageException($"'{path}' is not a saved answer (no question or answer)");
            var reader = saved.Reader.Length == 0 ? null : Address.TryParse(saved.Reader) ?? throw new UsageException($"'{path}' names a reader '{saved.Reader}' that is not an address");
            var verified = Node.Verification.AnswerVerifier.Verify(saved.Request, saved.Response, TrustedGenesis(parse.GetValue(trust)!), reader);
            var request = saved.Request;
            Console.Error.WriteLine($"verified: {request.Contract}.{request.Function} {request.Args.ToStringUtf8()} over {verified.Reads} proven keys after block {verified.Header.Number} of channel {request.Channel}" +
                $" at {DomainCli.ShowTime(verified.Header.TimestampMs)} UTC+8{(reader is null ? "" : $", as read by {saved.Reader}")}");
            Console.Out.WriteLine(Printer.Indented(YuanJson.Convert(request.Contract, verified.Result)));
            return Task.FromResult(0);
        });
        return command;
    }

    private static Option<string> Trust() => new("--trust")
    {
        Description = "the channel's genesis: its file (as `channel genesis` writes it) or its block hash (64 hex characters)", Required = true,
    };

    private static Command BuildVerifyReceipt()
    {
        var file = new Argument<string?>("file") { Description = "a receipt file (from `chain tx receipt --out`)", Arity = ArgumentArity.ZeroOrOne };
        var compact = new Option<string?>("--compact") { Description = "a receipt's compact form (its QR code's text): fetch the receipt from --endpoint and check it matches" };
        var trust = Trust();
        var command = new Command("receipt", "check a receipt offline (or fetch one by its compact form) and say what it proves") { file, compact, trust };
        Signer.AddTo(command);
        command.SetHandler(async (parse, cancel) =>
        {
            var genesisHash = TrustedGenesis(parse.GetValue(trust)!);
            Receipt receipt;
            CompactReceipt? expected = null;
            if (parse.GetValue(compact) is { } text)
            {
                expected = CompactReceipt.Parse(text);
                using var client = GlobalOptions.Connect(parse);
                receipt = await client.Ledger.GetReceiptAsync(new ReceiptRequest { Channel = expected.Channel, TxId = expected.TxId }, cancellationToken: cancel);
            }
            else
            {
                var path = parse.GetValue(file) ?? throw new UsageException("name a receipt file, or give --compact TEXT");
                if (!File.Exists(path)) throw new UsageException($"receipt file '{path}' does not exist");
                try { receipt = Receipt.Parser.ParseFrom(File.ReadAllBytes(path)); }
                catch (InvalidProtocolBufferException e) { throw new UsageException($"'{path}' is not a receipt ({e.Message})"); }
            }
            var verified = ProofVerifier.VerifyReceipt(receipt, genesisHash);
            if (expected is not null) expected.Check(verified.Tx);
            var statement = Describe(verified.Tx);
            var model = new
            {
                verified = true, statement, channel = verified.Tx.Header.Channel, txId = verified.Tx.TxId, block = verified.Tx.Header.Number,
                blockHash = Hashes.ToHex(verified.Tx.BlockHash), code = Names.Code(verified.Tx.Result.Code), configurations = verified.Consenters.Count,
            };
            Printer.Print(parse, model, () =>
            {
                Console.Out.WriteLine("verified: " + statement);
                Printer.Pairs(("tx", model.txId), ("block hash", model.blockHash),
                    ("signed by", $"consenters of configuration {verified.Consenters.InForceAt(verified.Tx.Header.Number).Config.Sequence}, chained to the trusted genesis"));
            });
            return 0;
        });
        return command;
    }

    private static Command BuildVerifyState()
    {
        var channel = GlobalOptions.Channel();
        var contract = new Option<string>("--contract") { Description = "contract whose state holds the key", Required = true };
        var key = new Option<string>("--key") { Description = "state key within the contract", Required = true };
        var block = new Option<ulong?>("--block") { Description = "the state after this block (default: the latest; the node keeps proofs for its last proofHistoryBlocks blocks)" };
        var trust = Trust();
        var command = new Command("state", "fetch a key's state proof from the node and check it locally") { channel, contract, key, block, trust };
        Signer.AddTo(command);
        command.SetHandler(async (parse, cancel) =>
        {
            var genesisHash = TrustedGenesis(parse.GetValue(trust)!);
            using var client = GlobalOptions.Connect(parse);
            var request = new StateProofRequest { Channel = parse.GetValue(channel)!, Contract = parse.GetValue(contract)!, Key = parse.GetValue(key)! };
            if (parse.GetValue(block) is { } at) request.Block = at;
            var proof = await client.Ledger.GetStateProofAsync(request, cancellationToken: cancel);
            if (proof.Header is null) throw new VerificationException("the node's proof has no block header");
            if (request.HasBlock && proof.Header.Number != request.Block)
                throw new Sdk.Verification.VerificationException($"asked for the state after block {request.Block}, the node proved block {proof.Header.Number}");
            if (proof.Read is not { } read || read.Contract != request.Contract || read.Key != request.Key)
                throw new VerificationException($"asked about key '{request.Key}' of '{request.Contract}', the node proved key '{proof.Read?.Key}' of '{proof.Read?.Contract}'");
            var verified = ProofVerifier.VerifyState(proof, genesisHash);
            var value = verified.Value is null ? null : Names.Utf8OrHex(ByteString.CopyFrom(verified.Value));
            var model = new { verified = true, contract = verified.Contract, key = verified.Key, present = verified.Value is not null, value, block = verified.Header.Number, blockHash = Hashes.ToHex(verified.BlockHash), bytes = proof.CalculateSize() };
            Printer.Print(parse, model, () =>
            {
                Console.Out.WriteLine(verified.Value is null
                    ? $"verified: key '{verified.Key}' of '{verified.Contract}' is absent after block {verified.Header.Number} of channel {verified.Header.Channel}"
                    : $"verified: key '{verified.Key}' of '{verified.Contract}' holds this value after block {verified.Header.Number} of channel {verified.Header.Channel}");
                Printer.Pairs(("value", value ?? "(none)"), ("block hash", model.blockHash), ("proof", $"{model.bytes} bytes"));
            });
            return 0;
        });
        return command;
    }

    /// <summary>The genesis hash named by --trust: a genesis file, or the hash itself.</summary>
    internal static byte[] TrustedGenesis(string trust)
    {
        if (Hashes.TryFromHex(trust) is { Length: Hashes.Length } hash) return hash;
        if (!File.Exists(trust)) throw new UsageException($"--trust '{trust}' is neither a genesis file nor a 64-character block hash");
        try
        {
            var block = Block.Parser.ParseFrom(File.ReadAllBytes(trust));
            if (block.Header is not { Number: 0 }) throw new UsageException($"--trust '{trust}' is not a genesis block");
            return ProtocolHashes.BlockHash(block.Header);
        }
        catch (InvalidProtocolBufferException) { throw new UsageException($"--trust '{trust}' is not a genesis block file"); }
    }

    /// <summary>What a verified transaction proves, in words: its domain meaning where one is known, then where and when.</summary>
    internal static string Describe(VerifiedTx tx)
    {
        var payload = tx.Payload;
        var time = DomainCli.ShowTime(tx.Header.TimestampMs);
        var where = $"in block {tx.Header.Number} of channel {tx.Header.Channel} at {time} UTC+8";
        if (tx.Result.Code != ValidationCode.Valid)
            return $"transaction {payload.Contract}.{payload.Function} by {Address.ToText(payload.Creator.Span)} was recorded as refused ({Names.Code(tx.Result.Code)}: {tx.Result.Message}) {where}; it changed nothing";
        foreach (var e in tx.Result.Events)
            if (e.Name == "DonationConfirmed" && Json(e.Payload) is { } d)
            {
                var to = Text(d, "campaignId") is { } campaign ? $"campaign {campaign}" : $"the unrestricted funds of {Text(d, "charityId")}";
                return $"donation {Text(d, "donationId")} of {Yuan(d, "amount")} yuan to {to} was confirmed by {Text(d, "bankId")} {where}";
            }
        var events = tx.Result.Events.Count == 0 ? "" : $", with event{(tx.Result.Events.Count > 1 ? "s" : "")} {string.Join(", ", tx.Result.Events.Select(e => e.Name))}";
        return $"{payload.Contract}.{payload.Function} by {Address.ToText(payload.Creator.Span)} was committed as VALID{events} {where}";
    }

    private static JsonElement? Json(ByteString bytes)
    {
        try { using var document = JsonDocument.Parse(bytes.Memory); return document.RootElement.Clone(); }
        catch (JsonException) { return null; }
    }

    private static string? Text(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Yuan(JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.TryGetInt64(out var fen) ? Chain.Contracts.Domain.Money.Format(fen) : "?";
}

/// <summary>
/// A receipt's compact form, for a QR code: <c>chain-receipt:1/CHANNEL/BLOCK/TXID/DIGEST</c>, where DIGEST is the
/// URL-safe base64 of SHA-256(canonical "chain.receipt.v1", channel, block number, tx id, block hash, result digest);
/// it names the transaction and pins the block and outcome, so the full receipt can be fetched from any node and checked.
/// </summary>
internal sealed record CompactReceipt(string Channel, ulong Block, string TxId, string Digest)
{
    private const string Scheme = "chain-receipt:1/";

    public string Text => $"{Scheme}{Channel}/{Block}/{TxId}/{Digest}";

    public static CompactReceipt Of(VerifiedTx tx) => new(tx.Header.Channel, tx.Header.Number, tx.TxId, DigestOf(tx));

    private static string DigestOf(VerifiedTx tx)
    {
        var bytes = new CanonicalWriter().String("chain.receipt.v1").String(tx.Header.Channel).U64(tx.Header.Number)
            .Bytes(Hashes.TryFromHex(tx.TxId)!).Bytes(tx.BlockHash).Bytes(ProtocolHashes.ResultDigest(tx.Result));
        return Convert.ToBase64String(Hashes.Sha256(bytes.WrittenSpan)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static CompactReceipt Parse(string text)
    {
        var parts = text.StartsWith(Scheme, StringComparison.Ordinal) ? text[Scheme.Length..].Split('/') : [];
        if (parts.Length != 4 || !ulong.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var block) || Hashes.TryFromHex(parts[2]) is not { Length: Hashes.Length })
            throw new UsageException($"'{text}' is not a compact receipt ({Scheme}CHANNEL/BLOCK/TXID/DIGEST)");
        return new CompactReceipt(parts[0], block, parts[2].ToLowerInvariant(), parts[3]);
    }

    /// <summary>Fails unless <paramref name="tx"/> is the transaction, block and outcome this compact form names.</summary>
    public void Check(VerifiedTx tx)
    {
        if (tx.Header.Number != Block) throw new VerificationException($"the node's receipt puts the transaction in block {tx.Header.Number}, the compact form says block {Block}");
        if (DigestOf(tx) != Digest) throw new VerificationException("the node's receipt does not match the compact form's digest (another block hash or outcome)");
    }
}
