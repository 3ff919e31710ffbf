using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using FeatureViz.TestSupport;
using Xunit.Abstractions;

namespace FeatureViz.Onnx.Tests.Fuzz;

/// <summary>
/// Issue 9's mutation test: about 2,400 deterministic mutants of conformance models, mnist-8 and the bundled
/// ResNet18, each loaded and run in a worker process (so that a crash is seen and named, not fatal to the test host).
/// Asserts no crash, no mutant over <see cref="HangLimit"/>, only documented exception types, the verdict a mutant
/// demands (cycles, dangling names, hostile external data are refused; valid external data loads), no tensor over
/// the element limit (<see cref="MutantExecutor.MaxTensorElements"/>), and the worker's
/// peak memory under <see cref="PeakWorkingSetBound"/>.
/// </summary>
public sealed class MutationTests(ITestOutputHelper output)
{
    /// <summary>
    /// Most processor time a single mutant may take (load + layer discovery + run). Processor time, not wall time:
    /// the machines that run the suite are shared, and a mutant waiting for a core is not hanging.
    /// </summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(5);

    /// <summary>Wall time after which a mutant is a hang even when it uses no processor (blocked on a read, say).</summary>
    public static readonly TimeSpan BlockedLimit = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Peak resident memory of a worker process. Tensors are capped at 2^24 elements (64 MiB) for the fuzz run, and
    /// the worker's GC heap is hard-limited to 1.25 GiB, so a runaway allocation shows up as an undocumented
    /// OutOfMemoryException naming its mutant rather than as memory pressure on the machine.
    /// </summary>
    public const long PeakWorkingSetBound = 1536L << 20;

    private const string GcHeapHardLimit = "0x50000000";

    /// <summary>When set, the file every mutant's line (kind, outcome, time, what was done, what happened) is written to.</summary>
    public const string KeepVariable = "FEATUREVIZ_FUZZ_RESULTS";

    private sealed record Result(int Id, Outcome Outcome, long Ms, long CpuMs, long PeakMiB, long HeapMiB, string What, string Detail);

    [SharedDataFact("data/models/mnist-8.onnx")]
    public void MutantsCrashNoneHangNoneAndThrowOnlyDocumentedTypes()
    {
        var work = Directory.CreateTempSubdirectory("featureviz-fuzz-").FullName;
        try
        {
            var seeds = MutantPlan.DiscoverSeeds(SharedData.Directory);
            Assert.True(seeds.Count >= 100, $"only {seeds.Count} seed models found");
            var seedFile = Path.Combine(work, "seeds.txt");
            File.WriteAllLines(seedFile, seeds);
            var total = Stopwatch.StartNew();
            var results = RunAll(seedFile, work);
            total.Stop();

            if (Environment.GetEnvironmentVariable(KeepVariable) is { Length: > 0 } keep)
                File.WriteAllLines(keep, results.Values.OrderBy(r => r.Id).Select(Line));
            Assert.Equal(MutantPlan.Count, results.Count);
            Report(results, seeds.Count, total.Elapsed);
            var bad = results.Values.Where(r => r.Outcome is Outcome.Crash or Outcome.Hang or Outcome.Undocumented or Outcome.WrongVerdict or Outcome.OverLimit)
                .OrderBy(r => r.Id).ToList();
            var heavy = results.Values.Where(r => r.PeakMiB << 20 > PeakWorkingSetBound).OrderBy(r => r.Id).ToList();
            Assert.True(bad.Count == 0 && heavy.Count == 0,
                $"{bad.Count} mutant(s) crashed, hung, threw an undocumented type, made a tensor over the element limit or got the wrong verdict; {heavy.Count} pushed the worker's peak memory over {PeakWorkingSetBound >> 20} MiB:\n"
                + string.Join("\n", bad.Concat(heavy.Take(5)).Select(Line)));
        }
        finally
        {
            FuzzFolders.DeleteTree(work);
        }
    }

