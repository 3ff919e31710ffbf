using System.Text.Json;
using FeatureViz.Tests.Library;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// <c>featureviz examples</c> end to end with the real engine on the tiny conv model (input [1, 3, 16, 16], conv 3 x 3
/// pad 1 -> relu "conv/relu" [1, 4, 16, 16]): the top images are those of a float64 reference of the model written
/// here, neuron crops are the 3 x 3 receptive field, bad files are reported, index.html pairs render's visualization
/// with the examples, and an interrupted run resumes to the uninterrupted result.
/// </summary>
public class ExamplesCommandTests
{
    private const int Size = 16;

    [Fact]
    public async Task TopImagesThumbnailsCropsAndReport()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string images = MakeImages(dir, 12, withBadFiles: true);
        string outDir = Path.Combine(dir, "out");

        var (code, stdout, stderr) = await Run(["examples", "--model", model, "--images", images, "--objective", "channel:conv/relu:0-1",
            "--objective", "neuron:conv/relu:1@5,6", "--top", "3", "--out", outDir]);
        Assert.True(code == 0, stderr);
        Assert.Contains("bad_truncated.png", stderr);
        Assert.Contains("bad_notes.txt", stderr);
        Assert.Contains("Scored 12 image(s) on 3 objective(s), 5 file(s) skipped", stdout);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "examples.json")));
        var objectives = json.RootElement.GetProperty("objectives").EnumerateArray().ToList();
        Assert.Equal(3, objectives.Count);
        Assert.Equal(5, json.RootElement.GetProperty("skippedCount").GetInt32());
        var goods = Directory.GetFiles(images, "good_*.png");
        var references = new Func<double[], double>[] { a => ChannelMean(a, 0), a => ChannelMean(a, 1), a => a[(1 * Size + 6) * Size + 5] };
        for (int j = 0; j < 3; j++)
        {
            var expected = goods.Select(f => (f, s: references[j](Activations(f)))).OrderByDescending(x => x.s).ThenBy(x => x.f, StringComparer.Ordinal).Take(3).ToList();
            var got = objectives[j].GetProperty("images").EnumerateArray().ToList();
            Assert.Equal(expected.Select(e => Path.GetFullPath(e.f)), got.Select(g => Path.GetFullPath(g.GetProperty("source").GetString()!)));
            for (int r = 0; r < 3; r++)
            {
                Assert.Equal(expected[r].s, got[r].GetProperty("score").GetDouble(), 1e-4);
                using var thumb = Image.Load<Rgb24>(Path.Combine(outDir, got[r].GetProperty("file").GetString()!));
                Assert.Equal((Size, Size), (thumb.Width, thumb.Height));
            }
            bool neuron = j == 2;
            Assert.Equal(neuron, objectives[j].TryGetProperty("receptiveField", out var field));
            if (!neuron) continue;
            Assert.Equal((4, 5, 3, 3), (field.GetProperty("x").GetInt32(), field.GetProperty("y").GetInt32(), field.GetProperty("width").GetInt32(), field.GetProperty("height").GetInt32()));
            using var crop = Image.Load<Rgb24>(Path.Combine(outDir, got[0].GetProperty("crop").GetString()!));
            using var source = Image.Load<Rgb24>(expected[0].f);
            Assert.Equal((3, 3), (crop.Width, crop.Height));
            Assert.Equal(source[4, 5], crop[0, 0]);
            Assert.Equal(source[6, 7], crop[2, 2]);
        }
        string html = File.ReadAllText(Path.Combine(outDir, "index.html"));
        Assert.Contains("Dataset examples", html);
        Assert.Contains("(no visualization in this folder)", html);
        Assert.Contains("bad_bomb.png", html);

        // render into the same folder: index.html shows each channel's visualization beside its examples.
        var o = new StringWriter();
        var e = new StringWriter();
        int rendered = await FeatureViz.Cli.Cli.RunAsync(["render", "--model", model, "--objective", "channel:conv/relu:0-1", "--steps", "2", "--size", "16x16", "--out", outDir], o, e, CancellationToken.None);
        Assert.True(rendered == 0, e.ToString());
        html = File.ReadAllText(Path.Combine(outDir, "index.html"));
        Assert.Contains("class=\"visualization\" src=\"channel_conv_relu_0.png\"", html);
        Assert.Contains("class=\"visualization\" src=\"channel_conv_relu_1.png\"", html);
        Assert.Contains(Path.GetFileName(objectives[0].GetProperty("images")[0].GetProperty("file").GetString()!), html);

        // Unchanged folder, model and arguments: nothing is scored again.
        (code, stdout, stderr) = await Run(["examples", "--model", model, "--images", images, "--objective", "channel:conv/relu:0-1",
            "--objective", "neuron:conv/relu:1@5,6", "--top", "3", "--out", outDir]);
        Assert.True(code == 0, stderr);
        Assert.Contains("Already complete: 12 image(s) scored earlier", stdout);
        Assert.DoesNotContain("skipped:", stderr);
        Assert.Contains("class=\"visualization\" src=\"channel_conv_relu_0.png\"", File.ReadAllText(Path.Combine(outDir, "index.html")));
    }

    [Fact]
    public async Task InterruptedRunResumesToTheUninterruptedResult()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string images = MakeImages(dir, 20, withBadFiles: false);
        string[] args = ["examples", "--model", model, "--images", images, "--objective", "channel:conv/relu:2-3", "--top", "4", "--checkpoint-every", "1"];

        var whole = await Run([.. args, "--out", Path.Combine(dir, "whole")]);
        Assert.True(whole.Code == 0, whole.Err);

        string outDir = Path.Combine(dir, "resumed");
        using var cts = new CancellationTokenSource();
        var o = new CancelOnLine("examples:", cts);
        var e = new StringWriter();
        int code = await FeatureViz.Cli.Cli.RunAsync([.. args, "--out", outDir], o, e, cts.Token);
        Assert.True(code == 130, $"{o}\n{e}");
        using (var partial = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "examples.json"))))
        {
            Assert.False(partial.RootElement.GetProperty("complete").GetBoolean());
            Assert.InRange(partial.RootElement.GetProperty("imagesScored").GetInt32(), 1, 19);
        }

        var resumed = await Run([.. args, "--out", outDir]);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Contains("Resuming: ", resumed.Out);
        Assert.Equal(Objectives(Path.Combine(dir, "whole")), Objectives(outDir));

        // A changed folder starts again.
        File.Copy(Directory.GetFiles(images)[0], Path.Combine(images, "good_zz_added.png"));
        var again = await Run([.. args, "--out", outDir]);
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains("starting again", again.Out);
        Assert.Contains("Scored 21 image(s)", again.Out);
    }

    [Fact]
    public async Task BadArgumentsAreUsageErrors()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string images = MakeImages(dir, 2, withBadFiles: false);
        var missing = await Run(["examples", "--model", model, "--images", Path.Combine(dir, "nope"), "--out", Path.Combine(dir, "o")]);
        Assert.Equal(2, missing.Code);
        Assert.Contains("--images", missing.Err);
        var inside = await Run(["examples", "--model", model, "--images", images, "--out", Path.Combine(images, "out")]);
        Assert.Equal(2, inside.Code);
        Assert.Contains("inside --images", inside.Err);
        Assert.False(Directory.Exists(Path.Combine(images, "out")));
        var diversity = await Run(["examples", "--model", model, "--images", images, "--objective", "channel:conv/relu:0 - diversity:conv/relu", "--out", Path.Combine(dir, "o")]);
        Assert.Equal(2, diversity.Code);
        Assert.Contains("diversity", diversity.Err);
        var top = await Run(["examples", "--model", model, "--images", images, "--top", "0", "--out", Path.Combine(dir, "o")]);
        Assert.Equal(2, top.Code);
        Assert.Contains("--top", top.Err);
    }

    private static async Task<(int Code, string Out, string Err)> Run(string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = await FeatureViz.Cli.Cli.RunAsync(args, o, e, CancellationToken.None);
        return (code, o.ToString(), e.ToString());
    }

    private static string Objectives(string outDir)
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "examples.json")));
        return json.RootElement.GetProperty("objectives").GetRawText();
    }

    /// <summary>Random RGB 16 x 16 images (and the bad files) in a new folder.</summary>
    private static string MakeImages(string dir, int count, bool withBadFiles)
    {
        string images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        var random = new Random(count);
        for (int i = 0; i < count; i++)
            ExampleImageFiles.Rgb(Path.Combine(images, $"good_{i:D2}.png"), DatasetExamplesTests.RandomBytes(random, Size * Size * 3), Size, Size);
        if (withBadFiles) ExampleImageFiles.BadFiles(images);
        return images;
    }

    /// <summary>relu(conv(x)) of the tiny conv model for one PNG (values 0..1), in float64: [4, 16, 16] flattened.</summary>
    private static double[] Activations(string path)
    {
        using var img = Image.Load<Rgb24>(path);
        var x = new double[3, Size, Size];
        for (int y = 0; y < Size; y++)
            for (int xx = 0; xx < Size; xx++)
            {
                var p = img[xx, y];
                (x[0, y, xx], x[1, y, xx], x[2, y, xx]) = (p.R / 255.0, p.G / 255.0, p.B / 255.0);
            }
        double[] bias = [0.1, -0.1, 0.05, 0];
        var a = new double[4 * Size * Size];
        for (int o = 0; o < 4; o++)
            for (int y = 0; y < Size; y++)
                for (int xx = 0; xx < Size; xx++)
                {
                    double s = bias[o];
                    for (int c = 0; c < 3; c++)
                        for (int ky = 0; ky < 3; ky++)
                            for (int kx = 0; kx < 3; kx++)
                            {
                                int iy = y + ky - 1, ix = xx + kx - 1;
                                if (iy < 0 || iy >= Size || ix < 0 || ix >= Size) continue;
                                s += Math.Sin((((o * 3 + c) * 3 + ky) * 3 + kx) * 0.7) * 0.5 * x[c, iy, ix];
                            }
                    a[(o * Size + y) * Size + xx] = Math.Max(0, s);
                }
        return a;
    }

    private static double ChannelMean(double[] a, int channel) => a.Skip(channel * Size * Size).Take(Size * Size).Average();

    /// <summary>Standard output that cancels the run when a line starting with <paramref name="prefix"/> is written.</summary>
    private sealed class CancelOnLine(string prefix, CancellationTokenSource cts) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && value.StartsWith(prefix, StringComparison.Ordinal)) cts.Cancel();
        }
    }
}
