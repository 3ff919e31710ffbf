using FeatureViz.Kernels.Cpu;
using FeatureViz.Models;
using FeatureViz.Onnx;
using FeatureViz.Objectives;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Backends;
using FeatureViz.TestSupport;
using FeatureViz.Transforms;

namespace FeatureViz.Tests.Library;

/// <summary>
/// Results in .NET idioms (deconstruction, indexers, enumeration), <see cref="FeatureVisualizer.OptimizeAsync"/> with
/// cancellation from a progress report, and each image's own objective curve.
/// </summary>
public class OptimizationResultTests
{
    private const int C = 3, H = 8, W = 8;

    /// <summary>Two neurons: "dots" [N, 2] holds the dot products of the image with two filters.</summary>
    private static VisualizationModel TwoDots(IBackend backend, float[] f0, float[] f1)
    {
        var t = new float[2 * C * H * W];
        for (int k = 0; k < C * H * W; k++) (t[2 * k], t[2 * k + 1]) = (f0[k], f1[k]);
        var filters = Tensor.FromArray(backend, t, C * H * W, 2);
        return VisualizationModel.FromFunction(new ModelInput("input", [1, C, H, W]), [new LayerInfo(0, "dots_node", "dots", "MatMul", [1, 2])],
            (x, _) => new Dictionary<string, Tensor> { ["dots"] = x.Reshape(x.Shape[0], C * H * W).MatMul(filters) }, backend);
    }

    private static readonly float[] F0 = Rand.Uniform(11, C * H * W, -1f, 1f), F1 = Rand.Uniform(12, C * H * W, -1f, 1f);

    private static OptimizationOptions Options(int steps, int interval = 8) => new()
    {
        CustomShape = null,
        Transformations = ImageTransform.Jitter(1),
        Steps = steps,
        Seed = 5,
        LossReadInterval = interval,
    };

    private static double Dot(ReadOnlySpan<float> image, float[] filter)
    {
        double s = 0;
        for (int i = 0; i < filter.Length; i++) s += (double)image[i] * filter[i];
        return s;
    }

    [Fact]
    public void Result_Deconstructs_IsIndexed_AndEnumerates()
    {
        var model = TwoDots(CpuBackend.Default, F0, F1);
        var result = FeatureVisualizer.Optimize(Objective.Neuron(model, "dots", [0, 1]), Options(4));
        var (images, names) = result;
        Assert.Same(result.Images, images);
        Assert.Equal(2, names.Distinct().Count());
        Assert.Equal(2, result.Count);
        Assert.True(result.Images[1].SequenceEqual(result.Images.Image(1)));
        Assert.True(result[1].Pixels.SequenceEqual(images.Image(1)));
        Assert.Equal(names[1], result[1].Name);
        var (name, pixels) = result[0];
        Assert.Equal(names[0], name);
        Assert.Equal(images.Image(0).ToArray(), pixels);
        Assert.Equal(names, result.Select(i => i.Name));
        Assert.Throws<ArgumentOutOfRangeException>(() => result[2]);
    }

    /// <summary>
    /// The value recorded for image n at step s is its objective on the images before step s: the dot product, in
    /// float64, of the final image of an (s - 1)-step run (same seed) with filter n. Without transformations the model
    /// input is the image itself.
    /// </summary>
    [Fact]
    public void EachImage_RecordsItsOwnObjectiveEveryStep()
    {
        var model = TwoDots(CpuBackend.Default, F0, F1);
        var objective = Objective.Neuron(model, "dots", [0, 1]);
        var options = Options(6) with { Transformations = null };
        var reports = new List<OptimizationProgress>();
        var full = FeatureVisualizer.Optimize(objective, options with { Progress = new SyncProgress<OptimizationProgress>(reports.Add) });
        Assert.Equal(2, full.ObjectiveValues.Count);
        Assert.All(full.ObjectiveValues, curve => Assert.Equal(6, curve.Count));
        Assert.Equal(full.ObjectiveValues[1], full[1].ObjectiveValues);
        Assert.Equal(reports.Select(r => r.ObjectiveValues[0]), full.ObjectiveValues[0]);
        Assert.Equal(reports.Select(r => r.Loss), full.Losses);
        for (int s = 2; s <= 6; s++)
        {
            var before = FeatureVisualizer.Optimize(objective, options with { Steps = s - 1 });
            Assert.Equal(Dot(before.Images.Image(0), F0), full.ObjectiveValues[0][s - 1], 3);
            Assert.Equal(Dot(before.Images.Image(1), F1), full.ObjectiveValues[1][s - 1], 3);
        }
        // The loss is the negated sum of the images' objectives (no penalties), and the two curves differ.
        for (int s = 0; s < 6; s++) Assert.Equal(-(full.ObjectiveValues[0][s] + full.ObjectiveValues[1][s]), full.Losses[s], 3);
        Assert.NotEqual(full.ObjectiveValues[0][^1], full.ObjectiveValues[1][^1]);
        Assert.True(full.ObjectiveValues[0][^1] > full.ObjectiveValues[0][0]);
    }

