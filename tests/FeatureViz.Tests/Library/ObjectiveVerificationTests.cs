using FeatureViz.Cli.IO;
using FeatureViz.IO;
using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Parametrization;
using FeatureViz.Rendering;
using FeatureViz.Tests.Cli;
using FeatureViz.TestSupport;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library;

/// <summary>
/// Issue 11's verification on mnist-8: renders are saved as PNG, read back, and measured independently through the
/// CLI's <c>eval</c> (the layer written to .npy, the quantity computed here in float64), against 32 random images.
/// </summary>
public class ObjectiveVerificationTests(ITestOutputHelper output)
{
    private const string Layer = "ReLU114_Output_0"; // [1, 16, 14, 14]
    private static string ModelPath => SharedData.PathOf("data", "models", "mnist-8.onnx");

    /// <summary>mnist-8 loaded for one test, with a fresh folder for its files.</summary>
    private sealed class Mnist : IDisposable
    {
        private readonly OnnxModel _onnx = OnnxModel.Load(ModelPath);

        public string Dir { get; } = CliHarness.TempDir();

        public VisualizationModel Model => _onnx;

        public void Dispose() => _onnx.Dispose();
    }

    private static OptimizationOptions Options(int steps) => new()
    {
        CustomShape = null,
        ValuesRange = new ValueRange(0, 255),
        Transformations = null,
        Steps = steps,
        Seed = 11,
    };

    /// <summary>Saves each image as PNG, reads it back and returns the pixels (0..255).</summary>
    private static List<float[]> ThroughPng(OptimizationResult result, string dir)
    {
        var images = new List<float[]>();
        for (int i = 0; i < result.Images.Count; i++)
        {
            string path = Path.Combine(dir, $"image{i}.png");
            ImageExport.SavePng(result.Images, i, path);
            using var png = Image.Load<L8>(path);
            var px = new float[28 * 28];
            for (int y = 0; y < 28; y++)
                for (int x = 0; x < 28; x++) px[y * 28 + x] = png[x, y].PackedValue;
            images.Add(px);
        }
        return images;
    }

    /// <summary>The layer's activations [16, 14, 14] for each image, from <c>featureviz eval</c>.</summary>
    private static async Task<List<float[]>> Eval(IEnumerable<float[]> images, string dir)
    {
        var acts = new List<float[]>();
        int i = 0;
        foreach (var img in images)
        {
            string x = Path.Combine(dir, $"x{i}.npy"), outDir = Path.Combine(dir, $"eval{i++}");
            Npy.Write(x, img, [1, 1, 28, 28]);
            var (code, _, err) = await CliHarness.Run("eval", "--model", ModelPath, "--input", $"Input3={x}", "--tensor", Layer, "--output-dir", outDir);
            Assert.True(code == 0, err);
            var a = Npy.Read(Path.Combine(outDir, Layer + ".npy"));
            Assert.Equal([1, 16, 14, 14], a.Shape);
            acts.Add(a.Data);
        }
        return acts;
    }

