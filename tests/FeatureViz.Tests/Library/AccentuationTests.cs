using FeatureViz.Accentuation;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Parametrization;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library;

/// <summary>Feature accentuation: the inverted preconditioner, the gradient-only frequency scaling, and runs on mnist-8.</summary>
public class AccentuationTests(ITestOutputHelper output)
{
    private const double Eps = 1e-3; // Horama's logit eps

    [Theory]
    [InlineData(3, 20, 17)]
    [InlineData(1, 16, 16)]
    [InlineData(3, 9, 12)]
    public void InitialSpectrumRendersTheSeedWithinTheEpsilonClamp(int channels, int height, int width)
    {
        // Independent reference: sigmoid(log((x + e) / (1 - x + e))) = (x + e) / (1 + 2e) for the min-max normalised
        // seed x, mapped to the range; and that is within e of x (of the range width).
        var range = new ValueRange(-2.5f, 2.5f);
        var pixels = Rand.Uniform(channels * 100 + height, channels * height * width, 0f, 255f);
        var seed = new SeedImage(pixels, channels, height, width);
        using var scope = TensorScope.Begin();
        using var param = new ImageParametrization(CpuBackend.Default, 2, channels, new ImageSize(height, width), true, 1.5f, range, ImageNormalizer.Sigmoid, null);
        using var run = new AccentuationRun(new AccentuationSeeds(seed), CpuBackend.Default, param, new OptimizationOptions { ValuesRange = range });
        Assert.Equal(new[] { 2, channels, height, width / 2 + 1, 2 }, run.InitialParameter.Shape.ToArray());
        float[] rendered;
        using (GradMode.NoGrad()) rendered = param.Finish(run.Spatial(run.InitialParameter)).ToArray();
        double min = pixels.Min(), max = pixels.Max(), worst = 0;
        for (int n = 0; n < 2; n++)
            for (int i = 0; i < pixels.Length; i++)
            {
                double x = (pixels[i] - min) / (max - min);
                double expected = range.Min + range.Width * (x + Eps) / (1 + 2 * Eps);
                double r = rendered[n * pixels.Length + i];
                Assert.True(Math.Abs(r - expected) <= 2e-4 * range.Width, $"pixel {i}: rendered {r}, expected {expected}");
                worst = Math.Max(worst, Math.Abs(r - (range.Min + range.Width * x)));
            }
        output.WriteLine($"{channels}x{height}x{width}: largest distance to the seed {worst / range.Width:G3} of the range (eps {Eps})");
        Assert.True(worst <= (Eps + 2e-4) * range.Width, $"rendered seed differs by {worst / range.Width:G3} of the range");
        Assert.Equal(rendered, run.Target.ToArray());
    }

    [Fact]
    public void GradientOnlyScalingChangesTheGradientAndNotTheImage()
    {
        // Forward: the accentuation preconditioner equals the plain inverse FFT, bit for bit. Backward: its gradient is
        // the plain one times Horama's get_fft_scale, computed here in float64 from its formula.
        const int h = 10, w = 13, c = 3;
        const float decay = 1.5f;
        var range = new ValueRange(0f, 1f);
        var seed = new SeedImage(Rand.Uniform(7, c * h * w, 0f, 1f), c, h, w);
        using var scope = TensorScope.Begin();
        using var param = new ImageParametrization(CpuBackend.Default, 1, c, new ImageSize(h, w), true, decay, range, ImageNormalizer.Sigmoid, null);
        using var run = new AccentuationRun(new AccentuationSeeds(seed), CpuBackend.Default, param, new OptimizationOptions { ValuesRange = range, FftDecay = decay });
        var weights = Tensor.FromArray(CpuBackend.Default, Rand.Uniform(8, c * h * w), 1, c, h, w);
        var p = run.InitialParameter.Detach().RequireGrad();
        var scaled = param.Finish(run.Spatial(p));
        var plain = param.Finish(p.Irfft2(w, FftNorm.Backward));
        Assert.Equal(plain.ToArray(), scaled.ToArray());
        var gScaled = Grad.Of(scaled.Mul(weights).Sum(), [p])[0].ToArray();
        var gPlain = Grad.Of(plain.Mul(weights).Sum(), [p])[0].ToArray();
        int wc = w / 2 + 1;
        double changed = 0;
        for (int i = 0; i < gPlain.Length; i++)
        {
            int x = i / 2 % wc, y = i / 2 / wc % h;
            double fy = (y <= (h - 1) / 2 ? y : y - h) / (double)h, fx = x / (double)w;
            double scale = Math.Sqrt((double)w * h) / Math.Pow(Math.Max(Math.Sqrt(fx * fx + fy * fy), 1.0 / Math.Max(w, h)), decay);
            double expected = scale * gPlain[i];
            Assert.True(Math.Abs(gScaled[i] - expected) <= 1e-5 * Math.Abs(expected) + 1e-6, $"gradient {i}: {gScaled[i]}, expected {expected}");
            changed = Math.Max(changed, Math.Abs(gScaled[i] - gPlain[i]));
        }
        Assert.True(changed > 1e-3, "the scaling did not change the gradient");
    }

