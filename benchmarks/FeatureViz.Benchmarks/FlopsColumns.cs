using System.Reflection;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FeatureViz.Benchmarks;

/// <summary>
/// Base for compute benchmarks: runs a register-only Vector512 FMA loop (<see cref="PeakFma"/>) at the same thread
/// count in the same run, and reports every benchmark in GFLOP/s and as a fraction of that measured peak
/// (the machine is shared, so only ratios measured side by side mean something).
/// Derived classes declare their work by overriding <see cref="Flops"/>.
/// </summary>
[Config(typeof(FlopsConfig))]
public abstract class FlopsBenchmark
{
    /// <summary>Threads used by kernels and the peak loop: FEATUREVIZ_THREADS, default all processors.</summary>
    public static int Threads { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("FEATUREVIZ_THREADS"), out var t) && t > 0 ? t : Environment.ProcessorCount;

    private const long PeakIterations = 4_000_000;

    /// <summary>Floating-point operations of one invocation of <paramref name="method"/> with the current parameters.</summary>
    public abstract double Flops(string method);

    /// <summary>The register-only FMA loop (<see cref="FeatureViz.Kernels.Cpu.FmaPeak"/>): 10 independent chains per thread, no memory traffic.</summary>
    [Benchmark]
    public float PeakFma() => RunPeak();

    /// <summary>One run of the peak loop (<see cref="FeatureViz.Kernels.Cpu.FmaPeak"/>) on <see cref="Threads"/> threads (<see cref="PeakFlops"/> FLOP).</summary>
    internal static float RunPeak() => FeatureViz.Kernels.Cpu.FmaPeak.Run(Threads, PeakIterations);

    internal static double PeakFlops => Threads * PeakIterations * (double)FeatureViz.Kernels.Cpu.FmaPeak.FlopsPerIteration;
}

/// <summary>ShortRun job plus the GFLOP/s, % of peak and thread columns.</summary>
public sealed class FlopsConfig : ManualConfig
{
    public FlopsConfig()
    {
        AddJob(Job.ShortRun.WithEnvironmentVariables(
            new EnvironmentVariable("FEATUREVIZ_THREADS", FlopsBenchmark.Threads.ToString())));
        AddColumn(new GflopsColumn(false), new GflopsColumn(true), new ThreadsColumn());
        WithOptions(ConfigOptions.JoinSummary);
    }
}

internal sealed class ThreadsColumn : IColumn
{
    public string Id => "Threads";
    public string ColumnName => "Threads";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Threads used by kernels and by the peak loop (FEATUREVIZ_THREADS)";
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => FlopsBenchmark.Threads.ToString();
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}

internal sealed class GflopsColumn(bool ofPeak) : IColumn
{
    public string Id => ofPeak ? "PctPeak" : "GFLOPs";
    public string ColumnName => ofPeak ? "% of peak" : "GFLOP/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => ofPeak ? 2 : 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => ofPeak
        ? "GFLOP/s as a fraction of PeakFma (register-only Vector512 FMA loop, same threads) measured in this run"
        : "Floating-point operations per second (mean time)";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        double g = Gflops(summary, benchmarkCase);
        if (double.IsNaN(g)) return "-";
        if (!ofPeak) return g.ToString("F1");
        // The peak measured in the same class with the same parameters (i.e. close in time to this figure).
        var peaks = summary.BenchmarksCases.Where(b => b.Descriptor.WorkloadMethod.Name == nameof(FlopsBenchmark.PeakFma)).ToList();
        var peakCase = peaks.FirstOrDefault(b => b.Descriptor.Type == benchmarkCase.Descriptor.Type
                && b.Parameters.DisplayInfo == benchmarkCase.Parameters.DisplayInfo)
            ?? peaks.FirstOrDefault(b => b.Descriptor.Type == benchmarkCase.Descriptor.Type) ?? peaks.FirstOrDefault();
        double peak = peakCase is null ? double.NaN : Gflops(summary, peakCase);
        return double.IsNaN(peak) ? "-" : (100 * g / peak).ToString("F0") + " %";
    }

    private static double Gflops(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        var stats = report?.ResultStatistics;
        if (stats is null) return double.NaN;
        string method = benchmarkCase.Descriptor.WorkloadMethod.Name;
        double flops;
        if (method == nameof(FlopsBenchmark.PeakFma)) flops = FlopsBenchmark.PeakFlops;
        else
        {
            var instance = (FlopsBenchmark)Activator.CreateInstance(benchmarkCase.Descriptor.Type)!;
            foreach (var p in benchmarkCase.Parameters.Items)
            {
                var prop = benchmarkCase.Descriptor.Type.GetProperty(p.Name, BindingFlags.Public | BindingFlags.Instance);
                if (prop is not null) prop.SetValue(instance, p.Value);
                else benchmarkCase.Descriptor.Type.GetField(p.Name, BindingFlags.Public | BindingFlags.Instance)?.SetValue(instance, p.Value);
            }
            flops = instance.Flops(method);
        }
        return flops / stats.Mean; // mean is in nanoseconds: FLOP/ns = GFLOP/s
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    public bool IsAvailable(Summary summary) => true;
}
