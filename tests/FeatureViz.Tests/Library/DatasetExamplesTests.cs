using FeatureViz.Examples;
using FeatureViz.IO;
using FeatureViz.Models;
using FeatureViz.Objectives;
using FeatureViz.Onnx;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tensors.Autograd;
using FeatureViz.Tests.Cli;
using FeatureViz.TestSupport;
using Xunit.Abstractions;

namespace FeatureViz.Tests.Library;

/// <summary>
/// Issue 12's dataset-examples verification: on folders of generated images, the top-k per objective are exactly those
/// of an independent ranking (each PNG decoded here and run alone through the model, the score computed in float64),
/// receptive fields match the convolution arithmetic, bad files are reported and skipped, and resumed searches read
/// only the files not done.
/// </summary>
public class DatasetExamplesTests(ITestOutputHelper output)
{
    private const string Mnist = "data/models/mnist-8.onnx";
    private static readonly ValueRange MnistRange = new(0, 255);

    /// <summary>
    /// mnist-8, two channels of ReLU114 [16, 14, 14]: the folder holds the 5 best of 200 random drawn patterns (boxes),
    /// 10 ordinary patterns and 30 dim noise images; the top 5 of channel 5 are exactly the 5 planted images, and
    /// for both channels the result is the independent ranking (score desc, then path).
    /// </summary>
    [SharedDataFact(Mnist)]
    public void TopKAreThoseOfRunningEachImageAlone()
    {
        using var onnx = OnnxModel.Load(SharedData.PathOf("data", "models", "mnist-8.onnx"));
        const string layer = "ReLU114_Output_0";
        int[] channels = [5, 11];
        string dir = CliHarness.TempDir();
        var random = new Random(12);

        var candidates = Enumerable.Range(0, 200).Select(_ => Boxes(random)).ToList();
        var ranked = candidates.Select(px => (px, score: ChannelMean(onnx, layer, channels[0], Floats(px)))).OrderByDescending(c => c.score).ToList();
        var planted = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < 5; i++)
            planted.Add(ExampleImageFiles.Gray(Path.Combine(dir, $"pattern_best_{i}.png"), ranked[i].px, 28, 28));
        for (int i = 0; i < 10; i++)
            ExampleImageFiles.Gray(Path.Combine(dir, $"pattern_other_{i:D2}.png"), ranked[100 + i].px, 28, 28);
        for (int i = 0; i < 30; i++)
        {
            var noise = new byte[28 * 28];
            for (int p = 0; p < noise.Length; p++) noise[p] = (byte)random.Next(0, 60);
            ExampleImageFiles.Gray(Path.Combine(dir, $"noise_{i:D2}.png"), noise, 28, 28);
        }

        var result = DatasetExamples.Find(Objective.Channel(onnx, layer, channels), dir, new DatasetExampleOptions { TopK = 5, ValuesRange = MnistRange });

