using System.Diagnostics;

namespace Chain.Cli.Output;

/// <summary>
/// A progress line for long work on standard error: rewritten in place on a terminal (at most four times a second),
/// a plain line at each tenth of the work otherwise, so logs stay readable. Nothing is written for quick work.
/// </summary>
internal sealed class Progress : IDisposable
{
    private readonly string _what;
    private readonly long _total;
    private readonly bool _terminal = !Console.IsErrorRedirected;
    private readonly long _started = Stopwatch.GetTimestamp();
    private long _lastDrawn;
    private int _lastTenth;
    private bool _drawn;

    /// <summary>Work that ends within this long prints nothing.</summary>
    private const double QuietSeconds = 1;

    private Progress(string what, long total) => (_what, _total) = (what, total);

    public static Progress Start(string what, long total) => new(what, total);

    public void Report(int done) => Report((long)done);

    public void Report(long done)
    {
        var now = Stopwatch.GetTimestamp();
        var elapsed = Stopwatch.GetElapsedTime(_started, now).TotalSeconds;
        if (elapsed < QuietSeconds) return; // quick work shows no progress at all
        var line = $"{_what}: {done:N0} of {_total:N0} ({100.0 * done / Math.Max(1, _total):F0}%), {done / Math.Max(elapsed, 1e-9):N0}/s, {elapsed:F0} s";
        if (_terminal)
        {
            if (Stopwatch.GetElapsedTime(_lastDrawn, now).TotalMilliseconds < 250 && done < _total) return;
            _lastDrawn = now;
            Console.Error.Write("\r" + line.PadRight(78));
            _drawn = true;
        }
        else if (_total > 0 && (int)(10 * done / _total) is var tenth && tenth > _lastTenth)
        {
            _lastTenth = tenth;
            Console.Error.WriteLine(line);
        }
    }

    /// <summary>Ends the line drawn on a terminal; once, however often it is called.</summary>
    public void Dispose()
    {
        if (_drawn) Console.Error.WriteLine();
        _drawn = false;
    }
}
