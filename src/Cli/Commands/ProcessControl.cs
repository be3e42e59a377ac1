using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Chain.Cli.Commands;

/// <summary>Starting this same program as a child process, and stopping children gracefully.</summary>
internal static partial class ProcessControl
{
    private const int SigTerm = 15;

    /// <summary>How to run <c>chain</c> again: the apphost itself, or "dotnet chain.dll" when run through dotnet.</summary>
    public static ProcessStartInfo ChainStartInfo(string? chainDll, params string[] args)
    {
        var info = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var processPath = Environment.ProcessPath ?? "dotnet";
        if (chainDll is not null || Path.GetFileNameWithoutExtension(processPath) == "dotnet")
        {
            info.FileName = Path.GetFileNameWithoutExtension(processPath) == "dotnet" ? processPath : "dotnet";
            info.ArgumentList.Add(chainDll ?? typeof(ProcessControl).Assembly.Location);
        }
        else info.FileName = processPath;
        foreach (var arg in args) info.ArgumentList.Add(arg);
        return info;
    }

    /// <summary>Asks a process to stop (SIGTERM), then kills it if it has not exited within the grace period.</summary>
    public static async Task StopAsync(Process process, TimeSpan grace)
    {
        if (process.HasExited) return;
        if (OperatingSystem.IsWindows()) process.Kill(entireProcessTree: true);
        else _ = Kill(process.Id, SigTerm);
        using var timeout = new CancellationTokenSource(grace);
        try { await process.WaitForExitAsync(timeout.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
