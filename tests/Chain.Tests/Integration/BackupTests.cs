using System.Text.Json;
using Chain.Protocol;
using Chain.Tests.TestKit;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// `chain node backup` and `chain node restore` against real node processes (Raft over loopback, RocksDB in temp
/// folders): a backup taken while the network commits, a wiped node restored from it, a new node started from it,
/// and altered backups refused.
/// </summary>
public sealed class BackupTests
{
    private static readonly string[] Channels = ["sandbox"];

    [Fact]
    public async Task ABackupTakenUnderLoad_RestoresAWipedNode_ThatCatchesUpIdentical_ANewNodeStartsFromIt_AndAlteredBackupsAreRefused()
    {
        await using var cluster = await LocalCluster.StartAsync(3, LocalCluster.SandboxOnly());
        var node = cluster.Nodes[2];
        using var dir = new TempDirectory();

        // Load through the first node while the third is backed up.
        using var stopLoad = new CancellationTokenSource();
        int sent = 0;
        var load = Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                var batch = new SubmitBatchRequest();
                batch.Transactions.AddRange(Enumerable.Range(0, 20).Select(i => Build.Put($"load-{sent}-{i}", "v")));
                var response = await cluster.Nodes[0].Client.Gateway.SubmitBatchAsync(batch);
                Assert.All(response.Statuses, s => Assert.True(s.Accepted, s.Message));
                sent++;
                await Task.Delay(20);
            }
        });
        await Wait.UntilAsync(async () => (await LocalCluster.InfoAsync(node))?.Height > 5, "the load commits on the node");
        var backupDir = dir.Combine("backup");
        var backup = await ChainBinary.RunAsync("node", "backup", "--config", node.ConfigPath, "--out", backupDir, "-o", "json");
        Assert.True(backup.ExitCode == 0, backup.StdErr);
        var manifest = JsonDocument.Parse(backup.StdOut).RootElement;
        Assert.Equal(Channels, manifest.GetProperty("channels").EnumerateArray().Select(c => c.GetProperty("channel").GetString()));
        var backedUp = manifest.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "sandbox");
        ulong backupHeight = backedUp.GetProperty("height").GetUInt64();
        Assert.True(backupHeight > 5);
        // The load goes on after the backup, so the restored node has blocks to catch up on.
        int sentAtBackup = sent;
        await Wait.UntilAsync(() => Task.FromResult(sent > sentAtBackup + 5), "more load after the backup");
        stopLoad.Cancel();
        await load;
        Assert.Contains("backup written to", node.Log);
        // The admin socket is the operator's alone, and the Admin service answers nowhere else.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(node.DataDir, "admin.sock")));
        using (var tcp = Grpc.Net.Client.GrpcChannel.ForAddress(node.Endpoint))
        {
            var elsewhere = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => new Admin.AdminClient(tcp).BackupAsync(new BackupRequest { OutDir = dir.Combine("via-tcp") }).ResponseAsync);
            Assert.Equal((Grpc.Core.StatusCode.Unimplemented, "admin services are served only on the admin socket"), (elsewhere.StatusCode, elsewhere.Status.Detail));
            Assert.False(Directory.Exists(dir.Combine("via-tcp")));
        }

        // A stopped node is backed up from its folder.
        var last = (await LocalCluster.InfoAsync(node))!;
        await node.StopAsync();
        var offline = await ChainBinary.RunAsync("node", "backup", "--config", node.ConfigPath, "--out", dir.Combine("offline"), "-o", "json");
        Assert.True(offline.ExitCode == 0, offline.StdErr);
        var stopped = JsonDocument.Parse(offline.StdOut).RootElement.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "sandbox");
        Assert.True(stopped.GetProperty("height").GetUInt64() >= last.Height);
        var again = await ChainBinary.RunAsync("node", "backup", "--config", node.ConfigPath, "--out", dir.Combine("offline"));
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("is not empty; a backup is written into a new or empty folder", again.StdErr);

        // The node loses its disk.
        Directory.Delete(node.DataDir, recursive: true);

        // Altered copies are refused with the reason, and nothing is written.
        var altered = dir.Combine("altered");
        NodeProcess.CopyDirectory(backupDir, altered);
        var table = Directory.GetFiles(Path.Combine(altered, "channels", "sandbox"), "*.sst").OrderByDescending(f => new FileInfo(f).Length).First();
        var bytes = File.ReadAllBytes(table);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(table, bytes);
        var refused = await ChainBinary.RunAsync("node", "restore", "--config", node.ConfigPath, "--from", altered);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"refused: backup file channels/sandbox/{Path.GetFileName(table)} does not match its SHA-256 in the manifest: the backup was altered or damaged", refused.StdErr);
        Assert.False(Directory.Exists(node.DataDir));

        var misdescribed = dir.Combine("misdescribed");
        NodeProcess.CopyDirectory(backupDir, misdescribed);
        var manifestFile = Path.Combine(misdescribed, "manifest.json");
        File.WriteAllText(manifestFile, File.ReadAllText(manifestFile).Replace($"\"height\": {backupHeight},", $"\"height\": {backupHeight + 1},"));
        var lying = await ChainBinary.RunAsync("node", "restore", "--config", node.ConfigPath, "--from", misdescribed);
        Assert.Equal(1, lying.ExitCode);
        Assert.Contains($"refused: channel 'sandbox': the manifest says height {backupHeight + 1}", lying.StdErr);
        Assert.False(Directory.Exists(node.DataDir));
        Assert.False(Directory.Exists(node.DataDir + ".restoring"));

        // Restored, it verifies every ledger first, then catches up from its peers and ends identical.
        var restored = await ChainBinary.RunAsync("node", "restore", "--config", node.ConfigPath, "--from", backupDir);
        Assert.True(restored.ExitCode == 0, restored.StdErr);
        Assert.Contains($"sandbox: restored and verified, {backupHeight} blocks", restored.StdOut);
        await node.StartProcessAsync();
        var after = await cluster.Nodes[1].Client.Gateway.SubmitAndWaitAsync(new SubmitRequest { Transaction = Build.Put("after-restore", "v") });
        Assert.Equal(ValidationCode.Valid, after.Code);
        foreach (var channel in Channels) await LocalCluster.ConvergedAsync(cluster.Nodes, channel);
        var head = await LocalCluster.ConvergedAsync(cluster.Nodes, "sandbox", atLeast: after.BlockNumber + 1);
        Assert.True(head.Height > backupHeight);

        // A new node of the Bank starts from the same backup instead of from genesis, and follows from there.
        var newcomer = cluster.AddNode();
        var joined = await ChainBinary.RunAsync("node", "restore", "--config", newcomer.ConfigPath, "--from", backupDir);
        Assert.True(joined.ExitCode == 0, joined.StdErr);
        await newcomer.StartProcessAsync();
        Assert.Contains($"channel sandbox: height {backupHeight},", newcomer.Log);
        await LocalCluster.ConvergedAsync(cluster.Nodes, "sandbox", atLeast: head.Height);

        // A backup is never restored over a ledger.
        var over = await ChainBinary.RunAsync("node", "restore", "--config", cluster.Nodes[0].ConfigPath, "--from", backupDir);
        Assert.Equal(2, over.ExitCode);
        Assert.Contains("is running", over.StdErr);
    }
}
