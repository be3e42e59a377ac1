using System.Collections.Concurrent;
using System.Diagnostics;
using Chain.Protocol;
using Chain.Sdk.Client;
using Chain.Tests.TestKit;
using Grpc.Core;
using Xunit;
using Xunit.Abstractions;

namespace Chain.Tests.Integration;

/// <summary>
/// A 3-node Raft network under load while a controller kills and restarts, pauses and resumes nodes, twice taking the
/// majority away with two faults at once. Afterwards every transaction a client saw committed is on the ledger exactly
/// once, every transaction the never-killed entry node acknowledged is committed, and all nodes end identical and
/// verify. Bounded (one round of faults, about a minute); <c>bench/nemesis.sh --soak MINUTES</c> repeats the rounds.
/// </summary>
public sealed class NemesisTests(ITestOutputHelper output)
{
    /// <summary>Minutes of fault rounds (the soak script sets it); one round when unset.</summary>
    private static readonly double SoakMinutes = double.TryParse(Environment.GetEnvironmentVariable("CHAIN_NEMESIS_SOAK_MINUTES"), System.Globalization.CultureInfo.InvariantCulture, out var m) ? m : 0;

    private sealed record Fault(string What, double NewLeaderMs, double FirstBlockMs);

    [Fact]
    public async Task KillsPausesAndMajorityLoss_UnderLoad_LoseNoAcknowledgedTransaction_ApplyNoneTwice_AndTheNodesEndIdentical()
    {
        await using var cluster = await LocalCluster.StartAsync(3, LocalCluster.SandboxOnly());
        var nodes = cluster.Nodes;
        await cluster.LeaderAsync();
        // node1 is only ever paused, never killed: what it acknowledges at admission must commit (its custody).
        var steady = nodes[0];
        var committed = new ConcurrentDictionary<string, ulong>();
        var admitted = new ConcurrentDictionary<string, DateTime>();
        var steadyKilledAt = new List<DateTime>(); // when node1 led at a leader kill, it died with what it had admitted
        int errors = 0, retries = 0, sequence = 0;
        var policy = RetryPolicy.Default with { Deadline = TimeSpan.FromSeconds(45), OnRetry = (_, _, _) => Interlocked.Increment(ref retries) };
        using var stopLoad = new CancellationTokenSource();

        async Task CommitLoadAsync(int client)
        {
            // Each client knows every node, starting from a different one, and fails over along the list.
            using var chain = new ChainClient(Enumerable.Range(0, 3).Select(i => nodes[(client + i) % 3].Endpoint).ToList(), reader: Build.Alice);
            while (!stopLoad.IsCancellationRequested)
            {
                try
                {
                    var status = await chain.SubmitAndWaitAsync(Build.Put($"nemesis-{Interlocked.Increment(ref sequence)}", "v"), Build.Alice, policy, stopLoad.Token);
                    Assert.Equal(ValidationCode.Valid, status.Code);
                    committed[status.TxId] = status.BlockNumber;
                }
                catch (OperationCanceledException) { return; }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stopLoad.IsCancellationRequested) { return; }
                catch (RpcException e) { Interlocked.Increment(ref errors); output.WriteLine($"client {client}: {e.Status.Detail}"); }
            }
        }
        async Task AdmitLoadAsync()
        {
            using var chain = new ChainClient(steady.Endpoint, reader: Build.Alice);
            while (!stopLoad.IsCancellationRequested)
            {
                var tx = Build.Put($"admitted-{Interlocked.Increment(ref sequence)}", "v");
                try { admitted.TryAdd(await chain.SubmitAsync(tx, policy, stopLoad.Token), DateTime.UtcNow); }
                catch (OperationCanceledException) { return; }
                catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && stopLoad.IsCancellationRequested) { return; }
                catch (RpcException e) { Interlocked.Increment(ref errors); output.WriteLine($"admission: {e.Status.Detail}"); }
                await Task.Delay(5);
            }
        }
        var load = Enumerable.Range(0, 3).Select(c => Task.Run(() => CommitLoadAsync(c))).Append(Task.Run(AdmitLoadAsync)).ToArray();

        var faults = new List<Fault>();
        var paused = new List<NodeProcess>();
        var started = Stopwatch.StartNew();
        try
        {
            async Task ProgressAsync(string what)
            {
                int before = committed.Count;
                await Wait.UntilAsync(() => Task.FromResult(committed.Count >= before + 30), $"commits go on after {what}", TimeSpan.FromSeconds(60));
            }
            // Measures from the fault to a new leader among the nodes that run, and to the first block it cuts.
            async Task<Fault> ObserveAsync(string what, IReadOnlyList<NodeProcess> running, ulong height, Stopwatch since)
            {
                await cluster.LeaderAsync(among: running, timeout: TimeSpan.FromSeconds(60));
                double leaderMs = since.Elapsed.TotalMilliseconds;
                await Wait.UntilAsync(async () => (await LocalCluster.InfoAsync(running[0]))?.Height > height, $"a new block after {what}", TimeSpan.FromSeconds(60));
                return new Fault(what, leaderMs, since.Elapsed.TotalMilliseconds);
            }
            async Task<ulong> HeightAsync() => (await Task.WhenAll(nodes.Select(n => LocalCluster.InfoAsync(n)))).Where(i => i is not null).Max(i => i!.Height);

            await ProgressAsync("the start");
            do
            {
                // 1. The leader dies (SIGKILL) and comes back.
                var leader = await cluster.LeaderAsync(timeout: TimeSpan.FromSeconds(60));
                var height = await HeightAsync();
                var clock = Stopwatch.StartNew();
                if (leader == steady) lock (steadyKilledAt) steadyKilledAt.Add(DateTime.UtcNow);
                leader.Kill();
                faults.Add(await ObserveAsync("leader killed", nodes.Where(n => n != leader).ToList(), height, clock));
                await leader.StartProcessAsync();
                await ProgressAsync("the leader's restart");

                // 2. A follower freezes (SIGSTOP) for 3 s.
                var leaderNow = await cluster.LeaderAsync(timeout: TimeSpan.FromSeconds(60));
                var follower = nodes.First(n => n != steady && n != leaderNow);
                follower.Pause();
                paused.Add(follower);
                await Task.Delay(3000);
                follower.Resume();
                paused.Remove(follower);
                await ProgressAsync("a follower's pause");

                // 3. Two faults at once take the majority: node1 freezes while another node dies; then both return.
                var victim = nodes.First(n => n != steady);
                height = await HeightAsync();
                clock = Stopwatch.StartNew();
                steady.Pause();
                paused.Add(steady);
                victim.Kill();
                await Task.Delay(3000);
                steady.Resume();
                paused.Remove(steady);
                await victim.StartProcessAsync();
                faults.Add(await ObserveAsync("majority lost for 3 s", nodes, height, clock));
                await ProgressAsync("the majority's return");
            }
            while (started.Elapsed.TotalMinutes < SoakMinutes);
        }
        catch
        {
            foreach (var node in nodes) output.WriteLine($"--- {node.Config.NodeId} ---\n{node.Tail()}");
            throw;
        }
        finally
        {
            foreach (var node in paused) node.Resume();
            stopLoad.Cancel();
            await Task.WhenAll(load);
        }

        // Admitted by node1 and not lost with it: node1 lived on after the acknowledgement.
        IEnumerable<string> MustCommit() => admitted.Where(a => !steadyKilledAt.Any(k => k > a.Value)).Select(a => a.Key);
        // Every node ends identical; every acknowledged transaction is there, once.
        ChannelInfo head;
        List<string> valid = [];
        try
        {
            head = await LocalCluster.ConvergedAsync(nodes);
            await Wait.UntilAsync(async () =>
            {
                valid = (await LocalCluster.TransactionsAsync(steady)).Where(t => t.Code == ValidationCode.Valid).Select(t => t.TxId).ToList();
                return !MustCommit().Except(valid).Any();
            }, "every transaction node1 admitted is committed", TimeSpan.FromSeconds(60));
            head = await LocalCluster.ConvergedAsync(nodes, atLeast: head.Height);
        }
        catch
        {
            foreach (var node in nodes) output.WriteLine($"--- {node.Config.NodeId} ---\n{node.Tail()}");
            throw;
        }
        Assert.Equal(valid.Count, valid.Distinct().Count());
        Assert.Empty(committed.Keys.Except(valid));
        Assert.Equal(0, errors); // every call got through inside its retry deadline
        foreach (var node in nodes)
        {
            await node.StopAsync();
            var verify = await ChainBinary.RunAsync("ledger", "verify", "--dir", node.DataDir);
            Assert.True(verify.ExitCode == 0, verify.StdOut + verify.StdErr);
        }

        output.WriteLine($"{started.Elapsed.TotalSeconds:F0} s of faults; {committed.Count} committed and {admitted.Count} admitted transactions, all on the ledger once (height {head.Height}); " +
            $"{retries} retries, {errors} client-visible errors");
        foreach (var fault in faults) output.WriteLine($"{fault.What}: new leader after {fault.NewLeaderMs:F0} ms, first new block after {fault.FirstBlockMs:F0} ms");
    }
}
