using System.Diagnostics;
using Chain.Protocol;
using Chain.Tests.TestKit;
using Google.Protobuf;
using Xunit;

namespace Chain.Tests.Integration;

/// <summary>
/// The documented way to add an organisation's node to a running network (network-config/add-organisation.sh), run as an
/// operator would, against `chain network up` on loopback.
/// </summary>
public sealed class AddOrganisationTests
{
    [Fact]
    public async Task TheAddAnOrganisationScript_AddsTheOrganisation_ByAConfigurationUpdate_AndItsNodeStartsFromABackup_AndFollows()
    {
        using var dir = new TempDirectory();
        var port = LocalCluster.FreePortBlock(2, 3);
        var net = dir.Combine("net");
        using var network = ChainBinary.Start("network", "up", "--dir", net, "--base-port", port.ToString(), "--no-observers", "--network", Repo.SampleNetworkFile);
        var ready = new TaskCompletionSource();
        network.OutputDataReceived += (_, e) => { if (e.Data?.Contains("press Ctrl-C") == true) ready.TrySetResult(); };
        network.ErrorDataReceived += (_, _) => { };
        network.BeginOutputReadLine();
        network.BeginErrorReadLine();
        int? added = null;
        try
        {
            await ready.Task.WaitAsync(TimeSpan.FromSeconds(120));
            var endpoint = $"http://127.0.0.1:{port}";
            // Something on the charity ledger, then a backup of the bank's node for the newcomer to start from.
            using var client = new Chain.Sdk.Client.ChainClient(endpoint);
            await new Chain.Cli.Commands.CharitySession(client, "charity", "test", CancellationToken.None).RegisterSampleOrganisationsAsync(Chain.Cli.Commands.Signer.LoadSample(Path.Combine(net, "crypto"), "CivilAffairs/inspector1"));
            var backup = await ChainBinary.RunAsync("node", "backup", "--config", Path.Combine(net, "node1", "config.json"), "--out", dir.Combine("backup"));
            Assert.True(backup.ExitCode == 0, backup.StdErr);

            // The operator's network file, with the new organisation and its node, a member of the charity channel.
            var text = File.ReadAllText(Repo.SampleNetworkFile);
            text = text.Replace("\nchannels:\n", """

              - name: PressWatch
                type: media
                description: a newspaper's watchdog desk that follows the charity ledger
                roles: [admin, reader]
                members:
                  - { name: reporter1, roles: [reader] }
                nodes:
                  - { name: press-node1, host: 127.0.0.1, port: 7091, observer: true }

            channels:

            """.Replace("\r", ""));
            text = text.Replace("organizations: [Bank, CivilAffairs, CharityFoundation, CharitySmall, Executor, AuditBureau]", "organizations: [Bank, CivilAffairs, CharityFoundation, CharitySmall, Executor, AuditBureau, PressWatch]");
            File.WriteAllText(dir.Combine("network.yaml"), text);

            int newPort = LocalCluster.FreePortBlock(1, 1);
            var script = await RunScriptAsync(new Dictionary<string, string> { ["CHAIN"] = $"dotnet {ChainBinary.DllPath}" },
                "--network", dir.Combine("network.yaml"), "--org", "PressWatch", "--node", "press-node1", "--channel", "charity", "--port", newPort.ToString(),
                "--dir", net, "--endpoint", endpoint, "--peer", $"https://127.0.0.1:{port + 1000}", "--peer-org", "Bank", "--from-backup", dir.Combine("backup"));
            var pidFile = Path.Combine(net, "press-node1", "data", "node.pid");
            if (File.Exists(pidFile)) added = int.Parse(File.ReadAllText(pidFile).Trim().Split('\n')[0]);
            var nodeLog = Path.Combine(net, "press-node1", "node.log");
            Assert.True(script.ExitCode == 0, script.StdOut + script.StdErr + (File.Exists(nodeLog) ? "\n--- press-node1 ---\n" + string.Join('\n', File.ReadLines(nodeLog).TakeLast(40)) : ""));
            Assert.Contains("press-node1 follows charity at height", script.StdOut);
            Assert.Contains("charity: restored and verified", script.StdOut);

            // The channel's configuration now lists the organisation, with its CA and admin.
            using var teller = new Chain.Sdk.Client.ChainClient(endpoint, reader: Chain.Cli.Commands.Signer.LoadSample(Path.Combine(net, "crypto"), "Bank/teller1"));
            var config = ChannelConfig.Parser.ParseJson((await teller.Gateway.EvaluateAsync(new EvaluateRequest { Channel = "charity", Contract = "_config", Function = "get", Args = ByteString.CopyFromUtf8("{}") })).Result.ToStringUtf8());
            var press = Assert.Single(config.Organizations, o => o.Name == "PressWatch");
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", press.CaCertificatePem);
            Assert.Equal(1ul, config.Sequence);

            // The new node started from the backup's height, not from genesis, and follows what the network commits next.
            var log = File.ReadAllText(nodeLog);
            Assert.DoesNotContain("started from genesis file", log);
            using var newcomer = new Chain.Sdk.Client.ChainClient($"http://127.0.0.1:{newPort}");
            var head = (await client.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "charity" })).Channels[0];
            await Wait.UntilAsync(async () => (await newcomer.Ledger.GetChainInfoAsync(new ChainInfoRequest { Channel = "charity" })).Channels[0] is var c
                && c.Height == head.Height && c.LastBlockHash == head.LastBlockHash && c.StateRoot == head.StateRoot && c.Role == "observer", "the new organisation's node has the bank's head");
        }
        finally
        {
            if (added is { } pid) { try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } }
            await Chain.Cli.Commands.ProcessControl.StopAsync(network, TimeSpan.FromSeconds(60));
        }
    }

    private static async Task<ChainBinary.Result> RunScriptAsync(IDictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("bash", [Path.Combine(Repo.Root, "network-config", "add-organisation.sh"), .. args])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Repo.Root,
        };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        return new ChainBinary.Result(process.ExitCode, await stdout, await stderr);
    }
}
