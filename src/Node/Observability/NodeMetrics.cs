using Chain.Node.Channels;
using Chain.Protocol;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Prometheus;

namespace Chain.Node.Observability;

/// <summary>
/// The node's Prometheus series, in one place (docs/OBSERVABILITY.md#metrics lists them). Counters and histograms move
/// where the work happens; the gauges of state (height, pending, Raft role, store sizes) are read from the channels
/// when the endpoint is scraped, so they cost nothing between scrapes.
/// </summary>
internal static class NodeMetrics
{
    public const string Path = "/metrics";
    public const string HealthPath = "/healthz";

    private static readonly double[] PhaseBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] QueryBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private static readonly Counter Blocks = Metrics.CreateCounter("chain_blocks_committed_total", "Blocks committed, by channel and how (proposed here or applied from the orderer).",
        new CounterConfiguration { LabelNames = ["channel", "source"] });
    private static readonly Counter Transactions = Metrics.CreateCounter("chain_transactions_committed_total", "Transactions committed in blocks, by channel and validation code (VALID, CONTRACT_ERROR, …).",
        new CounterConfiguration { LabelNames = ["channel", "code"] });
    private static readonly Histogram Phases = Metrics.CreateHistogram("chain_block_phase_seconds", "Time per block in each commit phase: run (execute the transactions), state_root, write (the synced batch), replay (verify and re-execute an ordered block).",
        new HistogramConfiguration { LabelNames = ["channel", "phase"], Buckets = PhaseBuckets });
    private static readonly Counter Refusals = Metrics.CreateCounter("chain_admission_refused_total", "Transactions refused at admission, by channel and code (the stable codes of docs/API.md).",
        new CounterConfiguration { LabelNames = ["channel", "code"] });
    private static readonly Histogram Queries = Metrics.CreateHistogram("chain_query_seconds", "Evaluate (query function) latency, by channel, contract and function.",
        new HistogramConfiguration { LabelNames = ["channel", "contract", "function"], Buckets = QueryBuckets });
    private static readonly Gauge Height = Metrics.CreateGauge("chain_channel_height", "Blocks on the channel, genesis included.", "channel");
    private static readonly Gauge Pending = Metrics.CreateGauge("chain_pending_transactions", "Transactions admitted here and not yet committed.", "channel");
    private static readonly Gauge Role = Metrics.CreateGauge("chain_channel_role", "1 for this node's current role on the channel (solo, leader, follower, candidate, observer, halted…).", "channel", "role");
    private static readonly Gauge Term = Metrics.CreateGauge("chain_raft_term", "The current Raft term.", "channel");
    private static readonly Gauge Behind = Metrics.CreateGauge("chain_commit_lag_blocks", "Blocks (Raft entries) this node knows are committed elsewhere and has not applied yet.", "channel");
    private static readonly Gauge StoreBytes = Metrics.CreateGauge("chain_rocksdb_bytes", "RocksDB sizes per channel: sst (live table files), wal (write-ahead log files), memtables.", "channel", "kind");
    private static readonly Gauge PeerStreams = Metrics.CreateGauge("chain_peer_streams", "Open block-pull streams: in (peers pulling from this node), out (this node pulling from a peer).", "direction");

    static NodeMetrics()
    {
        // Process CPU and memory stay; the runtime's event counters and meters would add hundreds of series.
        Metrics.SuppressDefaultMetrics(new SuppressDefaultMetricOptions { SuppressEventCounters = true, SuppressMeters = true, SuppressDebugMetrics = true });
        // Published at zero, so a dashboard shows "no streams" rather than "no data".
        PeerStreams.WithLabels("in").Set(0);
        PeerStreams.WithLabels("out").Set(0);
    }

    public static void BlockProposed(string channel, Block block, TimeSpan run, TimeSpan stateRoot, TimeSpan write)
    {
        Phases.WithLabels(channel, "run").Observe(run.TotalSeconds);
        Phases.WithLabels(channel, "state_root").Observe(stateRoot.TotalSeconds);
        Phases.WithLabels(channel, "write").Observe(write.TotalSeconds);
        Committed(channel, "proposed", block);
    }

    public static void BlockApplied(string channel, Block block, TimeSpan replay, TimeSpan write)
    {
        Phases.WithLabels(channel, "replay").Observe(replay.TotalSeconds);
        Phases.WithLabels(channel, "write").Observe(write.TotalSeconds);
        Committed(channel, "applied", block);
    }

    private static void Committed(string channel, string source, Block block)
    {
        Blocks.WithLabels(channel, source).Inc();
        Span<int> counts = stackalloc int[64];
        foreach (var result in block.Results)
        {
            int code = (int)result.Code;
            if ((uint)code < (uint)counts.Length) counts[code]++;
        }
        for (int code = 0; code < counts.Length; code++)
            if (counts[code] > 0) Transactions.WithLabels(channel, CodeName(code)).Inc(counts[code]);
        Height.WithLabels(channel).Set(block.Header.Number + 1);
    }

    public static void Refused(string channel, string code) => Refusals.WithLabels(channel, code).Inc();

    /// <summary>Labels only name functions the channel has, so a caller cannot grow the series with made-up names.</summary>
    public static void Query(ChannelRuntime channel, string contract, string function, TimeSpan elapsed)
    {
        bool known = channel.Contracts.TryGet(contract, out var handler) && handler.Functions.ContainsKey(function);
        Queries.WithLabels(channel.Name, known ? contract : "unknown", known ? function : "unknown").Observe(elapsed.TotalSeconds);
    }

    /// <summary>Counts an open block-pull stream until disposed; direction "in" (served) or "out" (pulled).</summary>
    public static IDisposable PeerStream(string direction)
    {
        var gauge = PeerStreams.WithLabels(direction);
        gauge.Inc();
        return new Decrement(gauge);
    }

    private sealed class Decrement(Gauge.Child gauge) : IDisposable
    {
        private int _done;
        public void Dispose() { if (Interlocked.Exchange(ref _done, 1) == 0) gauge.Dec(); }
    }

    private static string CodeName(int code) => Enum.IsDefined((ValidationCode)code) ? Sdk.Client.ErrorCodes.NameOf((ValidationCode)code) : code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, System.Collections.Concurrent.ConcurrentDictionary<string, byte>> SeenRoles = new(StringComparer.Ordinal);

    private static readonly string[] Roles = ["solo", "leader", "follower", "candidate", "joining", "removed", "observer", "halted", "starting"];

    /// <summary>Serves <see cref="Path"/> and <see cref="HealthPath"/>; the channel gauges are refreshed before each scrape.</summary>
    public static void Map(WebApplication app, ChannelDirectory channels)
    {
        Metrics.DefaultRegistry.AddBeforeCollectCallback(() => Refresh(channels));
        app.MapMetrics(Path);
        app.MapGet(HealthPath, () => channels.All.Any(c => c.Halted) ? Microsoft.AspNetCore.Http.Results.Text("halted\n", statusCode: 503) : Microsoft.AspNetCore.Http.Results.Text("ok\n"));
    }

    private static void Refresh(ChannelDirectory channels)
    {
        foreach (var channel in channels.All)
        {
            var name = channel.Name;
            Height.WithLabels(name).Set(channel.Ledger.Height);
            Pending.WithLabels(name).Set(channel.PendingCount);
            var status = channel.Orderer.Status;
            var role = channel.Role;
            // Every role seen on this channel is 0 but the current one (a role outside the list is remembered too).
            var seen = SeenRoles.GetOrAdd(name, _ => new System.Collections.Concurrent.ConcurrentDictionary<string, byte>(Roles.Select(r => KeyValuePair.Create(r, (byte)0))));
            seen.TryAdd(role, 0);
            foreach (var known in seen.Keys) Role.WithLabels(name, known).Set(known == role ? 1 : 0);
            Term.WithLabels(name).Set(status.Term);
            Behind.WithLabels(name).Set(status.Behind);
            var sizes = channel.Ledger.StoreSizes();
            StoreBytes.WithLabels(name, "sst").Set(sizes.Tables);
            StoreBytes.WithLabels(name, "wal").Set(sizes.Log);
            StoreBytes.WithLabels(name, "memtables").Set(sizes.Memtables);
        }
    }
}