    /// <summary>The per-image values travel with the loss: one download per <see cref="OptimizationOptions.LossReadInterval"/> steps.</summary>
    [Theory]
    [InlineData(1, 16)]
    [InlineData(8, 2)]
    public void ObjectiveCurves_AreReadInTheBatchedLossReads(int interval, int reads)
    {
        using var counting = new CountingBackend(CpuBackend.Default);
        var model = TwoDots(counting, F0, F1);
        var objective = Objective.Neuron(model, "dots", [0, 1]);
        counting.Reset();
        var result = FeatureVisualizer.Optimize(objective, Options(16, interval));
        Assert.All(result.ObjectiveValues, curve => Assert.Equal(16, curve.Count));
        // The reads, and one download of the final images.
        Assert.Equal(reads + 1, counting.Downloads);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(1)]
    public async Task OptimizeAsync_CancelledFromAProgressReport_StopsAtThatStep(int interval)
    {
        var model = TwoDots(CpuBackend.Default, F0, F1);
        var objective = Objective.Neuron(model, "dots", [0, 1]);
        using var cts = new CancellationTokenSource();
        var steps = new List<int>();
        var progress = new SyncProgress<OptimizationProgress>(p =>
        {
            steps.Add(p.Step);
            if (p.Step == 5) cts.Cancel();
        });
        var result = await FeatureVisualizer.OptimizeAsync(objective, Options(100, interval), progress, cts.Token);
        Assert.True(result.Cancelled);
        Assert.Equal(5, result.StepsCompleted);
        Assert.Equal([1, 2, 3, 4, 5], steps);
        Assert.Equal(5, result.Images.Step);
        Assert.All(result.ObjectiveValues, curve => Assert.Equal(5, curve.Count));
        // The images are exactly those of a 5-step run with the same seed.
        var five = await FeatureVisualizer.OptimizeAsync(objective, Options(5, interval));
        Assert.False(five.Cancelled);
        Assert.Equal(five.Images.Data, result.Images.Data);
        Assert.Equal(five.Losses, result.Losses);
    }

    /// <summary>Without progress reports, a cancellation during a batch of unread steps stops after the last step run.</summary>
    [Fact]
    public void CancelledWithoutProgress_DuringUnreadSteps_StopsAfterTheLastStepRun()
    {
        using var cts = new CancellationTokenSource();
        int runs = 0;
        var inner = TwoDots(CpuBackend.Default, F0, F1);
        var model = VisualizationModel.FromFunction(inner.Input, inner.Layers, (x, outputs) =>
        {
            if (++runs == 3) cts.Cancel();
            return inner.Run(x, outputs);
        }, CpuBackend.Default);
        var result = FeatureVisualizer.Optimize(Objective.Neuron(model, "dots", 0), Options(20) with { Transformations = null }, cts.Token);
        Assert.True(result.Cancelled);
        Assert.Equal(3, result.StepsCompleted);
        Assert.Equal(3, result.Images.Step);
        Assert.Equal(3, result.Losses.Count);
    }

    [Fact]
    public async Task OptimizeAsync_MatchesOptimize_AndReportsToItsProgress()
    {
        var model = TwoDots(CpuBackend.Default, F0, F1);
        var objective = Objective.Neuron(model, "dots", 1);
        var reports = new List<OptimizationProgress>();
        var async = await FeatureVisualizer.OptimizeAsync(objective, Options(3), new SyncProgress<OptimizationProgress>(reports.Add));
        var sync = FeatureVisualizer.Optimize(objective, Options(3));
        Assert.Equal(sync.Images.Data, async.Images.Data);
        Assert.Equal(sync.Losses, reports.Select(r => r.Loss));
    }
}
