using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Optimizers;
using FeatureViz.Parametrization;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.TestSupport;
using FeatureViz.Transforms;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library;

/// <summary>The CPPN parametrization against a float64 network written here, finite differences, random images and itself at another size.</summary>
public class CppnParametrizationTests(ITestOutputHelper output)
{
    private static readonly CppnOptions Small = new() { HiddenChannels = 3, Layers = 2 };

    /// <summary>Random weights for every layer, output layer and biases included (the initialisation zeroes those).</summary>
    private static float[] RandomRow(Random rng, CppnOptions options, int channels, double scale = 1.0)
    {
        CppnParametrization.Layout(channels, options, out int p);
        return Enumerable.Range(0, p).Select(_ => (float)((rng.NextDouble() * 2 - 1) * scale)).ToArray();
    }

    /// <summary>
    /// The CPPN in float64, from the definition: pixel centres x = -sqrt3 + 2 sqrt3 (j + 1/2) / W (y likewise), each
    /// hidden layer z = W h + b then [atan z / 0.67, atan^2 z / 0.6], the output sigmoid(W h + b) scaled to the range.
    /// The row holds each layer's weights [out, in] then biases.
    /// </summary>
    private static double[] Reference(double[] row, int hidden, int layers, int channels, int height, int width, double min, double max)
    {
        var image = new double[channels * height * width];
        double r = Math.Sqrt(3);
        for (int py = 0; py < height; py++)
            for (int px = 0; px < width; px++)
            {
                double[] h = [-r + 2 * r * (px + 0.5) / width, -r + 2 * r * (py + 0.5) / height];
                int offset = 0;
                for (int l = 0; l <= layers; l++)
                {
                    int outs = l < layers ? hidden : channels, ins = h.Length;
                    var z = new double[outs];
                    for (int o = 0; o < outs; o++)
                    {
                        double s = row[offset + outs * ins + o];
                        for (int i = 0; i < ins; i++) s += row[offset + o * ins + i] * h[i];
                        z[o] = s;
                    }
                    offset += outs * ins + outs;
                    if (l == layers)
                    {
                        for (int c = 0; c < channels; c++) image[(c * height + py) * width + px] = min + (max - min) / (1 + Math.Exp(-z[c]));
                        break;
                    }
                    h = new double[2 * outs];
                    for (int o = 0; o < outs; o++)
                    {
                        double a = Math.Atan(z[o]);
                        h[o] = a / 0.67;
                        h[outs + o] = a * a / 0.6;
                    }
                }
                Assert.Equal(row.Length, offset);
            }
        return image;
    }

    [Fact]
    public void Forward_EqualsFloat64Network()
    {
        var rng = new Random(3);
        var rows = new[] { RandomRow(rng, Small, 3), RandomRow(rng, Small, 3) };
        var size = new ImageSize(5, 7);
        var range = new ValueRange(-1, 254);
        using var scope = TensorScope.Begin();
        using var p = new CppnParametrization(TestModels.Backend, 2, 3, size, Small, range);
        var image = p.Render(Tensor.FromArray(TestModels.Backend, rows.SelectMany(r => r).ToArray(), 2, rows[0].Length)).ToArray();
        var viaImages = new CppnImages(Small, 3, range, rows).Render(size).Data;
        var expected = rows.SelectMany(r => Reference(r.Select(v => (double)v).ToArray(), 3, 2, 3, 5, 7, -1, 254)).ToArray();
        Approx.Equal(expected, image, rtol: 1e-5, atol: 1e-4, what: "CPPN forward");
        Approx.Equal(expected, viaImages, rtol: 1e-5, atol: 1e-4, what: "CppnImages.Render");
    }

    [Fact]
    public void Gradient_MatchesFiniteDifferences()
    {
        var rng = new Random(4);
        var data = RandomRow(rng, Small, 3).Concat(RandomRow(rng, Small, 3)).ToArray();
        using var p = new CppnParametrization(TestModels.Backend, 2, 3, new ImageSize(4, 5), Small, new ValueRange(0, 1));
        GradCheck.Vjp(TestModels.Backend, x => p.Render(x), data, p.ParameterShape);
    }

