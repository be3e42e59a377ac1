using Chain.Node.Execution;
using Chain.Protocol;

namespace Chain.Node.Channels;

/// <summary>The channels this node serves, by name.</summary>
public sealed class ChannelDirectory(IEnumerable<ChannelRuntime> channels)
{
    private readonly Dictionary<string, ChannelRuntime> _channels = channels.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public IEnumerable<ChannelRuntime> All => _channels.Values.OrderBy(c => c.Name, StringComparer.Ordinal);

    public ChannelRuntime Get(string name) =>
        _channels.TryGetValue(name, out var channel)
            ? channel
            : throw new TxRejectedException(new(ValidationCode.WrongChannel,
                $"channel '{name}' is not served by this node (serves: {string.Join(", ", _channels.Keys.Order(StringComparer.Ordinal))})"));
}
