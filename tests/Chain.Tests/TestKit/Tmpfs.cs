using System.Diagnostics;
using Xunit;

namespace Chain.Tests.TestKit;

/// <summary>
/// A size-limited tmpfs mounted in a temp folder, to fill a node's disk on purpose. Needs the right to mount (root in
/// the test environment); <see cref="TmpfsFactAttribute"/> skips a test, saying why, where that is not allowed.
/// </summary>
public sealed class Tmpfs : IDisposable
{
    private Tmpfs(string path) => Path = path;

    public string Path { get; }

    public static Tmpfs Mount(int megabytes)
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "chain-tmpfs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        if (Run("mount", "-t", "tmpfs", "-o", $"size={megabytes}m", "tmpfs", path) is { } error)
        {
            Directory.Delete(path);
            throw new InvalidOperationException($"cannot mount a tmpfs on {path}: {error}");
        }
        return new Tmpfs(path);
    }

    /// <summary>Gives the file system another size (what freeing disk space does for a node).</summary>
    public void Resize(int megabytes)
    {
        if (Run("mount", "-o", $"remount,size={megabytes}m", Path) is { } error) throw new InvalidOperationException($"cannot resize {Path}: {error}");
    }

    public void Dispose()
    {
        Run("umount", "-l", Path);
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }

    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        if (!OperatingSystem.IsLinux()) return "tmpfs mounts need Linux";
        try { using var probe = Mount(1); return null; }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { return e.Message + " (run the tests as root to include this test)"; }
    });

    /// <summary>Why a tmpfs cannot be mounted here, or null when it can.</summary>
    public static string? WhyNot => Unavailable.Value;

    private static string? Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? null : error.Trim() is { Length: > 0 } message ? message : $"{file} exited with {process.ExitCode}";
    }
}

/// <summary>A fact that needs <see cref="Tmpfs"/>: skipped, with the reason, where mounting is not allowed.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    public TmpfsFactAttribute()
    {
        if (Tmpfs.WhyNot is { } why) Skip = why;
    }
}
