namespace Chain.Node.Hosting;

/// <summary>
/// <c>node.pid</c> in a node's data folder: the process id of the node serving that folder. Written once the node holds
/// its ledgers (so a second node on the same folder, which cannot open them, never overwrites it), removed when it
/// stops. Tools that run local networks read it to tell a node already running on a folder, started by hand or by
/// another tool, from a stranger on the same port.
/// </summary>
public static class NodePidFile
{
    public const string FileName = "node.pid";

    public static string PathIn(string dataDir) => Path.Combine(dataDir, FileName);

    internal static void Write(string dataDir) => File.WriteAllText(PathIn(dataDir), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>Removes the file if it still names this process.</summary>
    internal static void Remove(string dataDir)
    {
        try
        {
            if (ReadPid(dataDir) == Environment.ProcessId) File.Delete(PathIn(dataDir));
        }
        catch (IOException) { }
    }

    /// <summary>The id of the live node process serving <paramref name="dataDir"/>, or null (no file, or a process that is gone or is not a node: a stale file).</summary>
    public static int? LiveNode(string dataDir)
    {
        if (ReadPid(dataDir) is not { } pid) return null;
        try
        {
            // On Linux the command line says whether the pid (perhaps reused) is still a node.
            var cmdline = $"/proc/{pid}/cmdline";
            if (File.Exists(cmdline)) return File.ReadAllText(cmdline).Replace('\0', ' ').Contains("node start", StringComparison.Ordinal) ? pid : null;
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.HasExited ? null : pid;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException) { return null; }
    }

    private static int? ReadPid(string dataDir)
    {
        try { return int.TryParse(File.ReadAllText(PathIn(dataDir)).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var pid) ? pid : null; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
