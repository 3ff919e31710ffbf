using FeatureViz.Cli.IO;
using FeatureViz.IO;
using FeatureViz.Kernels.Cpu;
using FeatureViz.Maco;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Parametrization;
using FeatureViz.Rendering;
using FeatureViz.Tests.Cli;
using FeatureViz.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library.Maco;

/// <summary>MaCo runs (transparency, batches, sizes, channels), spectra from images, maps and their PNGs, bad input.</summary>
public class MacoTests(ITestOutputHelper output)
{
    private const string MnistLayer = "ReLU114_Output_0"; // [1, 16, 14, 14]

    [SharedDataFact("data/models/mnist-8.onnx")]
    public void NeuronTransparency_HasTheImageShape_IsNonNegative_AndConcentrates()
    {
        using var model = OnnxModel.Load(SharedData.PathOf("data", "models", "mnist-8.onnx"));
        var objective = Objective.Neuron(model, MnistLayer, 9, 7, 7);
        // A 56 x 56 image whose crops (side 0.5: 28 x 28 pixels, the model's input) are seen at the model's scale.
        var result = MacoVisualizer.Optimize(objective, new MacoOptions
        {
            Steps = 32, Crops = 8, BoxSize = MacoSchedule.Constant(0.5), ImageSize = new ImageSize(56, 56), ValuesRange = new ValueRange(0, 255), Seed = 12,
        });
        var images = result.Images;
        Assert.Equal((1, 1, 56, 56), (images.Count, images.Channels, images.Height, images.Width));
        var map = result.Transparency(0).ToArray();
        Assert.Equal(56 * 56, map.Length);
        Assert.All(map, v => Assert.True(v >= 0 && float.IsFinite(v), $"transparency value {v}"));
        double total = map.Sum(v => (double)v);
        output.WriteLine($"objective curve: {string.Join(", ", result.Result.ObjectiveValues[0].Select(v => v.ToString("F3")))}");
        Assert.True(total > 0, "the transparency is all zeros");
        // The neuron must be active through most of the run, so that the map sums many steps' gradients.
        var curve = result.Result.ObjectiveValues[0];
        Assert.True(curve.Count(v => v > 0) >= curve.Count * 3 / 4, "the neuron was inactive in more than a quarter of the steps");
        Assert.True(curve.TakeLast(4).Average() > curve.Take(4).Average(), "the neuron's activation did not rise");
        var sorted = map.OrderByDescending(v => v).ToArray();
        double top = sorted.Take(map.Length / 10).Sum(v => (double)v);
        output.WriteLine($"top 10% of pixels carry {top / total:P1} of the transparency; objective {result.Result.ObjectiveValues[0][0]:F3} -> {result.Result.ObjectiveValues[0][^1]:F3}");
        Assert.True(top / total > 0.30, $"top 10% carry {top / total:P1}");
    }

    [Fact]
    public void BatchOfObjectives_NonSquare_TwoChannels_ImagesAndMapsHaveTheirShapes_AndTheObjectiveRises()
    {
        const int c = 2, mh = 12, mw = 20;
        var r = new Random(3);
        var filter = Enumerable.Range(0, c * mh * mw).Select(_ => (float)(r.NextDouble() - 0.5)).ToArray();
        var model = TestModels.DotProduct(filter, c, mh, mw);
        var objective = Objective.Neuron(model, "dot", [0, 0], names: ["a", "b"]);
        var result = MacoVisualizer.Optimize(objective, new MacoOptions { Steps = 20, Crops = 0, NoiseIntensity = MacoSchedule.Constant(0), ImageSize = new ImageSize(24, 40), Seed = 4 });
        // With crops and noise too (the objective is then noisy, so only the shapes are checked).
        var cropped = MacoVisualizer.Optimize(objective, new MacoOptions { Steps = 3, Crops = 3, ImageSize = new ImageSize(24, 40), Seed = 4 });
        Assert.Equal((2, c, 24, 40), (cropped.Images.Count, cropped.Images.Channels, cropped.Images.Height, cropped.Images.Width));
        Assert.True(cropped.Transparency(1).ToArray().Sum() > 0);
        var images = result.Images;
        Assert.Equal((2, c, 24, 40), (images.Count, images.Channels, images.Height, images.Width));
        Assert.Equal(["a", "b"], result.Names);
        for (int n = 0; n < 2; n++)
        {
            Assert.Equal(c * 24 * 40, result.Transparency(n).Length);
            Assert.True(result.Transparency(n).ToArray().Sum() > 0, $"image {n}'s transparency is all zeros");
            Assert.All(result.Transparency(n).ToArray(), v => Assert.True(v >= 0 && float.IsFinite(v)));
            Assert.All(images.Image(n).ToArray(), v => Assert.True(v is >= 0 and <= 1));
            var curve = result.Result.ObjectiveValues[n];
            output.WriteLine($"image {n}: objective {curve[0]:F3} -> {curve[^1]:F3}");
            Assert.True(curve.Skip(15).Average() > curve.Take(5).Average(), $"image {n}'s objective did not rise: {string.Join(", ", curve)}");
        }
    }

