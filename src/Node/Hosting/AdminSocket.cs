namespace Chain.Node.Hosting;

/// <summary>Where a node's admin socket is: <c>admin.sock</c> in its data folder, owner-only.</summary>
public static class AdminSocket
{
    public const string FileName = "admin.sock";
    /// <summary>A Unix socket path longer than this does not fit the kernel's address structure.</summary>
    public const int MaxPathBytes = 107;

    public static string PathFor(Configuration.NodeConfig config) => System.IO.Path.Combine(config.Resolve(config.DataDir), FileName);
}
