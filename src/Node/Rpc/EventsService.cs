using Chain.Node.Channels;
using Chain.Protocol;
using Chain.Sdk.Encoding;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Hosting;

namespace Chain.Node.Rpc;

/// <summary>
/// Streams every committed block from a start height, first from the store, then live. The stream
/// reads committed blocks only, so a client that reconnects with "last seen + 1" misses nothing.
/// </summary>
internal sealed class EventsService(ChannelDirectory channels, IHostApplicationLifetime lifetime) : Events.EventsBase
{
    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<BlockEvent> responseStream, ServerCallContext context)
    {
        var channel = channels.Get(request.Channel);
        var next = request.StartBlock;
        // A reader without raw access follows only its own transactions: their statuses and events.
        byte[]? onlyCreator = Interceptors.ReadAccessInterceptor.IsRawReader(context) ? null
            : Sdk.Crypto.Address.TryParse(Interceptors.ReadAccessInterceptor.CallerOf(context).Address) ?? [];
        // A stopping node ends its streams at once (clients resume elsewhere or later) rather than holding shutdown open.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        var cancel = linked.Token;
        while (!cancel.IsCancellationRequested)
        {
            var signal = channel.Notifier.NextBlock; // taken before reading the height, so no commit is missed
            if (next < channel.Ledger.Height) Interceptors.ReadAccessInterceptor.Reauthorize(context, channel); // a revoked reader's stream ends
            while (next < channel.Ledger.Height)
            {
                var block = channel.Ledger.GetBlock(next)!;
                try { await responseStream.WriteAsync(ToEvent(block, request.IncludeFullBlock, onlyCreator), cancel); }
                catch (OperationCanceledException) { return; }
                next++;
            }
            try { await signal.WaitAsync(cancel); }
            catch (OperationCanceledException) { return; }
        }
    }

    private static BlockEvent ToEvent(Block block, bool includeFullBlock, byte[]? onlyCreator)
    {
        var blockEvent = new BlockEvent
        {
            Channel = block.Header.Channel, Number = block.Header.Number,
            BlockHash = ByteString.CopyFrom(ProtocolHashes.BlockHash(block.Header)),
        };
        for (int i = 0; i < block.Transactions.Count; i++)
        {
            if (onlyCreator is not null && !CreatedBy(block.Transactions[i], onlyCreator)) continue;
            var txId = Convert.ToHexStringLower(ProtocolHashes.TxId(block.Transactions[i].Payload.Span));
            var result = block.Results[i];
            blockEvent.TxStatuses.Add(new TxStatus { TxId = txId, Code = result.Code, Message = result.Message });
            foreach (var e in result.Events) blockEvent.Events.Add(new ContractEventRecord { TxId = txId, Event = e });
        }
        if (includeFullBlock) blockEvent.Block = block;
        return blockEvent;
    }

    private static bool CreatedBy(Transaction transaction, byte[] creator)
    {
        try { return TxPayload.Parser.ParseFrom(transaction.Payload).Creator.Span.SequenceEqual(creator); }
        catch (InvalidProtocolBufferException) { return false; }
    }
}
