using System.Diagnostics;
using Chain.Cli.Commands;

namespace Chain.Tests.TestKit;

/// <summary>Runs the real `chain` program (chain.dll, built alongside the tests) as a child process.</summary>
public static class ChainBinary
{
    public static string DllPath { get; } = Path.Combine(AppContext.BaseDirectory, "chain.dll");

    public static Process Start(params string[] args)
    {
        var info = ProcessControl.ChainStartInfo(DllPath, args);
        info.Environment["DOTNET_NOLOGO"] = "1";
        return Process.Start(info)!;
    }

    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>Runs to completion and captures the output.</summary>
    public static async Task<Result> RunAsync(IDictionary<string, string>? environment, params string[] args)
    {
        var info = ProcessControl.ChainStartInfo(DllPath, args);
        if (environment is not null) foreach (var (k, v) in environment) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public static Task<Result> RunAsync(params string[] args) => RunAsync(null, args);
}