    [Fact]
    public void SpectrumFromImages_IsTheMeanDftMagnitude()
    {
        const int c = 2, h = 5, w = 8;
        var r = new Random(9);
        var images = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, c * h * w).Select(_ => (float)r.NextDouble()).ToArray()).ToList();
        var spectrum = MacoSpectrum.FromImages(CpuBackend.Default, images, c, h, w, "test");
        int wc = w / 2 + 1;
        Assert.Equal((c, h, wc), (spectrum.Channels, spectrum.Height, spectrum.Width));
        var ours = spectrum.ToArray();
        for (int k = 0; k < c; k++)
            for (int ky = 0; ky < h; ky++)
                for (int kx = 0; kx < wc; kx++)
                {
                    double mean = images.Average(img =>
                    {
                        double re = 0, im = 0;
                        for (int y = 0; y < h; y++)
                            for (int x = 0; x < w; x++)
                            {
                                double a = -2 * Math.PI * ((double)ky * y / h + (double)kx * x / w);
                                re += img[(k * h + y) * w + x] * Math.Cos(a);
                                im += img[(k * h + y) * w + x] * Math.Sin(a);
                            }
                        return Math.Sqrt(re * re + im * im);
                    });
                    Assert.Equal(mean, ours[(k * h + ky) * wc + kx], 4);
                }
    }

    [SharedDataFact("data/reference/spectrum_decorrelated.npy")]
    public void BuiltInSpectrum_FitsTheReferenceSpectrumAsDocumented()
    {
        var reference = Npy.Read(SharedData.PathOf("data", "reference", "spectrum_decorrelated.npy")).Data;
        var ours = MacoSpectrum.Default(3, 512, 512).ToArray();
        var f = FourierParametrization.Frequencies(512, 512);
        double num = 0, den = 0, logSq = 0;
        int low = 0;
        for (int i = 0; i < ours.Length; i++)
        {
            num += Math.Pow(ours[i] - reference[i], 2);
            den += Math.Pow(reference[i], 2);
            double fi = f[i % f.Length];
            if (fi > 0 && fi <= 0.1)
            {
                logSq += Math.Pow(Math.Log(ours[i] / reference[i]), 2);
                low++;
            }
        }
        double relL2 = Math.Sqrt(num / den), logRms = Math.Sqrt(logSq / low);
        output.WriteLine($"built-in vs reference: relative L2 {relL2:F3}, log RMS for 0 < f <= 0.1 {logRms:F3}");
        Assert.True(relL2 < 0.42, $"relative L2 error {relL2}");
        Assert.True(logRms < 0.16, $"log RMS error {logRms}");
    }

    [Fact]
    public void AlphaMap_IsTheChannelMeanClippedAtThe80thPercentileOverItsMax_AndThePngsCarryIt()
    {
        // Two channels, 10 x 10: channel means 1..100 (channel 0 holds 2 v - 1, channel 1 holds 1).
        var transparency = new float[200];
        for (int i = 0; i < 100; i++)
        {
            transparency[i] = 2 * (i + 1) - 1;
            transparency[100 + i] = 1;
        }
        var batch = new ImageBatch(new float[300], 1, 3, 10, 10, new ValueRange(0, 1), 1);
        var rgb = new MacoResult(new OptimizationResult([batch], ["x"], 1, false, [0f], [[0f]]), new float[300]);
        Assert.All(rgb.AlphaMap(0), v => Assert.Equal(0f, v));
        var twoChannel = new ImageBatch(new float[200], 1, 2, 10, 10, new ValueRange(0, 1), 1);
        var result = new MacoResult(new OptimizationResult([twoChannel], ["x"], 1, false, [0f], [[0f]]), transparency);
        var alpha = result.AlphaMap(0);
        const double p80 = 1 + 0.8 * 99; // numpy.percentile(1..100, 80), linear
        for (int i = 0; i < 100; i++) Assert.Equal(Math.Min(i + 1, p80) / p80, alpha[i], 1e-6);

        // The map PNG and the grayscale-with-alpha PNG of a 1-channel result carry round(255 alpha).
        var gray = new ImageBatch(Enumerable.Range(0, 100).Select(i => i / 99f).ToArray(), 1, 1, 10, 10, new ValueRange(0, 1), 1);
        var grayResult = new MacoResult(new OptimizationResult([gray], ["x"], 1, false, [0f], [[0f]]), transparency[..100]);
        var grayAlpha = grayResult.AlphaMap(0);
        string dir = CliHarness.TempDir();
        ImageExport.SaveMacoPng(grayResult, 0, Path.Combine(dir, "a.png"));
        ImageExport.SaveMacoMapPng(grayResult, 0, Path.Combine(dir, "m.png"));
        using var png = Image.Load<La16>(Path.Combine(dir, "a.png"));
        using var mapPng = Image.Load<L8>(Path.Combine(dir, "m.png"));
        for (int i = 0; i < 100; i++)
        {
            byte expected = (byte)Math.Round(grayAlpha[i] * 255);
            Assert.Equal(expected, png[i % 10, i / 10].A);
            Assert.Equal((byte)Math.Round(i / 99.0 * 255), png[i % 10, i / 10].L);
            Assert.Equal(expected, mapPng[i % 10, i / 10].PackedValue);
        }
    }

    [Theory]
    [InlineData(new[] { 3, 4 }, 12, "shape (3, 4)")]
    [InlineData(new[] { 1, 2, 2 }, 3, "3 values do not fill shape (1, 2, 2)")]
    [InlineData(new[] { 0, 2, 2 }, 0, "shape (0, 2, 2)")]
    public void SpectrumOfTheWrongShape_IsRefused_NamingTheSourceAndShape(int[] shape, int length, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => MacoSpectrum.FromArray(new float[length], shape, "bad.npy"));
        Assert.Contains("bad.npy", e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-1f)]
    public void SpectrumWithNaNInfiniteOrNegativeValues_IsRefused_NamingTheValueAndPlace(float bad)
    {
        var data = Enumerable.Repeat(1f, 2 * 3 * 4).ToArray();
        data[(1 * 3 + 2) * 4 + 3] = bad;
        var e = Assert.Throws<ArgumentException>(() => MacoSpectrum.FromArray(data, [2, 3, 4], "bad.npy"));
        Assert.Contains("bad.npy (2, 3, 4)", e.Message);
        Assert.Contains("[1, 2, 3]", e.Message);
        Assert.Contains(bad.ToString(), e.Message);
    }

    [Fact]
    public void SpectrumWithTheWrongChannelCount_AndNegativeCrops_AreRefusedBeforeAnyStep()
    {
        var model = TestModels.DotProduct(new float[1 * 4 * 4], 1, 4, 4);
        var objective = Objective.Neuron(model, "dot", 0);
        var spectrum = MacoSpectrum.FromArray(Enumerable.Repeat(1f, 3 * 4 * 3).ToArray(), [3, 4, 3], "rgb.npy");
        var e = Assert.Throws<ArgumentException>(() => MacoVisualizer.Optimize(objective, new MacoOptions { Spectrum = spectrum, ImageSize = null, Steps = 1 }));
        Assert.Contains("rgb.npy", e.Message);
        Assert.Contains("3 channels", e.Message);
        Assert.Contains("takes 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => MacoVisualizer.Optimize(objective, new MacoOptions { Crops = -1, Steps = 1 }));
        Assert.Throws<ArgumentException>(() => MacoSpectrum.FromImages(CpuBackend.Default, [], 1, 4, 4, "empty"));
        Assert.Throws<ArgumentException>(() => MacoSpectrum.FromImages(CpuBackend.Default, [new float[5]], 1, 4, 4, "short"));
    }
}