    [Fact]
    public void SeedsAreCheckedAgainstTheBatchAndTheModel()
    {
        using var onnx = OnnxModel.Load(SharedData.PathOf("data", "models", "mnist-8.onnx"));
        VisualizationModel model = onnx;
        var rgb = new SeedImage(new float[3 * 28 * 28], 3, 28, 28, "rgb.png");
        var grey = new SeedImage(Digit(), 1, 28, 28, "digit");
        var objective = Objective.Neuron(model, -1, [0, 1, 2]);
        var options = new OptimizationOptions { CustomShape = null, Steps = 1, Transformations = null, ValuesRange = new ValueRange(0, 255) };
        var e = Assert.Throws<ArgumentException>(() => FeatureVisualizer.Optimize(objective, options with { Accentuation = new AccentuationSeeds(rgb) }));
        Assert.Contains("rgb.png", e.Message);
        Assert.Contains("3 channel", e.Message);
        e = Assert.Throws<ArgumentException>(() => FeatureVisualizer.Optimize(objective, options with { Accentuation = new AccentuationSeeds([grey, grey]) }));
        Assert.Contains("2 seed images for a batch of 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => FeatureVisualizer.Optimize(objective, options with { Accentuation = new AccentuationSeeds(grey), ImageNormalizer = ImageNormalizer.Clip }));
        Assert.Contains("sigmoid", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<ArgumentException>(() => new SeedImage([1f, float.NaN], 1, 1, 2));
        Assert.Throws<ArgumentException>(() => new SeedImage([1f, 2f, 3f], 1, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AccentuationSeeds(grey, float.NaN));
        // One seed per image, and a seed of another size (resized), run.
        var small = new SeedImage(Digit().Where((_, i) => i % 28 % 2 == 0 && i / 28 % 2 == 0).ToArray(), 1, 14, 14);
        var result = FeatureVisualizer.Optimize(objective, options with { Accentuation = new AccentuationSeeds([grey, small, grey]) });
        Assert.Equal(3, result.Images.Count);
    }

    /// <summary>
    /// mnist-8, a drawn ring ("0") as the seed, objective: the logit of the runner-up class (9), scaled so that the seed
    /// scores 1. Horama's defaults (penalty 1 per (range / 5)^2, decay 1.5, NAdam 1, noise) for 256 steps. The
    /// objective at least doubles (measured: 6.65x, RMS distance 42 of 255).
    /// Bound on the distance: the run maximises J(x) = S(x) - p' MSE(x) from the rendered seed, where J = S(seed'); if
    /// it ends no lower than it started, MSE(final) &lt;= (S(final) - S(seed')) / p'. The noise makes the run
    /// stochastic, so the test allows 25% over that bound; a run without the penalty (p = 0) must end farther away.
    /// </summary>
    [SharedDataFact("data/models/mnist-8.onnx")]
    public void Mnist_AccentuationDoublesTheLogitAndStaysNearTheSeed()
    {
        using var onnx = OnnxModel.Load(SharedData.PathOf("data", "models", "mnist-8.onnx"));
        VisualizationModel model = onnx;
        var range = new ValueRange(0f, 255f);
        var digit = Digit();
        var logits = Logits(model, digit);
        // The runner-up class: what in this "0" looks like another digit (Hamblin et al.'s use: accentuate a feature
        // the image already carries a little of).
        int cls = Enumerable.Range(0, logits.Length).OrderByDescending(i => logits[i]).ElementAt(1);
        double before = logits[cls];
        Assert.True(before > 0, $"the seed's top logit {before} is not positive");
        var seeds = new AccentuationSeeds(new SeedImage(digit, 1, 28, 28, "ring"));
        // mnist-8's logits are in the thousands on 0..255 inputs; scaled so that the seed scores 1, as Horama's
        // objectives (means of activations) are of order 1 against its penalty.
        var objective = Objective.Neuron(model, -1, cls, multiplier: 1 / before);
        output.WriteLine("seed logits: " + string.Join(", ", logits.Select(v => v.ToString("F0"))));
        var options = FeatureAccentuation.Options(model, seeds, range) with { Steps = 256, Seed = 3 };
        var result = FeatureAccentuation.Accentuate(objective, seeds, options);
        var free = FeatureAccentuation.Accentuate(objective, new AccentuationSeeds(seeds.Images, 0f), options);

        // The run's start: the seed as the preconditioner renders it (x + e) / (1 + 2e).
        double lo = digit.Min(), hi = digit.Max();
        var start = digit.Select(v => (float)(range.Min + range.Width * ((v - lo) / (hi - lo) + Eps) / (1 + 2 * Eps))).ToArray();
        double startScore = Logits(model, start)[cls] / before;
        double after = Logits(model, result.Images.Image(0).ToArray())[cls] / before;
        var curve = result[0].ObjectiveValues;
        output.WriteLine("objective every 32 steps: " + string.Join(", ", curve.Where((_, i) => i % 32 == 0).Select(v => v.ToString("F3"))));
        double mse = Mse(result.Images.Image(0), start), freeMse = Mse(free.Images.Image(0), start);
        double factor = 1.0 * 25 / (range.Width * range.Width);
        double bound = (after - startScore) / factor;
        output.WriteLine($"class {cls}: seed logit {before:F3} (objective 1), start {startScore:F4}, accentuated {after:F3}x; MSE to the seed {mse:F1} (RMS {Math.Sqrt(mse):F2} of 255), bound {bound:F1}; without the penalty: {Logits(model, free.Images.Image(0).ToArray())[cls] / before:F3}x, MSE {freeMse:F1}");
        Assert.True(after >= 2, $"accentuated objective {after:F3} < 2 x the seed's");
        Assert.True(mse <= 1.25 * bound, $"MSE {mse:F1} above the bound {bound:F1} (+25%)");
        Assert.True(freeMse > mse, $"without the penalty the MSE {freeMse:F1} is not above the penalised {mse:F1}");
    }

    /// <summary>docs/guide.md's library example as written there (a small model, a written PNG, fewer steps).</summary>
    [Fact]
    public void GuideExample_Runs()
    {
        string dir = Path.Combine(Path.GetTempPath(), "featureviz-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "photo.png");
        using (var img = new SixLabors.ImageSharp.Image<SixLabors.ImageSharp.PixelFormats.Rgb24>(12, 10))
        {
            for (int y = 0; y < 10; y++)
                for (int x = 0; x < 12; x++) img[x, y] = new((byte)(20 * x), (byte)(25 * y), (byte)(5 * x * y));
            SixLabors.ImageSharp.ImageExtensions.SaveAsPng(img, file);
        }
        var model = TestModels.DotProduct(Rand.Uniform(3, 3 * 8 * 8), 3, 8, 8);
        var photo = FeatureViz.IO.ImageFile.Load(file, new FeatureViz.IO.ImageLoadOptions { Channels = 3, ResizeTo = new ImageSize(8, 8) });
        var seeds = new AccentuationSeeds(new SeedImage(photo.Pixels, photo.Channels, photo.Height, photo.Width, "photo"), penalty: 1f);
        var options = FeatureAccentuation.Options(model, seeds, new ValueRange(0f, 255f)) with { Steps = 4, Seed = 0 };
        var result = FeatureAccentuation.Accentuate(Objective.Neuron(model, "dot", 0), seeds, options);
        FeatureViz.IO.ImageExport.SaveAll(result, Path.Combine(dir, "accentuated"));
        Assert.Equal(4, result.StepsCompleted);
        Assert.Single(Directory.GetFiles(Path.Combine(dir, "accentuated"), "*.png"));
    }

    /// <summary>A ring ("0") on a black 28 x 28 canvas, 0..255, anti-aliased over one pixel.</summary>
    internal static float[] Digit()
    {
        var d = new float[28 * 28];
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
            {
                double r = Math.Sqrt((x - 13.5) * (x - 13.5) / 0.55 + (y - 13.5) * (y - 13.5));
                double inRing = Math.Clamp(Math.Min(r - 5.5, 9.5 - r) + 0.5, 0, 1);
                d[y * 28 + x] = (float)(255 * inRing);
            }
        return d;
    }

    private static float[] Logits(VisualizationModel model, float[] image)
    {
        using var scope = TensorScope.Begin();
        using var _ = GradMode.NoGrad();
        var name = model.GetLayer(-1).OutputName;
        return model.Run(Tensor.FromArray(model.Backend, image, 1, 1, 28, 28), [name])[name].ToArray();
    }

    private static double Mse(ReadOnlySpan<float> a, float[] b)
    {
        double s = 0;
        for (int i = 0; i < b.Length; i++) s += (a[i] - (double)b[i]) * (a[i] - (double)b[i]);
        return s / b.Length;
    }
}