    private static List<float[]> RandomImages(int count, int seed)
    {
        var r = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => Enumerable.Range(0, 784).Select(_ => (float)r.Next(256)).ToArray()).ToList();
    }

    private static double ChannelMean(float[] a, int c) => Enumerable.Range(0, 196).Average(i => (double)a[c * 196 + i]);

    private static double Quadrant(float[] a, int c)
    {
        double s = 0;
        for (int y = 0; y < 7; y++)
            for (int x = 0; x < 7; x++) s += a[(c * 14 + y) * 14 + x];
        return s / 49;
    }

    /// <summary>Mean over pairs of the cosine between the images' Gram matrices (16 x 16) at the layer.</summary>
    private static double MeanGramCosine(List<float[]> acts)
    {
        var grams = acts.Select(a =>
        {
            var g = new double[256];
            for (int k = 0; k < 16; k++)
                for (int l = 0; l < 16; l++)
                    for (int p = 0; p < 196; p++) g[k * 16 + l] += (double)a[k * 196 + p] * a[l * 196 + p];
            return g;
        }).ToArray();
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < grams.Length; i++)
            for (int j = i + 1; j < grams.Length; j++)
            {
                double dot = 0, ni = 0, nj = 0;
                for (int k = 0; k < 256; k++) { dot += grams[i][k] * grams[j][k]; ni += grams[i][k] * grams[i][k]; nj += grams[j][k] * grams[j][k]; }
                sum += dot / Math.Sqrt(ni * nj);
                pairs++;
            }
        return sum / pairs;
    }

    [SharedDataFact("data/models/mnist-8.onnx")]
    public async Task UserTerm_TopLeftQuadrantOfAChannel_BeatsTheBestOf32RandomImagesTwiceOver()
    {
        const int channel = 5;
        using var mnist = new Mnist();
        var (dir, model) = (mnist.Dir, mnist.Model);
        var term = Objective.FromFunction(model, Layer, a => a.Slice([0, channel, 0, 0], [a.Shape[0], channel + 1, 7, 7]).Mean([1, 2, 3]), "top-left quadrant");
        var result = FeatureVisualizer.Optimize(term, Options(64));
        double rendered = Quadrant((await Eval(ThroughPng(result, dir), dir))[0], channel);
        double random = (await Eval(RandomImages(32, 5), dir)).Max(a => Quadrant(a, channel));
        output.WriteLine($"quadrant mean: rendered {rendered:F3}, best random {random:F3}");
        Assert.True(random > 0, $"the best random image gives {random}");
        Assert.True(rendered >= 2 * random, $"rendered {rendered:F3} < 2 x best random {random:F3}");
    }

    [SharedDataFact("data/models/mnist-8.onnx")]
    public async Task Diversity_LowersTheBatchsGramSimilarity_WhileEachImageStillActivatesItsChannel()
    {
        const int channel = 5;
        using var mnist = new Mnist();
        var (dir, model) = (mnist.Dir, mnist.Model);
        var channelTerm = Objective.Channel(model, Layer, Enumerable.Repeat(channel, 4));
        var plain = ThroughPng(FeatureVisualizer.Optimize(channelTerm, Options(64)), dir);
        var diverse = ThroughPng(FeatureVisualizer.Optimize(channelTerm - DiversityWeight * Objective.Diversity(model, Layer), Options(64)), dir);
        var plainActs = await Eval(plain, dir);
        var diverseActs = await Eval(diverse, dir);
        double random = (await Eval(RandomImages(32, 6), dir)).Max(a => ChannelMean(a, channel));
        double simPlain = MeanGramCosine(plainActs), simDiverse = MeanGramCosine(diverseActs);
        output.WriteLine($"mean pairwise Gram cosine: without {simPlain:F4}, with diversity {simDiverse:F4}; best random channel mean {random:F3}");
        output.WriteLine($"channel means with diversity: {string.Join(", ", diverseActs.Select(a => ChannelMean(a, channel).ToString("F3")))}");
        Assert.True(simDiverse < simPlain, $"diversity did not lower the Gram similarity: {simDiverse:F4} >= {simPlain:F4}");
        foreach (var a in diverseActs)
            Assert.True(ChannelMean(a, channel) >= 1.5 * random, $"an image reaches {ChannelMean(a, channel):F3} < 1.5 x best random {random:F3}");
    }

    private const double DiversityWeight = 250;

    [SharedDataFact("data/models/mnist-8.onnx")]
    public async Task ChannelInterpolate_MorphsMonotonicallyFromTheFirstChannelToTheSecond()
    {
        const int first = 5, second = 9;
        using var mnist = new Mnist();
        var (dir, model) = (mnist.Dir, mnist.Model);
        var obj = Objective.ChannelInterpolate(model, Layer, first, Layer, second, steps: 5);
        var acts = await Eval(ThroughPng(FeatureVisualizer.Optimize(obj, Options(64)), dir), dir);
        var a = acts.Select(x => ChannelMean(x, first)).ToArray();
        var b = acts.Select(x => ChannelMean(x, second)).ToArray();
        output.WriteLine($"channel {first}: {string.Join(", ", a.Select(v => v.ToString("F3")))}");
        output.WriteLine($"channel {second}: {string.Join(", ", b.Select(v => v.ToString("F3")))}");
        for (int k = 1; k < 5; k++)
        {
            Assert.True(a[k] < a[k - 1], $"channel {first} does not decrease from image {k - 1} to {k}: {a[k - 1]:F3} -> {a[k]:F3}");
            Assert.True(b[k] > b[k - 1], $"channel {second} does not increase from image {k - 1} to {k}: {b[k - 1]:F3} -> {b[k]:F3}");
        }
    }
}
