using Chain.Protocol;
using Chain.Sdk.Client;
using Google.Protobuf;

namespace Chain.Sdk.Verification;

/// <summary>Reads the channel configuration a transaction carries: the genesis configuration, or a configuration update's new one.</summary>
public static class ChannelConfigs
{
    public const string GenesisFunction = "genesis", UpdateFunction = "update";

    /// <summary>True when <paramref name="transaction"/> calls <c>_config.</c><paramref name="function"/> with a readable configuration.</summary>
    public static bool TryRead(Transaction transaction, string function, out ChannelConfig config)
    {
        config = null!;
        try
        {
            var payload = TxPayload.Parser.ParseFrom(transaction.Payload);
            if (payload.Contract != SystemContracts.Config || payload.Function != function) return false;
            if (function == GenesisFunction)
            {
                config = ChannelConfig.Parser.ParseFrom(payload.Args);
                return true;
            }
            using var args = System.Text.Json.JsonDocument.Parse(payload.Args.Memory);
            var envelope = ConfigUpdateEnvelope.Parser.ParseFrom(Convert.FromBase64String(args.RootElement.GetProperty("envelope").GetString()!));
            config = ChannelConfig.Parser.ParseFrom(envelope.Config);
            return true;
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or System.Text.Json.JsonException or FormatException or KeyNotFoundException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>True when a consenter of <paramref name="config"/> signs blocks with <paramref name="address"/>.</summary>
    public static bool IsConsenter(ChannelConfig config, ReadOnlySpan<byte> address)
    {
        foreach (var consenter in config.Consenters)
            if (consenter.Address.Span.SequenceEqual(address)) return true;
        return false;
    }
}
