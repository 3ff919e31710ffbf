using FeatureViz.Backends;
using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Rendering;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library;

/// <summary>
/// Issue 15: a steady-state optimization step (ResNet18 at 224, batch 1, Fourier image, standard transformations)
/// allocates well under 1 MB of GC memory. Counted over all threads, so it runs alone (the memory collection).
/// </summary>
[Collection(nameof(MemoryGrowthCollection))]
public class StepAllocationTests(ITestOutputHelper output)
{
    /// <summary>
    /// The issue asks for under 1 MB; the step allocated ~0.87 MB before the kernels stopped using Parallel.For (its
    /// tasks and queues on every call) and the array pool took per-channel tensors, ~0.46 MB after. The bound sits
    /// between the two, so either regression shows.
    /// </summary>
    private const long MaxBytesPerStep = 600_000;

    [Fact]
    public void ASteadyStateResNet18StepAllocatesUnder600KB()
    {
        using var onnx = OnnxModel.LoadResNet18(new OnnxLoadOptions { Backend = FeatureVizBackends.Cpu() });
        VisualizationModel model = onnx;
        using var session = new OptimizationSession(Objective.Channel(model, -1, 0), new OptimizationOptions
        {
            CustomShape = new ImageSize(224, 224),
            ValuesRange = new ValueRange(0, 255),
            Seed = 0,
        });
        void Step()
        {
            session.Step(warmup: false);
            if (session.PendingLosses >= 8) session.ReadLosses();
        }
        for (int i = 0; i < 16; i++) Step();
        const int steps = 16; // two loss reads
        long before = GC.GetTotalAllocatedBytes(precise: true);
        for (int i = 0; i < steps; i++) Step();
        long perStep = (GC.GetTotalAllocatedBytes(precise: true) - before) / steps;
        output.WriteLine($"{perStep} bytes allocated per step");
        Assert.True(perStep > 0, "the count sees the step's allocations");
        Assert.True(perStep < MaxBytesPerStep, $"a steady-state step allocated {perStep} bytes (bound {MaxBytesPerStep})");
    }
}