    [Fact]
    public void Initial_IsGreyWithFanInScaledWeights()
    {
        var options = new CppnOptions();
        using var scope = TensorScope.Begin();
        using var p = new CppnParametrization(TestModels.Backend, 2, 3, new ImageSize(6, 6), options, new ValueRange(0, 1));
        var init = p.Initial(TestModels.Backend, new Random(1), 0.01f);
        Assert.All(p.Render(init).ToArray(), v => Assert.Equal(0.5f, v));
        var layers = CppnParametrization.Layout(3, options, out int count);
        Assert.Equal(2 * 24 + 24 + 7 * (48 * 24 + 24) + 48 * 3 + 3, count);
        var row = init.ToArray().AsSpan(0, count).ToArray();
        // Layer 1 (48 -> 24): 1152 weights N(0, 1/48): the sample variance within 15% of 1/48.
        var w1 = row.AsSpan(layers[1].WeightOffset, 48 * 24).ToArray();
        double variance = w1.Select(v => (double)v * v).Average();
        Assert.InRange(variance * 48, 0.85, 1.15);
    }

    /// <summary>
    /// The same weights drawn at 64 x 48 and at 256 x 192, the larger averaged over 4 x 4 blocks: the pixel centres of
    /// a block average to the small pixel's centre, so the two differ only by the image's curvature inside a block
    /// (second order: about pitch^2 / 24 times the Laplacian, pitch = 2 sqrt3 / 64). Tolerance: mean absolute difference
    /// below 0.5% of the range and max below 5%; a different network, or the same one moved by one small pixel, differs
    /// by far more (checked, so the comparison can fail).
    /// </summary>
    [Fact]
    public void TwoSizes_GiveTheSamePicture()
    {
        var rng = new Random(9);
        var options = new CppnOptions();
        CppnParametrization.Layout(3, options, out int count);
        var rows = new float[2][];
        for (int n = 0; n < 2; n++)
        {
            var layers = CppnParametrization.Layout(3, options, out _);
            rows[n] = new float[count];
            CppnParametrization.InitialWeights(rng, layers, rows[n]);
            var last = layers[^1];
            for (int i = 0; i < last.Out * last.In; i++) rows[n][last.WeightOffset + i] = (float)((rng.NextDouble() * 2 - 1) * 0.5);
        }
        var images = new CppnImages(options, 3, new ValueRange(0, 1), rows);
        var small = images.Render(new ImageSize(48, 64));
        var large = images.Render(new ImageSize(192, 256));
        var down = AreaDownscale(large, 4);
        var (mean, max) = Difference(small.Data, down);
        var other = Difference(small.Image(0).ToArray(), small.Image(1).ToArray());
        var shifted = ShiftedDifference(small, 1);
        output.WriteLine($"64x48 vs 256x192 area-averaged: mean |d| {mean:E3}, max {max:E3}; other network mean {other.Mean:E3}; one-pixel shift mean {shifted:E3}");
        Assert.True(mean < 0.005 && max < 0.05, $"mean {mean} max {max}");
        Assert.True(other.Mean > 10 * 0.005 && shifted > 2 * mean, $"the comparison cannot tell apart: other {other.Mean}, shift {shifted}");
    }

    [Fact]
    public void SaveAndLoad_RoundTripsExactly_AndBadFilesAreRejected()
    {
        var rng = new Random(5);
        var images = new CppnImages(Small, 1, new ValueRange(0, 255), [RandomRow(rng, Small, 1), RandomRow(rng, Small, 1)]);
        var dir = Directory.CreateTempSubdirectory("cppn-");
        try
        {
            string path = Path.Combine(dir.FullName, "w.json");
            images.Save(path);
            var loaded = CppnImages.Load(path);
            Assert.Equal((2, 1, 3, 2, 0f, 255f), (loaded.Count, loaded.Channels, loaded.Options.HiddenChannels, loaded.Options.Layers, loaded.Range.Min, loaded.Range.Max));
            for (int i = 0; i < 2; i++) Assert.Equal(images.Weights(i), loaded.Weights(i));
            File.WriteAllText(path, File.ReadAllText(path).Replace("\"layers\":2", "\"layers\":3"));
            var e = Assert.Throws<InvalidDataException>(() => CppnImages.Load(path));
            Assert.Contains("need", e.Message);
            File.WriteAllText(path, "{\"format\":\"featureviz-cppn\"");
            Assert.Throws<InvalidDataException>(() => CppnImages.Load(path));
        }
        finally { dir.Delete(true); }
    }

