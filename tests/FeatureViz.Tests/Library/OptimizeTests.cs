using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Optimizers;
using FeatureViz.Regularizers;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;
using FeatureViz.Transforms;

namespace FeatureViz.Tests.Library;

/// <summary>The optimizer on delegate models: it optimizes, is reproducible, and honours the options.</summary>
public class OptimizeTests
{
    private static double Cosine(ReadOnlySpan<float> a, float[] b)
    {
        double d = 0, na = 0, nb = 0;
        for (int i = 0; i < b.Length; i++) { d += a[i] * (double)b[i]; na += a[i] * (double)a[i]; nb += b[i] * (double)b[i]; }
        return d / Math.Sqrt(na * nb);
    }

    [Fact]
    public void PixelParametrization_FindsTheFilterOfADotProductModel()
    {
        const int h = 12, w = 10;
        var filter = Rand.Uniform(42, h * w);
        var model = TestModels.DotProduct(filter, 1, h, w);
        var result = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), new OptimizationOptions
        {
            UseFft = false,
            Transformations = null,
            CustomShape = null,
            ValuesRange = new ValueRange(-1f, 1f),
            Optimizer = Optimizer.Sgd(0.1f),
            Steps = 20,
            Seed = 1,
        });
        var img = result.Images.Image(0);
        Assert.True(Cosine(img, filter) >= 0.9, $"cosine {Cosine(img, filter):F3}");
        Assert.Equal(20, result.StepsCompleted);
        Assert.Equal(["Neuron#dot_0"], result.Names);
    }

    [Fact]
    public void Adam_Fourier_IncreasesTheScore_AndStaysInRange()
    {
        const int h = 16, w = 16;
        var filter = Rand.Uniform(7, 3 * h * w);
        var model = TestModels.DotProduct(filter, 3, h, w);
        var losses = new List<float>();
        var result = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), new OptimizationOptions
        {
            CustomShape = null,
            Transformations = null,
            Steps = 30,
            Seed = 3,
            Progress = new SyncProgress<OptimizationProgress>(p => losses.Add(p.Loss)),
        });
        Assert.Equal(30, losses.Count);
        Assert.True(losses[^1] < losses[0] - 1f, $"loss {losses[0]} -> {losses[^1]}");
        Assert.All(result.Images.Data, v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void SameSeed_SameImagesBitForBit_WithStandardTransforms()
    {
        var model = TestModels.DotProduct(Rand.Uniform(9, 3 * 24 * 24), 3, 24, 24);
        OptimizationResult Run() => FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), new OptimizationOptions
        {
            CustomShape = new ImageSize(40, 40),
            Steps = 4,
            Seed = 1234,
            Regularizers = [Regularizer.L1(0.1f), Regularizer.TotalVariation(0.001f)],
        });
        var a = Run().Images.Data;
        var b = Run().Images.Data;
        Assert.Equal(a, b);
    }

    [Fact]
    public void NonSquareSize_SnapshotsAndProgress()
    {
        var model = TestModels.DotProduct(Rand.Uniform(9, 8 * 8), 1, 8, 8);
        int reports = 0;
        var result = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), new OptimizationOptions
        {
            CustomShape = new ImageSize(16, 24),
            Steps = 7,
            SaveEvery = 3,
            WarmupSteps = 2,
            Seed = 0,
            Progress = new SyncProgress<OptimizationProgress>(_ => reports++),
        });
        Assert.Equal([3, 6, 7], result.Snapshots.Select(s => s.Step).ToArray());
        Assert.Equal(9, reports);
        Assert.Equal((1, 1, 16, 24), (result.Images.Count, result.Images.Channels, result.Images.Height, result.Images.Width));
    }

    [Fact]
    public void Warmup_LetsGradientsThroughDeadRelus()
    {
        // The layer is relu(dot - 1000): dead for every image in range, so only straight-through warm-up moves the image.
        var filter = Rand.Uniform(5, 6 * 6);
        var dead = VisualizationModel.FromFunction(new ModelInput("input", [1, 1, 6, 6]),
            [new LayerInfo(0, "r", "r", "Relu", [1, 1])],
            (x, _) =>
            {
                var f = Tensor.FromArray(TestModels.Backend, filter, 1, 1, 6, 6);
                return new Dictionary<string, Tensor> { ["r"] = x.Mul(f).Sum([1, 2, 3]).Add(-1000f).Relu().Reshape(x.Shape[0], 1) };
            }, TestModels.Backend);
        var common = new OptimizationOptions { UseFft = false, Transformations = null, CustomShape = null, Steps = 1, Seed = 2, ValuesRange = new ValueRange(-1, 1) };
        var frozen = FeatureVisualizer.Optimize(Objective.Neuron(dead, "r", 0), common with { Steps = 5 });
        var start = FeatureVisualizer.Optimize(Objective.Neuron(dead, "r", 0), common with { Optimizer = Optimizer.Sgd(1e-9f) });
        var warmed = FeatureVisualizer.Optimize(Objective.Neuron(dead, "r", 0), common with { WarmupSteps = 10, Steps = 1 });
        Assert.Equal(start.Images.Data, frozen.Images.Data);
        Assert.True(Cosine(warmed.Images.Image(0), filter) > 0.5);
    }

    [Fact]
    public void Cancel_ReturnsTheImagesSoFar()
    {
        var model = TestModels.DotProduct(Rand.Uniform(9, 8 * 8), 1, 8, 8);
        using var cts = new CancellationTokenSource();
        var result = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), new OptimizationOptions
        {
            CustomShape = null,
            Steps = 100,
            // Reading every step makes progress (and so this cancellation) exact; BatchedLossReadTests covers the lag.
            LossReadInterval = 1,
            Progress = new SyncProgress<OptimizationProgress>(p => { if (p.Step == 3) cts.Cancel(); }),
        }, cts.Token);
        Assert.True(result.Cancelled);
        Assert.Equal(3, result.StepsCompleted);
        Assert.Equal(64, result.Images.Data.Length);
    }

    [Fact]
    public void NaNLoss_StopsWithStepObjectiveAndLastFiniteImages()
    {
        int calls = 0;
        var model = VisualizationModel.FromFunction(new ModelInput("input", [1, 1, 4, 4]),
            [new LayerInfo(0, "n", "n", "Log", [1, 1])],
            (x, _) =>
            {
                calls++;
                var s = x.Sum([1, 2, 3]).Reshape(x.Shape[0], 1);
                // Finite for two steps, then log of a negative number.
                return new Dictionary<string, Tensor> { ["n"] = calls <= 2 ? s : s.Add(-1e6f).Log() };
            }, TestModels.Backend);
        var e = Assert.Throws<OptimizationDivergedException>(() => FeatureVisualizer.Optimize(Objective.Neuron(model, "n", 0, name: "my objective"),
            new OptimizationOptions { CustomShape = null, Transformations = null, Steps = 10 }));
        Assert.Equal(3, e.Step);
        Assert.Contains("step 3", e.Message);
        Assert.Contains("my objective", e.Message);
        Assert.All(e.LastFiniteResult.Images.Data, v => Assert.True(float.IsFinite(v)));
        Assert.Equal(2, e.LastFiniteResult.StepsCompleted);
    }

    [Fact]
    public void Batch_OfCombinations_HasOneImagePerName()
    {
        var model = VisualizationModel.FromFunction(new ModelInput("input", [1, 3, 8, 8]),
            [new LayerInfo(0, "m", "m", "Mul", [1, 3, 8, 8])],
            (x, _) => new Dictionary<string, Tensor> { ["m"] = x.Mul(2f) }, TestModels.Backend);
        var obj = Objective.Channel(model, "m", [0, 1, 2]) - Objective.Neuron(model, "m", [5, 6]) * 0.5f;
        var result = FeatureVisualizer.Optimize(obj, new OptimizationOptions { CustomShape = new ImageSize(8, 8), Steps = 2, Seed = 0 });
        Assert.Equal(6, result.Images.Count);
        Assert.Equal(6, result.Names.Count);
        Assert.Equal("Channel#m_1 & Neuron#m_6", result.Names[3]);
    }

    [Fact]
    public void ClipAndCustomNormalizers_StayInRange()
    {
        var model = TestModels.DotProduct(Rand.Uniform(9, 3 * 8 * 8), 3, 8, 8);
        var baseOptions = new OptimizationOptions { CustomShape = null, Transformations = null, Steps = 5, Seed = 0, ValuesRange = new ValueRange(0, 255) };
        var clip = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), baseOptions with { ImageNormalizer = ImageNormalizer.Clip });
        Assert.All(clip.Images.Data, v => Assert.InRange(v, 0f, 255f));
        var custom = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), baseOptions with { ImageNormalizer = ImageNormalizer.Custom, CustomNormalizer = t => t.Tanh().Affine(0.5f, 0.5f) });
        Assert.All(custom.Images.Data, v => Assert.InRange(v, 0f, 255f));
    }
}
