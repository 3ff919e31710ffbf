using System.Text.Json;
using System.Text.RegularExpressions;
using FeatureViz.Cli.Output;
using FeatureViz.Cli.Render;
using FeatureViz.Rendering;
using FeatureViz.Tensors;
using FeatureViz.Tests.Library;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// manifest.json and index.html carry each image's own objective curve, downsampled for long runs; the options
/// <c>--lr-schedule</c> and <c>--transforms lucid</c>.
/// </summary>
public partial class CurveOutputTests
{
    [GeneratedRegex("points=\"([^\"]*)\"")]
    private static partial Regex Points();

    [GeneratedRegex("aria-label=\"objective curve\"")]
    private static partial Regex ObjectiveCurveLabel();

    /// <summary>
    /// A 20,000-step run stores at most 256 points per curve: bucket means of 79 consecutive steps (the last bucket
    /// shorter), checked against the fake engine's curves computed here, so the manifest stays small.
    /// </summary>
    [Fact]
    public async Task LongRun_StoresDownsampledCurves_AndASmallManifest()
    {
        const int steps = 20_000;
        string dir = CliHarness.TempDir();
        var (code, _, err) = await CliHarness.Run(new FakeRenderEngine(), CancellationToken.None,
            "render", "--objective", "channel:conv1:0-1", "--steps", steps.ToString(), "--size", "8x8", "--batch", "2", "--out", dir);
        Assert.True(code == 0, err);
        long bytes = new FileInfo(Path.Combine(dir, "manifest.json")).Length;
        Assert.True(bytes < 64 * 1024, $"manifest.json is {bytes} bytes");
        Assert.True(new FileInfo(Path.Combine(dir, "index.html")).Length < 64 * 1024);
        Assert.All(Directory.GetFiles(dir, "*.png"), f => Assert.True(new FileInfo(f).Length < 32 * 1024, $"{f}: {new FileInfo(f).Length} bytes"));

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        var items = json.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2, items.Count);
        const int k = (steps + 255) / 256;
        for (int i = 0; i < 2; i++)
        {
            var curveSteps = items[i].GetProperty("curveSteps").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var objective = items[i].GetProperty("objectiveValues").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            var losses = items[i].GetProperty("losses").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.True(curveSteps.Length <= 256);
            Assert.Equal(curveSteps.Length, objective.Length);
            Assert.Equal(curveSteps.Length, losses.Length);
            Assert.Equal(steps, curveSteps[^1]);
            for (int p = 0; p < curveSteps.Length; p++)
            {
                int first = p * k + 1, last = Math.Min((p + 1) * k, steps);
                Assert.Equal(last, curveSteps[p]);
                double mean = 0;
                for (int s = first; s <= last; s++) mean += (i + 1) * Math.Log(1 + s);
                mean /= last - first + 1;
                Assert.Equal(mean, objective[p], mean * 1e-6);
            }
            Assert.Equal(-Math.Log(1 + steps), items[i].GetProperty("finalLoss").GetDouble(), 12);
            Assert.Equal((i + 1) * Math.Log(1 + steps), items[i].GetProperty("finalObjective").GetDouble(), 9);
        }
    }

    [Fact]
    public void ShortCurves_AreStoredWhole_WithoutCurveSteps()
    {
        var curve = Enumerable.Range(0, 256).Select(i => i * 0.5).ToList();
        Assert.Equal(curve, ManifestCurve.Downsample(curve));
        Assert.Null(ManifestCurve.Steps(256));
        Assert.Equal(256, ManifestCurve.Downsample([.. curve, .. curve]).Count);
        Assert.Equal(171, ManifestCurve.Downsample([.. curve, .. curve, 7.0]).Count);
    }

    /// <summary>index.html draws each image's own objective curve: the images of one batch get different curves.</summary>
    [Fact]
    public async Task IndexHtml_DrawsOneObjectiveCurvePerImage()
    {
        string dir = CliHarness.TempDir();
        var (code, _, err) = await CliHarness.Run(new FakeRenderEngine(), CancellationToken.None,
            "render", "--objective", "channel:conv1:0-2", "--steps", "10", "--size", "8x8", "--batch", "3", "--out", dir);
        Assert.True(code == 0, err);
        string html = File.ReadAllText(Path.Combine(dir, "index.html"));
        HtmlAssert.WellFormed(html);
        Assert.Equal(3, ObjectiveCurveLabel().Matches(html).Count);
        // The fake objectives are (i + 1) log(1 + step): the same shape, so the polylines agree; the labels (max) differ.
        foreach (var i in new[] { 1, 2, 3 })
            Assert.Contains($">{(i * Math.Log(11)).ToString("G4", System.Globalization.CultureInfo.InvariantCulture)}</text>", html);
        Assert.Contains("final objective", html);
    }

    /// <summary>With the real engine (tiny ONNX model), the images of one batch record different objective curves.</summary>
    [Fact]
    public async Task RealEngine_RecordsEachImagesObjective()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string outDir = Path.Combine(dir, "out");
        int code = await FeatureViz.Cli.Cli.RunAsync(
            ["render", "--model", model, "--objective", "channel:conv/relu:0-1", "--steps", "6", "--size", "16x16", "--seed", "1",
             "--lr-schedule", "cosine", "--transforms", "lucid", "--out", outDir],
            new StringWriter(), new StringWriter(), CancellationToken.None);
        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json")));
        Assert.Equal("cosine", json.RootElement.GetProperty("parameters").GetProperty("lrSchedule").GetString());
        Assert.Equal("lucid", json.RootElement.GetProperty("parameters").GetProperty("transforms").GetString());
        var curves = json.RootElement.GetProperty("items").EnumerateArray()
            .Select(i => i.GetProperty("objectiveValues").EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToList();
        Assert.Equal(2, curves.Count);
        Assert.All(curves, c => Assert.Equal(6, c.Length));
        Assert.NotEqual(curves[0], curves[1]);
        string html = File.ReadAllText(Path.Combine(outDir, "index.html"));
        var polylines = Points().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(2, polylines.Count);
        Assert.NotEqual(polylines[0], polylines[1]);
    }

    [Fact]
    public async Task DefaultSchedule_IsNotRecorded_SoEarlierRunsStayReusable()
    {
        string dir = CliHarness.TempDir();
        var (code, _, err) = await CliHarness.Run("render", "--objective", "channel:conv1:0", "--steps", "2", "--size", "8x8", "--out", dir);
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        Assert.False(json.RootElement.GetProperty("parameters").TryGetProperty("lrSchedule", out _));
        Assert.Equal("standard", json.RootElement.GetProperty("parameters").GetProperty("transforms").GetString());
    }

    [Theory]
    [InlineData("--lr-schedule", "linear", "'constant', 'cosine', 'step'")]
    [InlineData("--transforms", "xplique", "'none', 'standard', 'lucid'")]
    public async Task UnknownChoices_AreUsageErrors_ListingTheChoices(string option, string value, string choices)
    {
        var (code, _, err) = await CliHarness.Run("render", "--objective", "channel:conv1:0", option, value, "--out", CliHarness.TempDir());
        Assert.Equal(2, code);
        Assert.Contains(option, err);
        Assert.Contains(choices, err);
        Assert.Contains(value, err);
    }

    [Fact]
    public void CliSchedules_AndLucidPadding_FollowTheirDefinitions()
    {
        var settings = new RenderSettings { Steps = 100, WarmupSteps = 0, LrSchedule = LrSchedule.Step };
        var step = LibraryRenderEngine.Schedule(settings);
        Assert.Equal(0.05f, step.Rate(0.05f, 24, 100));
        Assert.Equal(0.025f, step.Rate(0.05f, 25, 100));
        Assert.Equal(0.05f / 8, step.Rate(0.05f, 99, 100), 7);
        var cosine = LibraryRenderEngine.Schedule(settings with { LrSchedule = LrSchedule.Cosine });
        Assert.Equal(0.025, cosine.Rate(0.05f, 50, 100), 6);

        // Lucid's grey padding is the middle of the model's value range.
        var lucid = LibraryRenderEngine.Transforms(TransformSet.Lucid, new ValueRange(0, 255))!;
        var y = lucid.Apply(Tensor.Zeros(TestModels.Backend, 1, 1, 16, 16), new Random(1)).ToArray();
        Assert.Equal(127.5f, y.Max(), 3);
        Assert.Null(LibraryRenderEngine.Transforms(TransformSet.None, new ValueRange(0, 1)));
    }
}
