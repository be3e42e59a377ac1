using Chain.Node.Execution;
using Chain.Protocol;
using Google.Protobuf;

namespace Chain.Node.Channels;

/// <summary>The channels this node serves, by name; filled at start, before the node serves calls.</summary>
internal sealed class ChannelDirectory
{
    private readonly Dictionary<string, ChannelRuntime> _channels = new(StringComparer.Ordinal);

    public ChannelDirectory(IEnumerable<ChannelRuntime>? channels = null)
    {
        foreach (var channel in channels ?? []) Add(channel);
    }

    public void Add(ChannelRuntime channel) => _channels.Add(channel.Name, channel);

    public IEnumerable<ChannelRuntime> All => _channels.Values.OrderBy(c => c.Name, StringComparer.Ordinal);

    public ChannelRuntime Get(string name) =>
        _channels.TryGetValue(name, out var channel)
            ? channel
            : throw new TxRejectedException(new(ValidationCode.WrongChannel,
                $"channel '{name}' is not served by this node (serves: {string.Join(", ", _channels.Keys.Order(StringComparer.Ordinal))})"));

    public ChannelRuntime? Find(string name) => _channels.GetValueOrDefault(name);

    /// <summary>The channel a transaction's payload names (checks 1 and 2 of admission).</summary>
    public ChannelRuntime Of(Transaction? transaction) => Get(ChannelNameOf(transaction));

    public static string ChannelNameOf(Transaction? transaction)
    {
        if (transaction is null || transaction.Payload.IsEmpty)
            throw new TxRejectedException(new(ValidationCode.BadPayload, "request carries no transaction payload"));
        try { return TxPayload.Parser.ParseFrom(transaction.Payload).Channel; }
        catch (InvalidProtocolBufferException e) { throw new TxRejectedException(new(ValidationCode.BadPayload, $"payload does not decode: {e.Message}")); }
    }
}
