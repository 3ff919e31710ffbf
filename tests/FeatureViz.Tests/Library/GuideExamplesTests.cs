using FeatureViz.Objectives;
using FeatureViz.Optimizers;
using FeatureViz.Regularizers;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.TestSupport;
using FeatureViz.Transforms;

namespace FeatureViz.Tests.Library;

/// <summary>
/// The code of docs/guide.md's sections on open types and results, as written there (the model swapped for a small
/// one, the steps cut), so the guide's examples keep compiling and running.
/// </summary>
public class GuideExamplesTests
{
    /// <summary>Penalises bright images: factor * mean pixel value, one value per image.</summary>
    private sealed class Brightness(float factor) : Regularizer(factor)
    {
        public override Tensor Compute(Tensor images) => images.Mean([1, 2, 3]).Mul(Factor);
    }

    /// <summary>Reports on the optimizing thread, at once.</summary>
    private sealed class SyncProgress(Action<OptimizationProgress> report) : IProgress<OptimizationProgress>
    {
        public void Report(OptimizationProgress value) => report(value);
    }

    [Fact]
    public async Task OpenTypesAndResultsExamples_Run()
    {
        var model = TestModels.DotProduct(Rand.Uniform(1, 3 * 8 * 8), 3, 8, 8);
        var options = new OptimizationOptions
        {
            Optimizer = Optimizer.Adam(0.05f),
            LearningRateSchedule = LearningRateSchedule.Cosine(),
            Regularizers =
            [
                Regularizer.TotalVariation(1e-5f),
                new Brightness(1e-3f),
                Regularizer.FromFunction("contrast", x => x.Sub(x.Mean([1, 2, 3], keepDims: true)).Abs().Mean([1, 2, 3]).Neg(), 1e-3f),
            ],
            Transformations = ImageTransform.Lucid(padValue: 127.5f),
            ValuesRange = new ValueRange(0f, 255f),
            CustomShape = new ImageSize(32, 32),
            Steps = 4,
            Seed = 0,
        };
        var result = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", 0), options);
        Assert.Equal(4, result.StepsCompleted);

        var signDescent = Optimizer.FromFunction((p, g, lr) => p.Sub(g.Map(new FeatureViz.Tensors.Ops.SignOp()).Mul(lr)), learningRate: 0.01f, name: "SignDescent");
        var flipUpDown = ImageTransform.FromFunction((x, random) => random.NextDouble() < 0.5 ? x : x.Slice([x.Shape[2] - 1], [long.MinValue], [2], [-1]), "FlipUpDown");
        var transforms = ImageTransform.Compose(ImageTransform.Lucid(0.5f), flipUpDown);
        options = options with { Optimizer = signDescent, Transformations = transforms, ValuesRange = new ValueRange(0f, 1f) };

        using var cts = new CancellationTokenSource();
        var lines = new List<string>();
        var progress = new SyncProgress(p =>
        {
            lines.Add($"step {p.Step}/{p.TotalSteps}: objectives {string.Join(", ", p.ObjectiveValues)}");
            if (p.ObjectiveValues.Min() > float.MinValue) cts.Cancel();
        });
        var run = await FeatureVisualizer.OptimizeAsync(Objective.Neuron(model, "dot", 0), options, progress, cts.Token);
        var (images, names) = run;
        foreach (var image in run) lines.Add($"{image.Name}: {image.ObjectiveValues[^1]} after {run.StepsCompleted} steps");
        Assert.True(run.Cancelled);
        Assert.Equal(1, run.StepsCompleted);
        Assert.Equal(2, lines.Count);
        Assert.Single(names);
        Assert.Equal(1, images.Count);
    }

    /// <summary>The guide's CPPN example (the model swapped for a small one, the steps and sizes cut).</summary>
    [Fact]
    public void CppnExample_Runs()
    {
        var model = TestModels.DotProduct(Rand.Uniform(2, 3 * 8 * 8), 3, 8, 8);
        var cppn = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", [0, 0]), new OptimizationOptions
        {
            Cppn = new FeatureViz.Parametrization.CppnOptions(),
            Optimizer = Optimizer.Adam(FeatureViz.Parametrization.CppnOptions.LearningRate),
            ValuesRange = new ValueRange(0f, 255f),
            CustomShape = new ImageSize(16, 16),
            Transformations = ImageTransform.Jitter(2),
            WarmupSteps = 2,
            Steps = 3,
        });
        var large = cppn.Cppn!.Render(new ImageSize(48, 48));
        Assert.Equal((2, 3, 48, 48), (large.Count, large.Channels, large.Height, large.Width));
        string file = Path.Combine(Path.GetTempPath(), $"cppn-{Guid.NewGuid():N}.json");
        try
        {
            cppn.Cppn.Save(file);
            var again = FeatureViz.Parametrization.CppnImages.Load(file).Render(new ImageSize(48, 48));
            Assert.Equal(large.Data, again.Data);
        }
        finally { File.Delete(file); }
    }
}
