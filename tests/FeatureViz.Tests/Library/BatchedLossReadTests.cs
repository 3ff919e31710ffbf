using FeatureViz.Kernels.Cpu;
using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;

namespace FeatureViz.Tests.Library;

/// <summary>
/// The optimization loop reads its losses from the device in batches (<see cref="OptimizationOptions.LossReadInterval"/>):
/// results, loss curves and divergence reports are those of reading every step; only progress lags.
/// </summary>
public sealed class BatchedLossReadTests
{
    /// <summary>sum(x * filter) with the filter uploaded once, on <paramref name="backend"/>.</summary>
    private static VisualizationModel Dot(IBackend backend, int c, int h, int w)
    {
        var filter = Tensor.FromArray(backend, Rand.Uniform(9, c * h * w), 1, c, h, w);
        return VisualizationModel.FromFunction(new ModelInput("input", [1, c, h, w]), [new LayerInfo(0, "dot_node", "dot", "Conv", [1, 1])],
            (x, _) => new Dictionary<string, Tensor> { ["dot"] = x.Mul(filter).Sum([1, 2, 3]).Reshape(x.Shape[0], 1) }, backend);
    }

    private static (OptimizationResult Result, List<OptimizationProgress> Reports) Run(VisualizationModel model, int interval, int steps = 20, int? saveEvery = null)
    {
        var reports = new List<OptimizationProgress>();
        var result = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), new OptimizationOptions
        {
            CustomShape = null,
            Steps = steps,
            WarmupSteps = 3,
            Seed = 4,
            SaveEvery = saveEvery,
            LossReadInterval = interval,
            Progress = new SyncProgress<OptimizationProgress>(reports.Add),
        });
        return (result, reports);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(100)]
    public void EveryInterval_GivesTheSameImagesAndLossCurveAsReadingEveryStep(int interval)
    {
        var model = Dot(CpuBackend.Default, 3, 8, 8);
        var (every, everyReports) = Run(model, 1, saveEvery: 5);
        var (batched, batchedReports) = Run(model, interval, saveEvery: 5);
        Assert.Equal(Enumerable.Range(1, 23), batchedReports.Select(p => p.Step));
        Assert.Equal(everyReports.Select(p => (p.Step, p.Loss, p.IsWarmup)), batchedReports.Select(p => (p.Step, p.Loss, p.IsWarmup)));
        Assert.Equal(every.Snapshots.Select(s => s.Step), batched.Snapshots.Select(s => s.Step));
        for (int i = 0; i < every.Snapshots.Count; i++) Assert.Equal(every.Snapshots[i].Data, batched.Snapshots[i].Data);
        Assert.Equal(20, batched.StepsCompleted);
    }

    [Fact]
    public void Cancellation_FromALaggingReport_StopsAtThatReportsStep()
    {
        var model = Dot(CpuBackend.Default, 1, 8, 8);
        using var cts = new CancellationTokenSource();
        var steps = new List<int>();
        var result = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), new OptimizationOptions
        {
            CustomShape = null,
            Steps = 100,
            LossReadInterval = 4,
            Progress = new SyncProgress<OptimizationProgress>(p => { steps.Add(p.Step); if (p.Step == 3) cts.Cancel(); }),
        }, cts.Token);
        // Step 3's loss is read with step 4's (step 4 has run); the result is that of step 3, where the report cancelled.
        Assert.True(result.Cancelled);
        Assert.Equal(3, result.StepsCompleted);
        Assert.Equal([1, 2, 3], steps);
        Assert.Equal(3, result.Images.Step);
        Assert.Equal(3, result.Losses.Count);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    public void ANonFiniteLossInsideABatch_StopsAtItsStep_WithTheImagesOfReadingEveryStep(int interval)
    {
        int calls = 0;
        var model = VisualizationModel.FromFunction(new ModelInput("input", [1, 1, 4, 4]),
            [new LayerInfo(0, "n", "n", "Log", [1, 1])],
            (x, _) =>
            {
                calls++;
                var s = x.Sum([1, 2, 3]).Reshape(x.Shape[0], 1);
                // Finite for four steps, then log of a negative number; finite again from step 7 (which must not move the
                // parameters either: the session froze them at the first non-finite loss).
                return new Dictionary<string, Tensor> { ["n"] = calls is > 4 and < 7 ? s.Add(-1e6f).Log() : s };
            }, CpuBackend.Default);
        var options = new OptimizationOptions { CustomShape = null, Transformations = null, Steps = 10, Seed = 1, LossReadInterval = interval };
        var e = Assert.Throws<OptimizationDivergedException>(() => FeatureVisualizer.Optimize(Objective.Neuron(model, "n", 0), options));
        Assert.Equal(5, e.Step);
        Assert.Equal(4, e.LastFiniteResult.StepsCompleted);
        // The reference: four finite steps and nothing else.
        calls = 0;
        var four = FeatureVisualizer.Optimize(Objective.Neuron(model, "n", 0), options with { Steps = 4 });
        Assert.Equal(four.Images.Data, e.LastFiniteResult.Images.Data);
    }

    [Fact]
    public void TheLoop_DownloadsOncePerIntervalAndPerSnapshot_AndUploadsNothing()
    {
        using var counting = new CountingBackend(CpuBackend.Default);
        var model = Dot(counting, 3, 8, 8);
        (int Uploads, int Downloads) Count(int steps)
        {
            counting.Reset();
            Run(model, 8, steps);
            return (counting.Uploads, counting.Downloads);
        }
        var short_ = Count(20);
        var long_ = Count(36);
        // 3 warm-up + 20 steps: reads after steps 8, 16 and 23, then the final snapshot; 3 + 36: reads after 8, 16, 24,
        // 32 and 39, then the snapshot. The 16 extra steps cost exactly two batched reads and no upload.
        Assert.Equal(short_.Uploads, long_.Uploads);
        Assert.Equal(short_.Downloads + 2, long_.Downloads);
    }

    [Fact]
    public void OnABackendThatQueuesWork_TheLoopGivesTheSameImagesAndLosses()
    {
        var (direct, directReports) = Run(Dot(CpuBackend.Default, 3, 8, 8), 8, saveEvery: 4);
        using var queued = new QueuedBackend(CpuBackend.Default);
        var (result, reports) = Run(Dot(queued, 3, 8, 8), 8, saveEvery: 4);
        Assert.True(queued.MaxQueued > 1);
        Assert.Equal(directReports.Select(p => p.Loss), reports.Select(p => p.Loss));
        Assert.Equal(direct.Snapshots.Count, result.Snapshots.Count);
        for (int i = 0; i < direct.Snapshots.Count; i++) Assert.Equal(direct.Snapshots[i].Data, result.Snapshots[i].Data);
    }
}