    private static string Line(Result r) =>
        $"  #{r.Id} {MutantPlan.KindOf(r.Id)} {r.Outcome} ({r.Ms} ms, cpu {r.CpuMs} ms, peak {r.PeakMiB} MiB): {r.What} -> {r.Detail}";

    private void Report(IReadOnlyDictionary<int, Result> results, int seedCount, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"{results.Count} mutants of {seedCount} seed models + ResNet18 in {elapsed.TotalSeconds:F1} s; "
            + $"slowest {results.Values.Max(r => r.Ms)} ms wall, {results.Values.Max(r => r.CpuMs)} ms processor; worker peak working set {results.Values.Max(r => r.PeakMiB)} MiB, GC heap {results.Values.Max(r => r.HeapMiB)} MiB");
        var outcomes = Enum.GetValues<Outcome>();
        sb.AppendLine($"{"kind",-14}{"mutants",8}" + string.Concat(outcomes.Select(o => $"{o,15}")));
        foreach (var (kind, _) in MutantPlan.Quota)
        {
            var of = results.Values.Where(r => MutantPlan.KindOf(r.Id) == kind).ToList();
            sb.AppendLine($"{kind,-14}{of.Count,8}" + string.Concat(outcomes.Select(o => $"{of.Count(r => r.Outcome == o),15}")));
        }
        sb.AppendLine($"{"all",-14}{results.Count,8}" + string.Concat(outcomes.Select(o => $"{results.Values.Count(r => r.Outcome == o),15}")));
        foreach (var g in results.Values.Where(r => r.Outcome is Outcome.Undocumented or Outcome.Crash or Outcome.OverLimit).GroupBy(r => Signature(r.Detail)))
            sb.AppendLine($"  {g.Count()} x {g.Key} (e.g. #{g.First().Id})");
        output.WriteLine(sb.ToString());
        Console.WriteLine(sb.ToString());
    }

    /// <summary>"stage: Type at Class.Method" of a detail line, to group findings.</summary>
    private static string Signature(string detail)
    {
        var parts = detail.Split(": ");
        return parts.Length >= 2 ? $"{parts[0]}: {parts[1]}" : detail;
    }

    [SharedDataFact("data/models/mnist-8.onnx")]
    public void AWorkerThatDiesIsReportedAsACrashOfItsMutantAndTheRestStillRun()
    {
        // The worker kills itself (FailFast, as an AccessViolationException would) at mutant 5 of 0..9.
        var work = Directory.CreateTempSubdirectory("featureviz-fuzz-").FullName;
        try
        {
            var seedFile = Path.Combine(work, "seeds.txt");
            File.WriteAllLines(seedFile, MutantPlan.DiscoverSeeds(SharedData.Directory).Take(20));
            var results = RunAll(seedFile, work, 0, 10, crashAt: 5);
            Assert.Equal(Enumerable.Range(0, 10), results.Keys.Order());
            Assert.Equal(Outcome.Crash, results[5].Outcome);
            Assert.Contains("FailFast self-test", results[5].Detail);
            Assert.All(results.Values.Where(r => r.Id != 5), r => Assert.NotEqual(Outcome.Crash, r.Outcome));
        }
        finally
        {
            FuzzFolders.DeleteTree(work);
        }
    }

    /// <summary>Runs mutants <paramref name="first"/>..<paramref name="end"/>-1 in worker processes, restarting after a crash or hang at the next mutant.</summary>
    private static Dictionary<int, Result> RunAll(string seedFile, string work, int first = 0, int end = -1, int crashAt = -1)
    {
        if (end < 0) end = MutantPlan.Count;
        var results = new Dictionary<int, Result>();
        int next = first, restarts = 0;
        while (next < end)
        {
            next = RunWorker(seedFile, work, next, end, results, crashAt);
            if (next < end && ++restarts > 200) throw new InvalidOperationException("Over 200 worker restarts: giving up.");
        }
        return results;
    }

    /// <summary>One worker from <paramref name="first"/>; returns the id to continue at.</summary>
    private static int RunWorker(string seedFile, string work, int first, int end, Dictionary<int, Result> results, int crashAt)
    {
        var dll = typeof(FuzzWorker).Assembly.Location;
        var psi = new ProcessStartInfo(DotnetHost(), [dll, FuzzWorker.Flag, seedFile, first.ToString(), end.ToString(), work])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        psi.Environment["DOTNET_GCHeapHardLimit"] = GcHeapHardLimit;
        if (crashAt >= 0) psi.Environment[FuzzWorker.CrashAtVariable] = crashAt.ToString();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start the fuzz worker");
        var lines = new BlockingCollection<string?>();
        var stderr = new StringBuilder();
        p.ErrorDataReceived += (_, e) => { lock (stderr) if (e.Data is not null && stderr.Length < 20_000) stderr.AppendLine(e.Data); };
        p.BeginErrorReadLine();
        var reader = new Thread(() =>
        {
            string? l;
            while ((l = p.StandardOutput.ReadLine()) is not null) lines.Add(l);
            lines.Add(null);
        }) { IsBackground = true };
        reader.Start();

        int current = -1;
        bool building = false;
        string what = "";
        var started = Stopwatch.StartNew();
        var cpuAtStart = TimeSpan.Zero;
        while (true)
        {
            if (!lines.TryTake(out var line, TimeSpan.FromMilliseconds(250)))
            {
                if (current < 0 || building)
                {
                    if (started.Elapsed < TimeSpan.FromSeconds(120)) continue;
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit();
                    throw new InvalidOperationException($"The fuzz worker did not start or build mutant {current} within 120 s: {stderr}");
                }
                var cpu = CpuTime(p) - cpuAtStart;
                if (cpu < HangLimit && started.Elapsed < BlockedLimit) continue;
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                results[current] = new Result(current, Outcome.Hang, (long)started.Elapsed.TotalMilliseconds, (long)cpu.TotalMilliseconds, 0, 0, what,
                    $"killed after {cpu.TotalSeconds:F1} s of processor time, {started.Elapsed.TotalSeconds:F1} s wall");
                return current + 1;
            }
            if (line is null)
            {
                p.WaitForExit();
                if (current < 0) return end; // "E" was seen, or nothing was started
                string err;
                lock (stderr) err = stderr.ToString();
                var errLines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var first2 = string.Join(" | ", errLines.Take(2).Concat(errLines.Where(l => l.StartsWith("at FeatureViz", StringComparison.Ordinal)).Take(1)));
                results[current] = new Result(current, Outcome.Crash, (long)started.Elapsed.TotalMilliseconds, 0, 0, 0, what, $"worker died (exit {p.ExitCode}): {first2}");
                return current + 1;
            }
            var f = line.Split('\t');
            switch (f[0])
            {
                case "S":
                    current = int.Parse(f[1]);
                    building = true;
                    started.Restart();
                    break;
                case "R":
                    building = false;
                    what = f.Length > 2 ? f[2] : "";
                    started.Restart();
                    cpuAtStart = CpuTime(p);
                    break;
                case "D":
                    var id = int.Parse(f[1]);
                    long cpuMs = long.Parse(f[4]);
                    bool slow = cpuMs > HangLimit.TotalMilliseconds;
                    var detail = (slow ? $"over {HangLimit.TotalSeconds} s of processor time, then {f[2]}: " : "") + (f.Length > 8 ? f[8] : "");
                    results[id] = new Result(id, slow ? Outcome.Hang : Enum.Parse<Outcome>(f[2]), long.Parse(f[3]), cpuMs, long.Parse(f[5]), long.Parse(f[6]), f[7], detail);
                    current = -1;
                    started.Restart();
                    break;
                case "E":
                    p.WaitForExit();
                    return end;
            }
        }
    }

    private static TimeSpan CpuTime(Process p)
    {
        try { p.Refresh(); return p.TotalProcessorTime; }
        catch (InvalidOperationException) { return TimeSpan.Zero; } // exited meanwhile
    }

    private static string DotnetHost()
    {
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var self = Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
