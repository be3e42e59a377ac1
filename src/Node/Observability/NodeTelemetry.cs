using System.Diagnostics;
using Chain.Node.Configuration;
using Chain.Node.Execution;
using Chain.Node.Ledger;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Chain.Node.Observability;

/// <summary>
/// OpenTelemetry traces of a transaction's way through this node: the submit call (the server span, tagged with
/// <c>chain.tx_id</c>), then, in the same trace, <c>order</c> (admitted → its block starts executing), <c>execute</c>
/// (the block runs and its state root is computed) and <c>commit</c> (the synced write), each tagged with the tx id,
/// channel, block number and validation code. Nothing is recorded unless <c>telemetry</c> is configured.
/// </summary>
internal static class NodeTelemetry
{
    public const string SourceName = "Chain.Node";
    private static readonly ActivitySource Source = new(SourceName);

    public static void AddTracing(IServiceCollection services, NodeConfig config)
    {
        if (config.Telemetry is not { } telemetry) return;
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("chain-node", serviceInstanceId: config.NodeId))
            .WithTracing(tracing => tracing
                .AddSource(SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = context => context.Request.Path.StartsWithSegments("/chain.v1.Gateway") || context.Request.Path.StartsWithSegments("/v1/transactions"))
                .AddOtlpExporter(o =>
                {
                    bool http = telemetry.Protocol == "http/protobuf";
                    o.Protocol = http ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                    o.Endpoint = new Uri(http ? telemetry.OtlpEndpoint.TrimEnd('/') + "/v1/traces" : telemetry.OtlpEndpoint);
                    o.ExportProcessorType = OpenTelemetry.ExportProcessorType.Batch;
                    o.BatchExportProcessorOptions.ScheduledDelayMilliseconds = 1000;
                }));
    }

    /// <summary>Remembers the submit call's trace and tags it with the tx id.</summary>
    public static void Admitted(CheckedTx tx)
    {
        if (!Source.HasListeners() || Activity.Current is not { } call) return;
        // One tag for a single submit; a batch call names each of its transactions in an event.
        if (call.GetTagItem("chain.tx_id") is null) call.SetTag("chain.tx_id", tx.TxIdHex);
        else call.AddEvent(new ActivityEvent("admitted", tags: new ActivityTagsCollection { ["chain.tx_id"] = tx.TxIdHex }));
        tx.TraceParent = call.Context;
        tx.AdmittedUtc = DateTime.UtcNow;
    }

    public static void BlockCommitted(string channel, BlockWriteSet set, IReadOnlyList<CheckedTx> batch, DateTime writeStarted, DateTime writeEnded)
    {
        if (!Source.HasListeners()) return;
        var block = set.Block;
        var executeEnded = set.ExecuteStartedUtc + set.RunTime + set.StateRootTime;
        for (int i = 0; i < batch.Count; i++)
        {
            var tx = batch[i];
            if (tx.TraceParent == default) continue;
            var code = i < block.Results.Count ? Sdk.Client.ErrorCodes.NameOf(block.Results[i].Code) : "";
            Span(tx, "order", tx.AdmittedUtc, set.ExecuteStartedUtc, channel, block.Header.Number, code);
            Span(tx, "execute", set.ExecuteStartedUtc, executeEnded, channel, block.Header.Number, code);
            Span(tx, "commit", writeStarted, writeEnded, channel, block.Header.Number, code);
        }
    }

    private static void Span(CheckedTx tx, string name, DateTime start, DateTime end, string channel, ulong block, string code)
    {
        using var activity = Source.StartActivity(name, ActivityKind.Internal, tx.TraceParent, startTime: start);
        if (activity is null) return;
        activity.SetTag("chain.tx_id", tx.TxIdHex);
        activity.SetTag("chain.channel", channel);
        activity.SetTag("chain.block", (long)block);
        activity.SetTag("chain.validation_code", code);
        activity.SetEndTime(end < start ? start : end);
    }
}
