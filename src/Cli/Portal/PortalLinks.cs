using System.Security.Cryptography;
using System.Text;

using Chain.Cli.Commands;

namespace Chain.Cli.Portal;

/// <summary>
/// The links by which the bank (or the expropriation office) lets one person see their own page: the page's path and
/// an expiry, with an HMAC-SHA256 under a secret only the issuer and the portal hold. A link cannot be altered to
/// another donation or household, and stops working at its expiry (docs/adr/0008-portal.md).
/// </summary>
internal static class PortalLinks
{
    /// <summary>Reads the secret, creating a fresh 32-byte one (readable by its owner only) when the file does not exist.</summary>
    public static byte[] LoadOrCreateSecret(string path)
    {
        if (File.Exists(path)) return LoadSecret(path);
        var created = RandomNumberGenerator.GetBytes(32);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        // Created readable by its owner only from the first byte on.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var file = new StreamWriter(path, System.Text.Encoding.ASCII, options)) file.Write(Convert.ToHexStringLower(created) + "\n");
        return created;
    }

    /// <summary>Reads an existing secret: issuing links under a fresh one would give links the portal refuses.</summary>
    public static byte[] LoadSecret(string path)
    {
        if (!File.Exists(path)) throw new UsageException($"--link-secret '{path}' does not exist; start the portal once (it creates it) or copy the portal's secret here");
        var text = File.ReadAllText(path).Trim();
        try { var secret = Convert.FromHexString(text); if (secret.Length >= 32) return secret; }
        catch (FormatException) { }
        throw new UsageException($"--link-secret '{path}' does not hold a hex secret of at least 32 bytes");
    }

    public static string Sign(byte[] secret, string path, long expiresMs) =>
        $"{path}?exp={expiresMs}&sig={Convert.ToHexStringLower(Mac(secret, path, expiresMs))}";

    /// <summary>True when <paramref name="signature"/> is this portal's for the path and the expiry has not passed.</summary>
    public static bool Check(byte[] secret, string path, string? expires, string? signature, long nowMs)
    {
        if (!long.TryParse(expires, out var expiresMs) || expiresMs < nowMs || signature is null) return false;
        byte[] given;
        try { given = Convert.FromHexString(signature); }
        catch (FormatException) { return false; }
        return CryptographicOperations.FixedTimeEquals(given, Mac(secret, path, expiresMs));
    }

    private static byte[] Mac(byte[] secret, string path, long expiresMs) =>
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes($"chain-portal-link\n{path}\n{expiresMs}"));
}
