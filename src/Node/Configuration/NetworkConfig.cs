using System.Text.Json;

namespace Chain.Node.Configuration;

/// <summary>
/// The description of a local network (network-config/network.json): the channels every node serves,
/// with their contracts and batch parameters. `chain network up` turns it into one config per node.
/// </summary>
public sealed class NetworkConfig
{
    public List<ChannelConfig> Channels { get; set; } = [];

    /// <summary>Used when no network file is present: both public-interest channels with default parameters.</summary>
    public static NetworkConfig Default => new()
    {
        Channels = [new ChannelConfig { Name = "charity" }, new ChannelConfig { Name = "demolition-fund" }],
    };

    public static NetworkConfig Load(string path)
    {
        if (!File.Exists(path)) throw new ConfigException($"network file '{path}' does not exist");
        NetworkConfig? config;
        try { config = JsonSerializer.Deserialize<NetworkConfig>(File.ReadAllText(path), NodeConfig.JsonOptions); }
        catch (JsonException e) { throw new ConfigException($"network file '{path}' is not valid: {e.Message}"); }
        if (config is null || config.Channels.Count == 0) throw new ConfigException($"network file '{path}' defines no channels");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var channel in config.Channels)
        {
            channel.Validate();
            if (!names.Add(channel.Name)) throw new ConfigException($"network file '{path}': channel '{channel.Name}' is defined twice");
        }
        return config;
    }
}