        Assert.False(result.Cancelled);
        Assert.Equal(45, result.ImagesScored);
        Assert.Equal(0, result.SkippedCount);
        var files = Directory.GetFiles(dir);
        for (int v = 0; v < channels.Length; v++)
        {
            var expected = files.Select(f => (path: f, score: ChannelMean(onnx, layer, channels[v], ToRange(ExampleImageFiles.ReadGray(f)))))
                .OrderByDescending(e => e.score).ThenBy(e => e.path, StringComparer.Ordinal).Take(5).ToList();
            var got = result.Objectives[v];
            Assert.Null(got.ReceptiveField);
            output.WriteLine($"{got.Name}: " + string.Join(", ", got.Examples.Select(e => $"{Path.GetFileName(e.Path)} {e.Score:G5}")));
            Assert.Equal(expected.Select(e => e.path), got.Examples.Select(e => e.Path));
            for (int i = 0; i < expected.Count; i++)
                Assert.True(Math.Abs(expected[i].score - got.Examples[i].Score) <= 1e-4 * Math.Max(1, Math.Abs(expected[i].score)),
                    $"{got.Name} rank {i + 1}: {got.Examples[i].Score} vs {expected[i].score}");
        }
        Assert.Equal(planted.Order(StringComparer.Ordinal), result.Objectives[0].Examples.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Receptive fields from input-gradient support equal the convolution arithmetic of mnist-8: a neuron of the first
    /// 5 x 5 convolution (padding 2) sees a 5 x 5 window (clipped at the border); one of the second (after a 2 x 2
    /// max-pool) sees 2 * 5 - 1 + 4 + 1 = 14 pixels a side, from 2x - 6 to 2x + 7. A channel reads the whole image.
    /// </summary>
    [SharedDataFact(Mnist)]
    public void NeuronReceptiveFieldsFollowTheConvolutionGeometry()
    {
        using var onnx = OnnxModel.Load(SharedData.PathOf("data", "models", "mnist-8.onnx"));
        string dir = CliHarness.TempDir();
        ExampleImageFiles.Gray(Path.Combine(dir, "a.png"), Boxes(new Random(1)), 28, 28);
        var objectives = new[]
        {
            Objective.Neuron(onnx, "Convolution28_Output_0", channel: 1, x: 0, y: 10),
            Objective.Neuron(onnx, "Convolution28_Output_0", channel: 4, x: 13, y: 20),
            Objective.Neuron(onnx, "Convolution110_Output_0", channel: 3, x: 7, y: 6),
            Objective.Channel(onnx, "ReLU114_Output_0", 3),
        };
        var result = DatasetExamples.Find(objectives, dir, new DatasetExampleOptions { ValuesRange = MnistRange, ReceptiveFields = ReceptiveFieldMode.Always });
        Assert.Equal(new PixelRegion(0, 8, 3, 5), result.Objectives[0].ReceptiveField);
        Assert.Equal(new PixelRegion(11, 18, 5, 5), result.Objectives[1].ReceptiveField);
        Assert.Equal(new PixelRegion(2 * 7 - 6, 2 * 6 - 6, 14, 14), result.Objectives[2].ReceptiveField);
        Assert.Null(result.Objectives[3].ReceptiveField);
        Assert.All(result.Objectives, o => Assert.Equal(dir + Path.DirectorySeparatorChar + "a.png", Assert.Single(o.Examples).Path));
    }

    /// <summary>Truncated, garbage, empty, non-image and decompression-bomb files are reported by name and skipped; the good images are all scored.</summary>
    [Fact]
    public void BadFilesAreReportedAndSkipped()
    {
        string dir = CliHarness.TempDir();
        var model = TinyModel(8);
        var random = new Random(3);
        var good = Enumerable.Range(0, 6).Select(i => ExampleImageFiles.Gray(Path.Combine(dir, $"good_{i}.png"), RandomBytes(random, 64), 8, 8)).ToList();
        var bad = ExampleImageFiles.BadFiles(dir);
        var reported = new List<string>();
        var result = DatasetExamples.Find(Objective.Channel(model, "act", 0), dir, new DatasetExampleOptions
        {
            TopK = 10,
            Progress = new SyncProgress<DatasetExamplesProgress>(p => { if (p.Skipped is { } s) reported.Add(s.Path); }),
        });
        Assert.Equal(6, result.ImagesScored);
        Assert.Equal(bad.Count, result.SkippedCount);
        Assert.Equal(bad.Values.Order(StringComparer.Ordinal), result.Skipped.Select(s => s.Path).Order(StringComparer.Ordinal));
        Assert.Equal(bad.Values.Order(StringComparer.Ordinal), reported.Order(StringComparer.Ordinal));
        Assert.Equal(ImageLoadFailure.TooManyPixels, result.Skipped.Single(s => s.Path == bad["bomb"]).Failure);
        Assert.Equal(ImageLoadFailure.NotAnImage, result.Skipped.Single(s => s.Path == bad["text"]).Failure);
        Assert.All(result.Skipped, s => Assert.Contains(Path.GetFileName(s.Path), s.Message));
        Assert.Equal(good.Order(StringComparer.Ordinal), result.Objectives[0].Examples.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// A search cancelled at its first checkpoint and resumed from it gives the uninterrupted result, without reading
    /// the files done again: one of them is overwritten with garbage before resuming and is not reported.
    /// </summary>
    [Fact]
    public void ResumedSearchEqualsUninterruptedAndSkipsFilesDone()
    {
        string dir = CliHarness.TempDir();
        var model = TinyModel(8);
        var random = new Random(4);
        for (int i = 0; i < 40; i++) ExampleImageFiles.Gray(Path.Combine(dir, $"img_{i:D2}.png"), RandomBytes(random, 64), 8, 8);
        var objective = Objective.Channel(model, "act", [0, 1]) ;
        var options = new DatasetExampleOptions { TopK = 4, BatchSize = 4 };
        var whole = DatasetExamples.Find(objective, dir, options);

        using var cts = new CancellationTokenSource();
        DatasetExamplesCheckpoint? saved = null;
        var first = DatasetExamples.Find(objective, dir, options with
        {
            CheckpointEvery = 10,
            OnCheckpoint = c => { saved ??= c; cts.Cancel(); },
        }, cts.Token);
        Assert.True(first.Cancelled);
        Assert.NotNull(saved);
        Assert.InRange(saved.FilesDone, 10, 39);
        File.WriteAllBytes(Path.Combine(dir, "img_00.png"), [1, 2, 3]);
        var resumed = DatasetExamples.Find(objective, dir, options with { ResumeFrom = saved });

        Assert.False(resumed.Cancelled);
        Assert.Equal(0, resumed.SkippedCount);
        Assert.Equal(40, resumed.ImagesScored);
        for (int v = 0; v < 2; v++)
            Assert.Equal(whole.Objectives[v].Examples, resumed.Objectives[v].Examples);
    }

    /// <summary>The library example of docs/guide.md's "Dataset examples", as written there (on a generated folder).</summary>
    [SharedDataFact(Mnist)]
    public void GuideExampleRuns()
    {
        string digits = CliHarness.TempDir();
        var random = new Random(2);
        for (int i = 0; i < 12; i++) ExampleImageFiles.Gray(Path.Combine(digits, $"digit_{i:D2}.png"), Boxes(random), 28, 28);
        File.WriteAllText(Path.Combine(digits, "readme.txt"), "not an image");
        var lines = new List<string>();

        using var model = OnnxModel.Load(SharedData.PathOf("data", "models", "mnist-8.onnx"));
        var objectives = new[]
        {
            Objective.Channel(model, "ReLU114_Output_0", [0, 1, 2, 3]),
            Objective.Neuron(model, "Convolution110_Output_0", channel: 3, x: 7, y: 6),
        };
        var found = DatasetExamples.Find(objectives, digits, new DatasetExampleOptions
        {
            TopK = 9,
            ValuesRange = new ValueRange(0f, 255f),
            Progress = new SyncProgress<DatasetExamplesProgress>(p =>
            {
                if (p.Skipped is { } s) lines.Add($"skipped: {s.Message}");
            }),
        });
        foreach (var o in found.Objectives)
            lines.Add($"{o.Name} (field {o.ReceptiveField?.ToString() ?? "whole image"}): " +
                      string.Join(", ", o.Examples.Select(e => $"{Path.GetFileName(e.Path)} {e.Score:G4}")));
        lines.Add($"{found.ImagesScored} scored, {found.SkippedCount} skipped");

        foreach (var line in lines) output.WriteLine(line);
        Assert.Equal(5, found.Objectives.Count);
        Assert.All(found.Objectives, o => Assert.Equal(9, o.Examples.Count));
        Assert.Equal("14 x 14 at (8, 6)", found.Objectives[4].ReceptiveField.ToString());
        Assert.Equal("12 scored, 1 skipped", lines[^1]);
        Assert.StartsWith("skipped: ", lines[0]);
    }

    /// <summary>The bounded heap keeps exactly the k best of a naive full sort, ties broken by ordinal path, whatever the order offered.</summary>
    [Fact]
    public void TopKHeapMatchesAFullSortWithTies()
    {
        var random = new Random(9);
        var all = Enumerable.Range(0, 500).Select(i => new DatasetExample($"f{random.Next(100000):D6}_{i}", random.Next(0, 20) / 4f)).ToList();
        all.Add(new DatasetExample("nan", float.NaN));
        var expected = all.Where(e => !float.IsNaN(e.Score)).OrderByDescending(e => (double)e.Score).ThenBy(e => e.Path, StringComparer.Ordinal).Take(25).ToList();
        for (int trial = 0; trial < 3; trial++)
        {
            var heap = new TopKHeap(25);
            foreach (var e in all.OrderBy(_ => random.Next())) heap.Offer(e);
            Assert.Equal(expected, heap.Sorted());
        }
    }

    /// <summary>
    /// A model with a dynamic batch: input [N, 1, s, s]; layer "act" [N, 2, s, s] is (2x, -x) with a conv-free
    /// elementwise path, so a channel score is a known function of the image.
    /// </summary>
    internal static VisualizationModel TinyModel(int size) => VisualizationModel.FromFunction(
        new ModelInput("input", [-1, 1, size, size]),
        [new LayerInfo(0, "act_node", "act", "Concat", [-1, 2, size, size])],
        (x, _) => new Dictionary<string, Tensor> { ["act"] = Tensor.Concat([x.Mul(2f), x.Mul(-1f)], 1) },
        TestModels.Backend);

    internal static byte[] RandomBytes(Random random, int n)
    {
        var b = new byte[n];
        random.NextBytes(b);
        return b;
    }

    /// <summary>A 28 x 28 pattern: 3 bright boxes of random size and position on black.</summary>
    private static byte[] Boxes(Random random)
    {
        var px = new byte[28 * 28];
        for (int b = 0; b < 3; b++)
        {
            int x0 = random.Next(0, 24), y0 = random.Next(0, 24), w = random.Next(2, 10), h = random.Next(2, 10);
            for (int y = y0; y < Math.Min(28, y0 + h); y++)
                for (int x = x0; x < Math.Min(28, x0 + w); x++) px[y * 28 + x] = 255;
        }
        return px;
    }

    private static float[] Floats(byte[] px) => px.Select(b => (float)b).ToArray();

    private static float[] ToRange(float[] unit) => unit.Select(v => MnistRange.Min + MnistRange.Width * v).ToArray();

    /// <summary>The mean of one channel of a layer for one image (values in the model's range), run alone, in float64.</summary>
    private static double ChannelMean(OnnxModel onnx, string layer, int channel, float[] image)
    {
        using var scope = TensorScope.Begin();
        using var noGrad = GradMode.NoGrad();
        var x = Tensor.FromArray(onnx.Backend, image, 1, 1, 28, 28);
        var a = onnx.Run(new Dictionary<string, Tensor> { [onnx.Inputs[0].Name] = x }, [layer])[layer];
        var values = a.ToArray();
        int plane = a.Shape[2] * a.Shape[3];
        double sum = 0;
        for (int p = 0; p < plane; p++) sum += values[channel * plane + p];
        return sum / plane;
    }
}
