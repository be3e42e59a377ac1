namespace Chain.Node.Configuration;

/// <summary>
/// The limits a channel runs with: when a block is cut, how large a transaction may be, how far its timestamp may
/// stray. Derived per height from the node's settings and the channel configuration in force (<see cref="ChannelView"/>),
/// never written into the settings.
/// </summary>
internal sealed record ChannelLimits(int MaxTxCount, int MaxBlockBytes, int BatchTimeoutMs, int MaxTxBytes, long TimestampWindowMs)
{
    public TimeSpan BatchTimeout => TimeSpan.FromMilliseconds(BatchTimeoutMs);

    /// <summary>The node's own settings, for a channel without configuration.</summary>
    public static ChannelLimits Of(ChannelSettings settings) =>
        new(settings.Batch.MaxTxCount, settings.Batch.MaxBytes, settings.Batch.TimeoutMs, settings.MaxTxBytes, settings.TimestampWindowMs);

    /// <summary>The channel configuration wins, so every node of the channel applies the same limits; 0 in it means the node's setting.</summary>
    public static ChannelLimits Of(ChannelSettings settings, Protocol.ChannelConfig? config)
    {
        var local = Of(settings);
        if (config is null) return local;
        return new ChannelLimits(
            config.Batch is { } batch ? (int)batch.MaxTxCount : local.MaxTxCount,
            config.Batch is { } bytes ? (int)bytes.MaxBytes : local.MaxBlockBytes,
            config.Batch is { } timeout ? (int)timeout.TimeoutMs : local.BatchTimeoutMs,
            config.MaxTxBytes > 0 ? (int)config.MaxTxBytes : local.MaxTxBytes,
            config.TimestampWindowMs > 0 ? config.TimestampWindowMs : local.TimestampWindowMs);
    }
}

/// <summary>
/// The one set of range rules for channel limits, shared by the node config, the network file and configuration
/// updates. Each check returns the problem in words, or null.
/// </summary>
internal static class LimitRules
{
    public const int MaxBatchTxCount = 100_000;
    public const int MinBatchBytes = 1024;
    public const int MaxBatchTimeoutMs = 60_000;
    public const int MinTxBytes = 1024;
    public const int MaxTxBytes = 16 * 1024 * 1024;
    public const long MinTimestampWindowMs = 1000;
    public const long MaxTimestampWindowMs = 24 * 3600 * 1000;

    public static string? Batch(long maxTxCount, long maxBytes, long timeoutMs) =>
        maxTxCount is < 1 or > MaxBatchTxCount ? $"batch.maxTxCount {maxTxCount} must be in 1..{MaxBatchTxCount}"
        : maxBytes < MinBatchBytes ? $"batch.maxBytes {maxBytes} must be at least {MinBatchBytes}"
        : timeoutMs is < 1 or > MaxBatchTimeoutMs ? $"batch.timeoutMs {timeoutMs} must be in 1..{MaxBatchTimeoutMs}"
        : null;

    public static string? TxBytes(long maxTxBytes) =>
        maxTxBytes is < MinTxBytes or > MaxTxBytes ? $"maxTxBytes {maxTxBytes} must be in {MinTxBytes}..{MaxTxBytes}" : null;

    public static string? TimestampWindow(long windowMs) =>
        windowMs is < MinTimestampWindowMs or > MaxTimestampWindowMs ? $"timestampWindowMs {windowMs} must be in {MinTimestampWindowMs}..{MaxTimestampWindowMs}" : null;
}
