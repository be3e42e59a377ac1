using Chain.Node.Ledger;
using Chain.Node.Membership;
using Chain.Protocol;

namespace Chain.Node.Configuration;

/// <summary>
/// The configuration of one channel in force at one height: the channel configuration (null for a channel started
/// without a genesis file), who may do what (<see cref="Access"/>), the consensus kind, the consenters and the
/// effective limits. Every part of the node that asks "what is the configuration now" asks this.
/// </summary>
internal sealed class ChannelView
{
    private ChannelView(ulong height, ChannelConfig? config, ChannelAccess? access, ChannelLimits limits)
    {
        Height = height;
        Config = config;
        Access = access;
        Limits = limits;
    }

    /// <summary>The ledger height whose committed state this view reads.</summary>
    public ulong Height { get; }
    public ChannelConfig? Config { get; }
    /// <summary>Null when the channel has no configuration: membership and policies are not enforced.</summary>
    public ChannelAccess? Access { get; }
    public ChannelLimits Limits { get; }

    /// <summary>"raft" or "solo".</summary>
    public string Consensus => Config?.ConsensusKind() ?? "solo";

    /// <summary>True when the channel has no configuration (anyone may cut its blocks) or lists <paramref name="address"/> as a consenter.</summary>
    public bool MayCutBlocks(ReadOnlySpan<byte> address) => Config is null || Config.IsConsenter(address);

    public ConsenterConfig? ConsenterOf(ReadOnlySpan<byte> address) => Config?.ConsenterOf(address);

    /// <summary>True when the channel has no configuration or counts <paramref name="organization"/> among its organisations.</summary>
    public bool Admits(string organization) => Config is null || Config.HasOrganization(organization);

    internal static ChannelView Load(ChannelLedger ledger, ChannelSettings settings)
    {
        var height = ledger.Height; // read first: the state read below is at least as new
        var config = SystemState.ReadConfig(ledger);
        return new ChannelView(height, config, config is null ? null : ChannelAccess.Of(ledger, config), ChannelLimits.Of(settings, config));
    }
}

/// <summary>The <see cref="ChannelView"/> of a channel's latest committed state, loaded once per height.</summary>
/// <remarks>Thread-safe. Only the committing thread writes the ledger, so on it the view always matches the state it executes on.</remarks>
internal sealed class ChannelViews(ChannelLedger ledger, ChannelSettings settings)
{
    private ChannelView? _current;

    public ChannelSettings Settings => settings;

    public ChannelView Current
    {
        get
        {
            var cached = Volatile.Read(ref _current);
            if (cached is not null && cached.Height == ledger.Height) return cached;
            var loaded = ChannelView.Load(ledger, settings);
            Volatile.Write(ref _current, loaded);
            return loaded;
        }
    }
}
