using System.Diagnostics;
using System.Text.Json.Nodes;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Cli.ScaleOut;

/// <summary>
/// Issue 13's local simulation: the built CLI as N concurrent processes, shards 0..N-1 of one plan on mnist-8 (one
/// killed with SIGKILL mid-run and started again), then merge, give the same files byte for byte as one process
/// rendering the whole plan and merging.
/// </summary>
public class LocalClusterSimulationTests
{
    private const int Shards = 3;

    private static string Mnist => SharedData.PathOf("data", "models", "mnist-8.onnx");

    private static ProcessStartInfo Cli(string workDir, params string[] args)
    {
        var psi = new ProcessStartInfo(ProcessTests.DotnetPath())
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "featureviz.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        return psi;
    }

    private static string[] Shard(string plan, int index, int count) => ["run-shard", "--plan", plan, "--shard", $"{index}/{count}", "--threads", "1"];

    [SharedDataFact("data/models/mnist-8.onnx")]
    public async Task ConcurrentShardsWithOneKilledThenMergeEqualOneProcessByteForByte()
    {
        if (!OperatingSystem.IsLinux()) return;
        string root = CliHarness.TempDir();
        string cluster = Path.Combine(root, "cluster");
        string single = Path.Combine(root, "single");
        // Two layers, channels 0-5 in batches of 2: 6 items, 2 per shard; enough steps that an item takes a while.
        var (code, _, err) = ProcessTests.RunProcess(root, "plan", "--model", Mnist, "--layers", "ReLU32_Output_0,ReLU114_Output_0", "--channels", "0-5",
            "--batch", "2", "--steps", "384", "--threads", "1", "--out", cluster);
        Assert.True(code == 0, err);
        // The single process works on the very same plan (same file, same creation time).
        Directory.CreateDirectory(single);
        File.Copy(Path.Combine(cluster, "plan.json"), Path.Combine(single, "plan.json"));

        const int victim = 1;
        // The first look at the items compiles the inspection code in this process; done before the shards start, so
        // that on a quiet machine the watch below does not miss the short window between the victim's two items.
        Assert.False(VictimFinishedAnItem(cluster, victim));
        var processes = Enumerable.Range(0, Shards).Select(s => Process.Start(Cli(root, Shard(cluster, s, Shards)))!).ToList();
        var outputs = processes.Select(p => (Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToList();
        // SIGKILL the victim as soon as it has finished its first item (its second one is then under way).
        var victimProcess = processes[victim];
        var clock = Stopwatch.StartNew();
        while (!victimProcess.HasExited && clock.Elapsed < TimeSpan.FromMinutes(4) && !VictimFinishedAnItem(cluster, victim)) await Task.Delay(20);
        if (victimProcess.HasExited)
            Assert.Fail($"the shard to kill exited (code {victimProcess.ExitCode}) before it could be killed: {await outputs[victim].Out} {await outputs[victim].Err}");
        victimProcess.Kill(); // SIGKILL on Unix: no cleanup, its lock is released by the kernel
        for (int s = 0; s < Shards; s++)
        {
            Assert.True(processes[s].WaitForExit(TimeSpan.FromMinutes(5)), $"shard {s} did not finish");
            if (s != victim) Assert.True(processes[s].ExitCode == 0, await outputs[s].Err);
        }
        Assert.NotEqual(0, victimProcess.ExitCode);

        // The rerun skips the item the killed shard finished and renders only the rest.
        string rerun;
        (code, rerun, err) = ProcessTests.RunProcess(root, Shard(cluster, victim, Shards));
        Assert.True(code == 0, err);
        Assert.Equal(1, rerun.Split('\n').Count(l => l.StartsWith("skip ", StringComparison.Ordinal)));
        Assert.Equal(1, rerun.Split('\n').Count(l => l.StartsWith("done ", StringComparison.Ordinal)));
        (code, _, err) = ProcessTests.RunProcess(root, "merge", cluster);
        Assert.True(code == 0, err);

        (code, _, err) = ProcessTests.RunProcess(root, Shard(single, 0, 1));
        Assert.True(code == 0, err);
        (code, _, err) = ProcessTests.RunProcess(root, "merge", single);
        Assert.True(code == 0, err);

        var a = ScaleOutHarness.Files(cluster);
        var b = ScaleOutHarness.Files(single);
        Assert.Equal(b.Keys, a.Keys);
        Assert.Equal(6 * 4 + 12 + 2 * 2 + 1 + 1, a.Count); // 6 items (2 PNGs, manifest, index); gallery: 12 PNGs, 2 layers' manifest and index, overview; plan
        foreach (var (path, bytes) in b)
        {
            if (IsItemRunRecord(path))
            {
                // An item folder's manifest.json records when it was written ("updated") and how long the batch took
                // ("seconds"), and its index.html shows both: they must differ between two runs; everything else in them
                // must not. The merged gallery records neither, so it is compared whole.
                if (path.EndsWith("manifest.json", StringComparison.Ordinal))
                    Assert.Equal(WithoutClock(bytes), WithoutClock(a[path]));
                continue;
            }
            Assert.True(bytes.AsSpan().SequenceEqual(a[path]), $"{path} differs between the {Shards} shards and the single process");
        }
    }

    private static bool VictimFinishedAnItem(string plan, int victim)
    {
        // Read the assignment from the plan as the shards do.
        var p = FeatureViz.Cli.ScaleOut.WorkPlan.Read(plan);
        var mine = FeatureViz.Cli.ScaleOut.ShardAssignment.ItemsOf(p.Costs, victim, Shards);
        return mine.Any(i => FeatureViz.Cli.ScaleOut.PlanItems.Inspect(plan, p, p.Items[i]).State == FeatureViz.Cli.ScaleOut.ItemState.Done);
    }

    private static bool IsItemRunRecord(string path) =>
        path.StartsWith("items/", StringComparison.Ordinal) && (path.EndsWith("/manifest.json", StringComparison.Ordinal) || path.EndsWith("/index.html", StringComparison.Ordinal));

    private static string WithoutClock(byte[] manifest)
    {
        var json = JsonNode.Parse(manifest)!.AsObject();
        json.Remove("updated");
        foreach (var item in json["items"]!.AsArray()) item!.AsObject().Remove("seconds");
        return json.ToJsonString();
    }
}
