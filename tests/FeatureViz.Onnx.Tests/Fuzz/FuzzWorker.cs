using System.Diagnostics;

namespace FeatureViz.Onnx.Tests.Fuzz;

/// <summary>
/// The test assembly's entry point, used only as the mutation test's worker process: <c>dotnet
/// FeatureViz.Onnx.Tests.dll --fuzz-worker SEEDS FIRST END WORKDIR</c> builds and runs mutants FIRST..END-1, writing
/// "S id" before building each, "R id what" before loading it and "D id outcome wallMs cpuMs peakMiB heapMiB what detail" after it, so that the parent can name the mutant
/// that killed or hung the process.
/// </summary>
public static class FuzzWorker
{
    public const string Flag = "--fuzz-worker";

    /// <summary>Self-test hook: the worker fails fast (dies as a crash would) when it reaches this mutant id.</summary>
    public const string CrashAtVariable = "FEATUREVIZ_FUZZ_SELFTEST_CRASH_AT";

    public static int Main(string[] args)
    {
        if (args.Length != 5 || args[0] != Flag)
        {
            Console.Error.WriteLine($"FeatureViz.Onnx.Tests is a test assembly (run it with dotnet test); its entry point only serves {Flag} SEEDS FIRST END WORKDIR.");
            return 2;
        }
        var plan = new MutantPlan(File.ReadAllLines(args[1]));
        int first = int.Parse(args[2]), end = int.Parse(args[3]);
        var mutator = new Mutator(plan, args[4]);
        var stdout = Console.Out;
        long heapPeak = 0;
        int crashAt = int.TryParse(Environment.GetEnvironmentVariable(CrashAtVariable), out var c) ? c : -1;
        for (int id = first; id < end; id++)
        {
            stdout.WriteLine($"S\t{id}");
            stdout.Flush();
            var sw = Stopwatch.StartNew();
            Outcome outcome;
            string detail;
            Mutant? m = null;
            var cpu0 = CpuTime();
            try
            {
                m = mutator.Make(id);
                // The time limit starts here: building a mutant (parsing ResNet18 once per worker) is not the model's time.
                stdout.WriteLine($"R\t{id}\t{Describe(m)}");
                stdout.Flush();
                sw.Restart();
                cpu0 = CpuTime();
                if (id == crashAt) Environment.FailFast("FailFast self-test of the mutation test's crash detection");
                (outcome, detail) = MutantExecutor.Execute(m);
            }
            catch (Exception e)
            {
                // Building the mutant itself failed: a defect of the test, reported as such.
                (outcome, detail) = (Outcome.Undocumented, $"mutator: {e.GetType().Name}: {e.Message}".Replace('\n', ' ').Replace('\t', ' '));
            }
            heapPeak = Math.Max(heapPeak, GC.GetGCMemoryInfo().HeapSizeBytes);
            long peak;
            using (var self = Process.GetCurrentProcess()) peak = self.PeakWorkingSet64;
            var what = m is null ? "" : Describe(m);
            var cpuMs = (long)(CpuTime() - cpu0).TotalMilliseconds;
            stdout.WriteLine($"D\t{id}\t{outcome}\t{sw.ElapsedMilliseconds}\t{cpuMs}\t{peak >> 20}\t{heapPeak >> 20}\t{what}\t{detail}");
            stdout.Flush();
            if (m?.ModelPath is { } path && Path.GetDirectoryName(path) is { } dir)
                try { FuzzFolders.DeleteTree(dir); } catch (IOException) { }
        }
        stdout.WriteLine("E");
        stdout.Flush();
        return 0;
    }

    private static string Describe(Mutant m) =>
        $"{m.Description} [{Path.GetFileName(Path.GetDirectoryName(m.Seed))}] expect {m.Expect}".Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');

    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}