    [Fact]
    public void Optimize_ResultKeepsTheWeightsThatDrewItsImages()
    {
        var filter = Enumerable.Range(0, 3 * 8 * 8).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
        var model = TestModels.DotProduct(filter, 3, 8, 8);
        var result = FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", [0]), new OptimizationOptions
        {
            Cppn = Small,
            Optimizer = Optimizer.Adam(0.05f),
            CustomShape = new ImageSize(12, 10),
            Transformations = null,
            Steps = 20,
            Seed = 2,
        });
        Assert.NotNull(result.Cppn);
        var again = result.Cppn!.Render(new ImageSize(12, 10));
        Approx.Equal(result.Images.Data, again.Data, rtol: 0, atol: 1e-6, what: "re-rendered result");
        Assert.True(result[0].ObjectiveValues[^1] > result[0].ObjectiveValues[0] + 1, $"objective {result[0].ObjectiveValues[0]} -> {result[0].ObjectiveValues[^1]}");
        Assert.Throws<ArgumentException>(() => FeatureVisualizer.Optimize(Objective.Neuron(model, "dot", [0]), new OptimizationOptions { Cppn = Small, ImageNormalizer = ImageNormalizer.Clip, CustomShape = new ImageSize(8, 8) }));
    }

    /// <summary>
    /// Issue 12's criterion: a CPPN render of a ResNet18 channel (half the ReLU depth, channel 7, as the Fourier test)
    /// reaches twice the best of 32 random images (16 noise, 16 smooth Fourier) on its objective. Lucid's Adam rate
    /// 0.005, 64 steps. The channel is zero on the CPPN's grey start, so the first 8 steps use straight-through ReLU
    /// gradients (as the Fourier test does for dead channels); without them the gradient is zero and nothing moves.
    /// </summary>
    [Fact]
    public void ResNet18_CppnChannelRenderBeatsRandomImagesTwiceOver()
    {
        using var onnx = OnnxModel.LoadResNet18();
        VisualizationModel model = onnx;
        var relus = model.Layers.Where(l => l.OpType == "Relu" && l.Shape.Length == 4).ToArray();
        var layer = relus[relus.Length / 2];
        var range = new ValueRange(0, 255);
        const int channel = 7;
        double baseline = OnnxOptimizeTests.RandomImagesMax(model, layer, channel, range);
        var result = FeatureVisualizer.Optimize(Objective.Channel(model, layer.OutputName, channel), new OptimizationOptions
        {
            Cppn = new CppnOptions(),
            Optimizer = Optimizer.Adam(CppnOptions.LearningRate),
            CustomShape = null,
            ValuesRange = range,
            Transformations = ImageTransform.Jitter(8),
            WarmupSteps = 8,
            Steps = 56,
            Seed = 5,
        });
        double rendered = OnnxOptimizeTests.ChannelMeans(model, layer, channel, result.Images.Data, 1)[0];
        var d = result.Images.Data;
        double mean = d.Average(v => (double)v), sd = Math.Sqrt(d.Average(v => (v - mean) * (v - mean)));
        output.WriteLine($"{layer.OutputName} channel {channel}: CPPN render {rendered:F3} (pixel sd {sd:F1} of 0..255), best random {baseline:F3}, ratio {rendered / baseline:F2}");
        Assert.True(rendered >= 2 * baseline, $"CPPN render {rendered:F3} < 2 x best random {baseline:F3}");
    }

    private static float[] AreaDownscale(ImageBatch b, int k)
    {
        int h = b.Height / k, w = b.Width / k;
        var d = new float[b.Count * b.Channels * h * w];
        for (int nc = 0; nc < b.Count * b.Channels; nc++)
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    double s = 0;
                    for (int dy = 0; dy < k; dy++)
                        for (int dx = 0; dx < k; dx++) s += b.Data[(nc * b.Height + y * k + dy) * b.Width + x * k + dx];
                    d[(nc * h + y) * w + x] = (float)(s / (k * k));
                }
        return d;
    }

    private static (double Mean, double Max) Difference(float[] a, float[] b)
    {
        double sum = 0, max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = Math.Abs(a[i] - (double)b[i]);
            sum += d;
            max = Math.Max(max, d);
        }
        return (sum / a.Length, max);
    }

    private static double ShiftedDifference(ImageBatch b, int shift)
    {
        double sum = 0;
        int count = 0;
        for (int nc = 0; nc < b.Count * b.Channels; nc++)
            for (int y = 0; y < b.Height; y++)
                for (int x = 0; x + shift < b.Width; x++, count++)
                    sum += Math.Abs(b.Data[(nc * b.Height + y) * b.Width + x] - b.Data[(nc * b.Height + y) * b.Width + x + shift]);
        return sum / count;
    }
}
