using System.Security.Cryptography;
using System.Text.Json;
using Chain.Node.Membership;
using Chain.Node.Storage;
using Chain.Node.Storage.Rocks;
using Chain.Protocol;
using Chain.Sdk.Encoding;

namespace Chain.Node.Ledger;

/// <summary>
/// A node's backup: one consistent RocksDB checkpoint per channel under <c>channels/&lt;channel&gt;/</c> and a
/// <see cref="ManifestFile"/> naming, per channel, its height, last block hash, state root and genesis hash, and every
/// file with its size and SHA-256. <see cref="Restore"/> writes a backup into an empty data folder only after the
/// files match the manifest and each ledger verifies (every block re-hashed, linked, signed by a consenter, the state
/// against the last state root), so a node restored from it, or a new node started from another node's backup, serves
/// nothing unverified. The Raft log is not part of a backup: a restored consenter rejoins its channels' Raft groups
/// from the other consenters (docs/OPERATIONS.md says when that is safe).
/// </summary>
public static class LedgerBackup
{
    public const string ManifestFile = "manifest.json";
    public const string ChannelsFolder = "channels";
    public const int CurrentFormat = 1;

    public sealed record Manifest(int Format, string Node, string CreatedUtc, List<ChannelCopy> Channels);
    public sealed record ChannelCopy(string Channel, ulong Height, string LastHash, string StateRoot, string GenesisHash, List<FileCopy> Files);
    public sealed record FileCopy(string Path, long Bytes, string Sha256);
    public sealed record Restored(string Channel, ulong Height, string LastHash, string StateRoot);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// Writes a backup into <paramref name="outDir"/> (new or empty): <paramref name="checkpoint"/> copies each channel's
    /// ledger into the folder it is given (a running node's own ledgers, or the stores of a stopped one).
    /// </summary>
    public static Manifest Write(string nodeId, IReadOnlyList<string> channels, Action<string, string> checkpoint, string outDir, DateTimeOffset now)
    {
        if (!Path.IsPathFullyQualified(outDir)) throw new BackupRefusedException($"backup folder '{outDir}' must be an absolute path");
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any()) throw new BackupRefusedException($"backup folder '{outDir}' is not empty; a backup is written into a new or empty folder");
        Directory.CreateDirectory(Path.Combine(outDir, ChannelsFolder));
        var copies = new List<ChannelCopy>();
        foreach (var channel in channels.Order(StringComparer.Ordinal))
        {
            var target = Path.Combine(outDir, ChannelsFolder, channel);
            checkpoint(channel, target);
            copies.Add(Describe(channel, target, outDir));
        }
        var manifest = new Manifest(CurrentFormat, nodeId, now.UtcDateTime.ToString("O"), copies);
        var manifestPath = Path.Combine(outDir, ManifestFile);
        File.WriteAllText(manifestPath + ".tmp", JsonSerializer.Serialize(manifest, Json));
        File.Move(manifestPath + ".tmp", manifestPath); // a folder without the manifest is an unfinished backup
        return manifest;
    }

    /// <summary>The manifest as JSON, as written into a backup.</summary>
    public static string ToJson(Manifest manifest) => JsonSerializer.Serialize(manifest, Json);

    /// <summary>Copies the stores of a stopped node (each channel's folder under <paramref name="dataDir"/>).</summary>
    public static Action<string, string> FromStoppedNode(string dataDir) => (channel, target) =>
    {
        var source = Path.Combine(dataDir, channel);
        if (!Directory.Exists(source)) throw new BackupRefusedException($"the node's data folder '{dataDir}' has no ledger of channel '{channel}'");
        using var store = RocksStore.Open(source);
        store.Checkpoint(target);
    };

    /// <summary>
    /// Checks a backup against its manifest: the format is known, every listed file is there with its size and SHA-256,
    /// and nothing else is. Returns the manifest; throws <see cref="BackupRefusedException"/> naming what is wrong.
    /// </summary>
    public static Manifest Check(string backupDir)
    {
        var manifestPath = Path.Combine(backupDir, ManifestFile);
        if (!File.Exists(manifestPath)) throw new BackupRefusedException($"'{backupDir}' holds no {ManifestFile}: not a backup, or an unfinished one");
        Manifest? manifest;
        try { manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath), Json); }
        catch (JsonException e) { throw new BackupRefusedException($"{manifestPath} is not a readable manifest: {e.Message}"); }
        if (manifest?.Channels is null) throw new BackupRefusedException($"{manifestPath} is not a readable manifest");
        if (manifest.Format != CurrentFormat) throw new BackupRefusedException($"{manifestPath} has format {manifest.Format}; this version reads format {CurrentFormat}");
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var channel in manifest.Channels)
            foreach (var file in channel.Files)
            {
                var path = Path.GetFullPath(Path.Combine(backupDir, file.Path));
                if (!path.StartsWith(Path.GetFullPath(backupDir) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new BackupRefusedException($"the manifest lists '{file.Path}', which is outside the backup");
                listed.Add(path);
                if (!File.Exists(path)) throw new BackupRefusedException($"backup file {file.Path} of channel '{channel.Channel}' is missing");
                if (new FileInfo(path).Length != file.Bytes) throw new BackupRefusedException($"backup file {file.Path} has {new FileInfo(path).Length} bytes, the manifest says {file.Bytes}: the backup was altered or damaged");
                if (Sha256Of(path) != file.Sha256) throw new BackupRefusedException($"backup file {file.Path} does not match its SHA-256 in the manifest: the backup was altered or damaged");
            }
        var channelsDir = Path.Combine(backupDir, ChannelsFolder);
        if (Directory.Exists(channelsDir))
            foreach (var extra in Directory.GetFiles(channelsDir, "*", SearchOption.AllDirectories).Where(f => !listed.Contains(Path.GetFullPath(f))))
                throw new BackupRefusedException($"backup file {Path.GetRelativePath(backupDir, extra)} is not in the manifest: the backup was altered");
        return manifest;
    }

    /// <summary>
    /// Restores the channels a node runs (<paramref name="channels"/>: name and the genesis file its config names, if
    /// any) from <paramref name="backupDir"/> into <paramref name="dataDir"/>, which must be empty or missing. Each
    /// ledger is checked (<see cref="Check"/>, then <see cref="LedgerVerifier"/>) in a staging folder beside it, and the
    /// staging folder becomes the data folder only when all of them pass: a refused restore leaves nothing behind.
    /// </summary>
    public static IReadOnlyList<Restored> Restore(string backupDir, string dataDir, IReadOnlyList<(string Channel, string? GenesisFile)> channels, Action<string, ulong, ulong>? progress = null)
    {
        if (Directory.Exists(dataDir) && Directory.EnumerateFileSystemEntries(dataDir).Any())
            throw new BackupRefusedException($"data folder '{dataDir}' is not empty; a backup is restored only into an empty one (move the old one aside first)");
        var manifest = Check(backupDir);
        var staging = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDir)) + ".restoring";
        if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true); // what an interrupted restore left
        Directory.CreateDirectory(staging);
        try
        {
            var restored = new List<Restored>();
            foreach (var (name, genesisFile) in channels)
            {
                var copy = manifest.Channels.FirstOrDefault(c => c.Channel == name)
                    ?? throw new BackupRefusedException($"the backup has no ledger of channel '{name}' (it has: {string.Join(", ", manifest.Channels.Select(c => c.Channel))})");
                if (genesisFile is not null && Convert.ToHexStringLower(ProtocolHashes.BlockHash(GenesisBlock.ReadFile(genesisFile).Header)) is var genesisHash
                    && !string.Equals(copy.GenesisHash, genesisHash, StringComparison.OrdinalIgnoreCase))
                    throw new BackupRefusedException($"channel '{name}' of the backup starts from genesis {copy.GenesisHash}, the node's genesis file {genesisFile} is {genesisHash}: a backup of another network");
                var target = Path.Combine(staging, name);
                CopyFolder(Path.Combine(backupDir, ChannelsFolder, name), target);
                var report = LedgerVerifier.Verify(target, name, new ConsenterRule().Check, (done, total) => progress?.Invoke(name, done, total));
                if (!report.Intact) throw new BackupRefusedException($"channel '{name}' of the backup does not verify: {report.Problem}");
                if (report.Height != copy.Height || !string.Equals(Convert.ToHexStringLower(report.LastHash), copy.LastHash, StringComparison.OrdinalIgnoreCase))
                    throw new BackupRefusedException($"channel '{name}': the manifest says height {copy.Height} ending in {copy.LastHash}, the ledger in the backup has {report.Height} blocks ending in {Convert.ToHexStringLower(report.LastHash)}");
                var stateRoot = Head(target).StateRoot;
                if (!string.Equals(stateRoot, copy.StateRoot, StringComparison.OrdinalIgnoreCase))
                    throw new BackupRefusedException($"channel '{name}': the manifest says state root {copy.StateRoot}, the ledger's last block has {stateRoot}");
                restored.Add(new Restored(name, report.Height, copy.LastHash, copy.StateRoot));
            }
            if (Directory.Exists(dataDir)) Directory.Delete(dataDir);
            Directory.Move(staging, dataDir);
            return restored;
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    private static ChannelCopy Describe(string channel, string folder, string root)
    {
        var head = Head(folder);
        var files = Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => new FileCopy(Path.GetRelativePath(root, f).Replace(Path.DirectorySeparatorChar, '/'), new FileInfo(f).Length, Sha256Of(f))).ToList();
        return new ChannelCopy(channel, head.Height, head.LastHash, head.StateRoot, head.GenesisHash, files);
    }

    private static (ulong Height, string LastHash, string StateRoot, string GenesisHash) Head(string folder)
    {
        using var store = RocksStore.Open(folder, readOnly: true);
        var savepoint = store.Get(Column.Meta, KeyCodec.SavepointKey) ?? throw new BackupRefusedException($"the ledger copy in '{folder}' has no savepoint");
        var (height, lastHash) = Values.ParseSavepoint(savepoint);
        var last = Block.Parser.ParseFrom(store.Get(Column.Blocks, KeyCodec.BlockNumber(height - 1)) ?? throw new BackupRefusedException($"the ledger copy in '{folder}' lacks block {height - 1}"));
        var genesis = Block.Parser.ParseFrom(store.Get(Column.Blocks, KeyCodec.BlockNumber(0)) ?? throw new BackupRefusedException($"the ledger copy in '{folder}' lacks its genesis block"));
        return (height, Convert.ToHexStringLower(lastHash), Convert.ToHexStringLower(last.Header.StateRoot.Span), Convert.ToHexStringLower(ProtocolHashes.BlockHash(genesis.Header)));
    }

    private static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static void CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source)) File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        foreach (var folder in Directory.GetDirectories(source)) CopyFolder(folder, Path.Combine(target, Path.GetFileName(folder)));
    }
}

/// <summary>A backup cannot be written or restored as asked; the message says what is wrong and nothing was written.</summary>
public sealed class BackupRefusedException(string message) : Exception(message);
