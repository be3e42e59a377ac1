using System.Buffers.Binary;
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

internal sealed class LedgerService(ChannelDirectory channels, NodeIdentity identity, NodeHealth health) : Chain.Protocol.Ledger.LedgerBase
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
            info.Role = channel.Halted ? "halted" : status.Role;
            info.Term = (ulong)Math.Max(0, status.Term);
            info.Leader = status.Role == "leader" ? identity.NodeId : status.Leader ?? "";
            info.Contracts.AddRange(channel.Contracts.Names);
            info.Problems.AddRange(NodeHealth.ProblemsOf(channel));
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
        var (fromBlock, fromTx) = ParsePageToken(request.PageToken);

        var stateKey = KeyCodec.State(request.Contract, request.Key);
        var records = channel.Ledger.GetHistory(stateKey, fromBlock, fromTx, pageSize + 1).ToList();
        var response = new KeyHistoryResponse();
        foreach (var record in records.Take(pageSize))
            response.Entries.Add(new KeyModification
            {
                TxId = Hashes.ToHex(record.TxId), BlockNumber = record.Block, TxIndex = record.TxIndex, TimestampMs = record.TimestampMs,
                Value = record.Value is null ? ByteString.Empty : ByteString.CopyFrom(record.Value), IsDelete = record.Value is null,
            });
        if (records.Count > pageSize) response.NextPageToken = PageToken(records[pageSize].Block, records[pageSize].TxIndex);
        return Task.FromResult(response);
    }

    public override Task<StateProof> GetStateProof(StateProofRequest request, ServerCallContext context)
    {
        var channel = channels.Get(request.Channel);
        if (!channel.Contracts.TryGet(request.Contract, out _) && request.Contract is not (SystemContracts.Config or SystemContracts.Members))
            throw new RequestException(ErrorCodes.Of(ValidationCode.UnknownContract), $"channel '{request.Channel}' has no contract '{request.Contract}'");
        if (request.Key.Length == 0) throw new RequestException(ErrorCodes.Of(ValidationCode.BadArgs), "key must not be empty");
        return Task.FromResult(Proofs.State(channel.Ledger, request.Contract, request.Key));
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

    private static string PageToken(ulong block, uint tx)
    {
        var bytes = new byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, block);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(8), tx);
        return Convert.ToBase64String(bytes);
    }

    private static (ulong, uint) ParsePageToken(string token)
    {
        if (token.Length == 0) return (0, 0);
        var bytes = new byte[12];
        if (!Convert.TryFromBase64String(token, bytes, out var written) || written != 12)
            throw new RequestException(ErrorCodes.BadPageToken, "page_token must be a next_page_token from a previous response");
        return (BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8)));
    }
}
