using System.Diagnostics;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Rendering;
using FeatureViz.Tests.Cli;
using FeatureViz.TestSupport;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library;

/// <summary>Runs alone: process-wide memory figures mean nothing while other tests allocate in parallel.</summary>
[CollectionDefinition(nameof(MemoryGrowthCollection), DisableParallelization = true)]
public sealed class MemoryGrowthCollection;

/// <summary>
/// Issue 9 verification: 1,000 optimization steps grow process memory (working set and GC heap) by under 5% after
/// step 50, i.e. nothing per step is kept (tapes, activations, pooled buffers, plans, progress records).
/// </summary>
/// <remarks>
/// This test project runs with tiered compilation off (FeatureViz.Tests.csproj): with it on, the JIT keeps
/// recompiling warm methods at tier 1 in the background for the whole run (measured on mnist-8: 6,300 -> 8,700
/// methods between step 50 and step 1,000, +3 to +6.5% working set, GC heap +0.5%); with it off, no method is compiled
/// after step 50 and the working set moves by +0.2%. That growth is the runtime's, bounded by the code there is, and
/// would hide a leak of the same size in the library.
/// </remarks>
[Collection(nameof(MemoryGrowthCollection))]
public class MemoryGrowthTests(ITestOutputHelper output)
{
    private const int Steps = 1000;
    private const int Baseline = 50;
    private const double MaxGrowth = 0.05;

    private readonly record struct Sample(long WorkingSet, long GcHeap, long JittedMethods);

    /// <summary>A synchronous progress sink (Progress&lt;T&gt; would post to the thread pool) that samples at two steps.</summary>
    private sealed class Sampler(double leak) : IProgress<OptimizationProgress>
    {
        public Sample? AtBaseline, AtEnd;
        private readonly List<byte[]> _kept = [];
        private int _leakPerStep;

        public void Report(OptimizationProgress p)
        {
            if (_leakPerStep > 0) _kept.Add(Enumerable.Repeat((byte)1, _leakPerStep).ToArray());
            if (p.Step == Baseline)
            {
                AtBaseline = Measure();
                _leakPerStep = (int)(leak * AtBaseline.Value.WorkingSet / (p.TotalSteps - Baseline));
            }
            if (p.Step == p.TotalSteps) AtEnd = Measure();
        }

        private static Sample Measure()
        {
            // An aggressive, compacting collection also returns freed segments to the OS, so the working set shows
            // what is live rather than how much garbage the last gen0 budget happened to hold.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            long heap = GC.GetTotalMemory(forceFullCollection: false);
            using var self = Process.GetCurrentProcess();
            return new Sample(self.WorkingSet64, heap, System.Runtime.JitInfo.GetCompiledMethodCount());
        }
    }

    /// <summary>
    /// Growth of the working set and GC heap from step 50 to step 1,000. For the control, the progress sink keeps
    /// <paramref name="leak"/> times the working set at step 50, spread over the later steps.
    /// </summary>
    private (double WorkingSet, double GcHeap) Measure(Objective objective, OptimizationOptions options, double leak = 0)
    {
        var sampler = new Sampler(leak);
        var clock = Stopwatch.StartNew();
        var result = FeatureVisualizer.Optimize(objective, options with { Steps = Steps, Progress = sampler, Seed = 3 });
        Assert.Equal(1, result.Images.Count);
        var (a, b) = (sampler.AtBaseline!.Value, sampler.AtEnd!.Value);
        double ws = (double)(b.WorkingSet - a.WorkingSet) / a.WorkingSet, heap = (double)(b.GcHeap - a.GcHeap) / a.GcHeap;
        output.WriteLine($"{Steps} steps in {clock.Elapsed.TotalSeconds:F1} s; working set {a.WorkingSet / 1048576.0:F1} -> {b.WorkingSet / 1048576.0:F1} MiB ({ws:+0.00%;-0.00%}), " +
                         $"GC heap {a.GcHeap / 1048576.0:F2} -> {b.GcHeap / 1048576.0:F2} MiB ({heap:+0.00%;-0.00%}), methods jitted {a.JittedMethods} -> {b.JittedMethods}");
        return (ws, heap);
    }

    private void Check(Objective objective, OptimizationOptions options)
    {
        var (ws, heap) = Measure(objective, options);
        Assert.True(ws < MaxGrowth, $"working set grew {ws:P2} between step {Baseline} and step {Steps}");
        Assert.True(heap < MaxGrowth, $"GC heap grew {heap:P2} between step {Baseline} and step {Steps}");
    }

    [SharedDataFact("data/models/mnist-8.onnx")]
    public void Mnist8_FourierWithTransforms()
    {
        using var onnx = OnnxModel.Load(SharedData.PathOf("data", "models", "mnist-8.onnx"));
        Check(Objective.Neuron(onnx, -1, 3), new OptimizationOptions { CustomShape = null, ValuesRange = new ValueRange(0, 255) });
    }

    [Fact]
    public void SmallConvModel_PixelWithoutTransforms()
    {
        using var onnx = OnnxModel.Load(TinyOnnxModel.WriteConv(CliHarness.TempDir()));
        Check(Objective.Channel(onnx, "conv/relu", 1), new OptimizationOptions { CustomShape = null, UseFft = false, Transformations = null });
    }

    /// <summary>The control: a leak of a tenth of the process, a few KiB per step, is seen (in whatever process the suite runs in).</summary>
    [Fact]
    public void TheMeasureSeesALeakOfATenthOfTheProcess()
    {
        using var onnx = OnnxModel.Load(TinyOnnxModel.WriteConv(CliHarness.TempDir()));
        var (ws, heap) = Measure(Objective.Channel(onnx, "conv/relu", 1), new OptimizationOptions { CustomShape = null, UseFft = false, Transformations = null }, leak: 0.1);
        Assert.True(ws > MaxGrowth, $"a leak of 10% of the working set moved it by {ws:P2} only");
        Assert.True(heap > MaxGrowth, $"a leak of 10% of the working set moved the GC heap by {heap:P2} only");
    }
}
