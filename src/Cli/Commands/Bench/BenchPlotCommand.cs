using System.CommandLine;
using System.Text.Json;

namespace Chain.Cli.Commands.Bench;

/// <summary>
/// <c>chain bench plot</c>: a PNG of saved <c>bench … -o json</c> reports of one workload at several offered rates —
/// committed tx/s against offered load (with the line where they are equal), and latency p50/p90/p99 against offered load.
/// A report of a run at full speed (offered 0) is drawn at its own committed rate.
/// </summary>
internal static class BenchPlotCommand
{
    public sealed record Point(double Offered, double Committed, double P50, double P90, double P99);

    public static Command Build()
    {
        var inputs = new Argument<string[]>("reports") { Description = "JSON reports written by 'chain bench kv|donate|mixed … -o json'", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "PNG file to write", DefaultValueFactory = _ => "bench.png" };
        var title = new Option<string?>("--title") { Description = "title of the plot (default: the workload and endpoint of the first report)" };
        var command = new Command("plot", "draw committed tx/s and latency percentiles against offered load from saved reports (PNG)") { inputs, output, title };
        command.SetHandler((parse, _) =>
        {
            var points = parse.GetValue(inputs)!.Select(Read).OrderBy(p => p.Point.Offered).ToList();
            var name = parse.GetValue(title) ?? $"chain bench {points[0].Workload}";
            Draw(points.Select(p => p.Point).ToList(), name, parse.GetValue(output)!);
            Console.Out.WriteLine($"wrote {parse.GetValue(output)} ({points.Count} runs)");
            return Task.FromResult(0);
        });
        return command;
    }

    private static (string Workload, Point Point) Read(string file)
    {
        if (!File.Exists(file)) throw new UsageException($"'{file}' does not exist");
        try
        {
            var root = JsonDocument.Parse(File.ReadAllText(file)).RootElement;
            var load = root.GetProperty("load");
            double committed = load.GetProperty("txPerSecond").GetDouble();
            double offered = root.GetProperty("offeredPerSecond").GetDouble();
            return (root.GetProperty("workload").GetString()!, new Point(offered > 0 ? offered : committed, committed,
                load.GetProperty("latencyP50Ms").GetDouble(), load.GetProperty("latencyP90Ms").GetDouble(), load.GetProperty("latencyP99Ms").GetDouble()));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new UsageException($"'{file}' is not a report of 'chain bench … -o json' with a transaction load ({e.Message})");
        }
    }

    /// <summary>One plot: committed tx/s on the left axis, latency percentiles (ms) on the right, both against offered tx/s.</summary>
    public static void Draw(IReadOnlyList<Point> points, string title, string file)
    {
        var plot = new ScottPlot.Plot();
        plot.Title(title);
        double[] offered = points.Select(p => p.Offered).ToArray();
        var committed = plot.Add.Scatter(offered, points.Select(p => p.Committed).ToArray());
        committed.LegendText = "committed tx/s (left)";
        committed.LineWidth = 3;
        var max = Math.Max(offered.Max(), points.Max(p => p.Committed));
        var ideal = plot.Add.Line(0, 0, max, max);
        ideal.LinePattern = ScottPlot.LinePattern.Dashed;
        ideal.LegendText = "committed = offered";
        foreach (var (label, values) in new[] { ("p50", points.Select(p => p.P50)), ("p90", points.Select(p => p.P90)), ("p99", points.Select(p => p.P99)) })
        {
            var line = plot.Add.Scatter(offered, values.ToArray());
            line.LegendText = label + " latency ms (right)";
            line.Axes.YAxis = plot.Axes.Right;
        }
        plot.XLabel("offered tx/s");
        plot.YLabel("committed tx/s");
        plot.Axes.Right.Label.Text = "submit to commit event, ms";
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        var directory = Path.GetDirectoryName(Path.GetFullPath(file));
        if (directory is not null) Directory.CreateDirectory(directory);
        plot.SavePng(file, 1000, 600);
    }
}
