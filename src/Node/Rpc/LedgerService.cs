using Chain.Node.Channels;
using Chain.Node.Hosting;
using Chain.Node.Errors;
using Chain.Node.Storage;
using Chain.Node.Ledger;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Sdk.Crypto;
using Google.Protobuf;
using Grpc.Core;

namespace Chain.Node.Rpc;

internal sealed class LedgerService(ChannelDirectory channels, NodeIdentity identity, NodeHealth health, Configuration.NodeConfig config) : Chain.Protocol.Ledger.LedgerBase
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public override Task<ChainInfoResponse> GetChainInfo(ChainInfoRequest request, ServerCallContext context)
    {
        var response = new ChainInfoResponse { NodeId = identity.NodeId, NodeAddress = identity.Key.AddressText, Version = identity.Version };
        if (identity.TlsCertificate is { } certificate)
        {
            response.TlsCertificateExpiresMs = new DateTimeOffset(certificate.NotAfter.ToUniversalTime()).ToUnixTimeMilliseconds();
            response.TlsCertificateSubject = certificate.Subject;
        }
        response.Problems.AddRange(health.NodeProblems());
        response.HttpListen = config.HttpListen ?? "";
        response.OperationsListen = config.OperationsListen ?? "";
        var selected = string.IsNullOrEmpty(request.Channel) ? channels.All : [channels.Get(request.Channel)];
        foreach (var channel in selected)
        {
            var head = channel.Ledger.Head;
            var info = new ChannelInfo
            {
                Channel = channel.Name, Height = head.Height,
                LastBlockHash = ByteString.CopyFrom(head.LastHash), StateRoot = ByteString.CopyFrom(head.StateRoot),
                Consensus = channel.Consensus,
            };
            var status = channel.Orderer.Status;
            info.Role = channel.Role;
            info.Term = (ulong)Math.Max(0, status.Term);
            info.Leader = status.Role == "leader" ? identity.NodeId : status.Leader ?? "";
            info.Contracts.AddRange(channel.Contracts.Names);
            info.Problems.AddRange(NodeHealth.ProblemsOf(channel));
            info.PendingTransactions = (uint)channel.PendingCount;
            info.CommitLag = (ulong)Math.Max(0, status.Behind);
            var sizes = channel.Ledger.StoreSizes();
            info.StoreBytes = (ulong)(sizes.Tables + sizes.Log);
            response.Channels.Add(info);
        }
        return Task.FromResult(response);
    }

    public override Task<Block> GetBlockByNumber(BlockByNumberRequest request, ServerCallContext context)
    {
        var ledger = channels.Get(request.Channel).Ledger;
        return Task.FromResult(ledger.GetBlock(request.Number)
            ?? throw new RequestException(ErrorCodes.NoSuchBlock, $"channel '{request.Channel}' has blocks 0..{ledger.Height - 1}, not {request.Number}"));
    }

    public override Task<Block> GetBlockByHash(BlockByHashRequest request, ServerCallContext context)
    {
        var ledger = channels.Get(request.Channel).Ledger;
        if (request.Hash.Length != Hashes.Length) throw new RequestException(ErrorCodes.BadHash, $"a block hash is {Hashes.Length} bytes, got {request.Hash.Length}");
        var number = ledger.GetBlockNumber(request.Hash.Span)
            ?? throw new RequestException(ErrorCodes.NoSuchBlock, $"channel '{request.Channel}' has no block with hash {Hashes.ToHex(request.Hash.Span)}");
        return Task.FromResult(ledger.GetBlock(number)!);
    }

    public override Task<TransactionResponse> GetTransaction(TransactionRequest request, ServerCallContext context)
    {
        var ledger = channels.Get(request.Channel).Ledger;
        var location = ledger.GetTxLocation(GatewayService.ParseTxId(request.TxId))
            ?? throw new RequestException(ErrorCodes.NoSuchTx, $"transaction {request.TxId} is not on channel '{request.Channel}'");
        var block = ledger.GetBlock(location.Block)!;
        var transaction = block.Transactions[(int)location.TxIndex];
        var response = new TransactionResponse
        {
            Transaction = transaction, BlockNumber = location.Block, TxIndex = location.TxIndex, Result = block.Results[(int)location.TxIndex],
        };
        try { response.Payload = TxPayload.Parser.ParseFrom(transaction.Payload); }
        catch (InvalidProtocolBufferException) { /* recorded as BAD_PAYLOAD; the raw bytes are returned */ }
        return Task.FromResult(response);
    }

    public override Task<KeyHistoryResponse> GetKeyHistory(KeyHistoryRequest request, ServerCallContext context)
    {
        var channel = channels.Get(request.Channel);
        if (!channel.Contracts.TryGet(request.Contract, out _))
            throw new RequestException(ErrorCodes.Of(ValidationCode.UnknownContract), $"channel '{request.Channel}' has no contract '{request.Contract}'");
        if (request.Key.Length == 0) throw new RequestException(ErrorCodes.Of(ValidationCode.BadArgs), "key must not be empty");
        int pageSize = request.PageSize == 0 ? DefaultPageSize : (int)Math.Min(request.PageSize, MaxPageSize);
        var (fromBlock, fromTx, _) = ParsePageToken(request.PageToken);

        var stateKey = KeyCodec.State(request.Contract, request.Key);
        var records = channel.Ledger.GetHistory(stateKey, fromBlock, fromTx, pageSize + 1).ToList();
        var response = new KeyHistoryResponse();
        foreach (var record in records.Take(pageSize))
            response.Entries.Add(new KeyModification
            {
                TxId = Hashes.ToHex(record.TxId), BlockNumber = record.Block, TxIndex = record.TxIndex, TimestampMs = record.TimestampMs,
                Value = record.Value is null ? ByteString.Empty : ByteString.CopyFrom(record.Value), IsDelete = record.Value is null,
            });
        if (records.Count > pageSize) response.NextPageToken = PageToken(records[pageSize].Block, records[pageSize].TxIndex, 0);
        return Task.FromResult(response);
    }

    public override Task<StateProof> GetStateProof(StateProofRequest request, ServerCallContext context)
    {
        var channel = channels.Get(request.Channel);
        if (!channel.Contracts.TryGet(request.Contract, out _) && request.Contract is not (SystemContracts.Config or SystemContracts.Members))
            throw new RequestException(ErrorCodes.Of(ValidationCode.UnknownContract), $"channel '{request.Channel}' has no contract '{request.Contract}'");
        if (request.Key.Length == 0) throw new RequestException(ErrorCodes.Of(ValidationCode.BadArgs), "key must not be empty");
        return Task.FromResult(Proofs.State(channel.Ledger, request.Contract, request.Key, request.HasBlock ? request.Block : null));
    }

    public override Task<Receipt> GetReceipt(ReceiptRequest request, ServerCallContext context)
    {
        var ledger = channels.Get(request.Channel).Ledger;
        var location = ledger.GetTxLocation(GatewayService.ParseTxId(request.TxId))
            ?? throw new RequestException(ErrorCodes.NoSuchTx, $"transaction {request.TxId} is not on channel '{request.Channel}'");
        var block = ledger.GetBlock(location.Block)!;
        GatewayService.RequireOwnOrRaw(block.Transactions[(int)location.TxIndex], request.TxId, context, "the receipt");
        return Task.FromResult(Proofs.Receipt(ledger, block, (int)location.TxIndex));
    }

    public override Task<SubjectHistoryResponse> GetSubjectHistory(SubjectHistoryRequest request, ServerCallContext context)
    {
        var channel = channels.Get(request.Channel);
        if (!channel.Contracts.TryGet(request.Contract, out _))
            throw new RequestException(ErrorCodes.Of(ValidationCode.UnknownContract), $"channel '{request.Channel}' has no contract '{request.Contract}'");
        if (request.Kind.Length == 0 || request.Id.Length == 0) throw new RequestException(ErrorCodes.Of(ValidationCode.BadArgs), "kind and id must not be empty");
        var response = new SubjectHistoryResponse();
        response.NextPageToken = Page(channel.Ledger, KeyCodec.SubjectPrefix(request.Contract, request.Kind, request.Id), request.PageSize, request.WithReceipts, request.PageToken,
            value => response.Entries.Add(SubjectEvent.Parser.ParseFrom(value)));
        if (request.WithReceipts) response.Consenters = Prove(channel.Ledger, response.Entries.Select(e => (e.BlockNumber, e.TxIndex)), response.Inclusions);
        return Task.FromResult(response);
    }

    public override Task<AccountActivityResponse> GetAccountActivity(AccountActivityRequest request, ServerCallContext context)
    {
        var channel = channels.Get(request.Channel);
        var account = Address.TryParse(request.Account)
            ?? throw new RequestException(ErrorCodes.Of(ValidationCode.BadArgs), $"'{request.Account}' is not a 0x-prefixed 20-byte account address");
        var response = new AccountActivityResponse();
        response.NextPageToken = Page(channel.Ledger, KeyCodec.ActorPrefix(account), request.PageSize, request.WithReceipts, request.PageToken,
            value => response.Entries.Add(AccountAction.Parser.ParseFrom(value)));
        if (request.WithReceipts) response.Consenters = Prove(channel.Ledger, response.Entries.Select(e => (e.BlockNumber, e.TxIndex)), response.Inclusions);
        return Task.FromResult(response);
    }

    /// <summary>One page of domain index rows: the rows are immutable and only appended at higher blocks, so pages never repeat or skip one.</summary>
    private static string Page(ChannelLedger ledger, byte[] prefix, uint requestedSize, bool proven, string token, Action<byte[]> add)
    {
        int pageSize = requestedSize == 0 ? DefaultPageSize : (int)Math.Min(requestedSize, proven ? MaxProvenPageSize : MaxPageSize);
        var (block, tx, e) = ParsePageToken(token);
        var rows = ledger.ReadIndex(prefix, block, tx, e, pageSize + 1).ToList();
        foreach (var row in rows.Take(pageSize)) add(row.Value);
        return rows.Count <= pageSize ? "" : PageToken(rows[pageSize].Block, rows[pageSize].Tx, rows[pageSize].Event);
    }

    /// <summary>A page with proofs has at most this many entries: each proof reads and hashes its whole block.</summary>
    public const int MaxProvenPageSize = 100;

    /// <summary>Adds each entry's transaction proven in its block (one read per block) and returns the consenter chain up to the last.</summary>
    private static ConsenterChain Prove(ChannelLedger ledger, IEnumerable<(ulong Block, uint Tx)> entries, Google.Protobuf.Collections.RepeatedField<TxInclusion> inclusions)
    {
        Block? block = null;
        ulong last = 0;
        foreach (var (number, tx) in entries)
        {
            if (block?.Header.Number != number) block = ledger.GetBlock(number)!;
            inclusions.Add(Proofs.Inclusion(block, (int)tx));
            last = number;
        }
        return Proofs.ConsenterChain(ledger, last);
    }

    /// <summary>The one page token of the ledger's paged reads: where the next page starts, as (block, tx, event).</summary>
    private static string PageToken(ulong block, uint tx, uint e) => Convert.ToBase64String(KeyCodec.WithPosition([], block, tx, e));

    private static (ulong Block, uint Tx, uint Event) ParsePageToken(string token)
    {
        if (token.Length == 0) return (0, 0, 0);
        var bytes = new byte[16];
        if (!Convert.TryFromBase64String(token, bytes, out var written) || written != 16)
            throw new RequestException(ErrorCodes.BadPageToken, "page_token must be a next_page_token from a previous response");
        return KeyCodec.PositionOf(bytes);
    }
}
