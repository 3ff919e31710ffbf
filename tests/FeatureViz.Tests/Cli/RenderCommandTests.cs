using System.Text.Json;
using FeatureViz.Cli;
using FeatureViz.Cli.Output;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Cli;

public class RenderCommandTests
{
    [Fact]
    public async Task RenderWritesImagesIndexAndManifest()
    {
        string dir = CliHarness.TempDir();
        var engine = new FakeRenderEngine();
        var (code, _, err) = await CliHarness.Run(engine, CancellationToken.None,
            "render", "--objective", "channel:conv1:0-2", "--objective", "channel:conv2:3 + 0.5*layer:0:mean",
            "--steps", "3", "--size", "16x12", "--batch", "2", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Equal(3, engine.Batches); // [0,1], [2], [combination]

        string[] stems = ["channel_conv1_0", "channel_conv1_1", "channel_conv1_2", "channel_conv2_3_0.5_layer_conv1_mean"];
        foreach (var s in stems)
        {
            using var img = Image.Load<Rgb24>(Path.Combine(dir, s + ".png"));
            Assert.Equal((16, 12), (img.Width, img.Height));
        }

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        var root = json.RootElement;
        Assert.True(root.GetProperty("complete").GetBoolean());
        Assert.Equal("fake-model", root.GetProperty("model").GetString());
        Assert.Equal("3", root.GetProperty("parameters").GetProperty("steps").GetString());
        Assert.Equal("16x12", root.GetProperty("parameters").GetProperty("size").GetString());
        var items = root.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(stems.Select(s => s + ".png"), items.Select(i => i.GetProperty("file").GetString()));
        Assert.Equal("channel:conv2:3 + 0.5*layer:conv1:mean", items[3].GetProperty("name").GetString());
        Assert.Equal(3, items[0].GetProperty("losses").GetArrayLength());

        string html = File.ReadAllText(Path.Combine(dir, "index.html"));
        HtmlAssert.WellFormed(html);
        foreach (var s in stems) Assert.Contains($"src=\"{s}.png\"", html);
        Assert.Contains("channel:conv2:3 + 0.5*layer:conv1:mean", html);
        Assert.Equal(4, CountOf(html, "<polyline"));
        Assert.Contains("<th>lr</th>", html);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories).Concat(Directory.GetFiles(dir, ".*")));
    }

    [Fact]
    public async Task NoArgumentsRendersChannelsOfTheDefaultLayer()
    {
        string cwd = CliHarness.TempDir();
        string dir = Path.Combine(cwd, "featureviz-out");
        var (code, output, err) = await CliHarness.Run(null, CancellationToken.None, "render", "--steps", "1", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Equal(4, Directory.GetFiles(dir, "*.png").Length);
        Assert.True(File.Exists(Path.Combine(dir, "channel_conv2_3.png")));
        Assert.Contains("index.html", output);
    }

    [Fact]
    public async Task LiveProgressModeRendersToo()
    {
        string dir = CliHarness.TempDir();
        var (code, output, err) = await CliHarness.Run(null, interactive: true, CancellationToken.None, "render", "--objective", "channel:conv1:0-1", "--steps", "5", "--size", "8x8", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Equal(2, Directory.GetFiles(dir, "*.png").Length);
        Assert.Contains("index.html", output);
    }

    [Fact]
    public async Task SaveEveryWritesAnimatedGif()
    {
        string dir = CliHarness.TempDir();
        var (code, _, err) = await CliHarness.Run("render", "--objective", "channel:conv1:1", "--steps", "4", "--save-every", "1", "--size", "8x8", "--out", dir);
        Assert.True(code == 0, err);
        using var gif = Image.Load<Rgb24>(Path.Combine(dir, "channel_conv1_1.gif"));
        Assert.Equal(4, gif.Frames.Count);
        Assert.Contains("channel_conv1_1.gif", File.ReadAllText(Path.Combine(dir, "index.html")));
    }

    [Fact]
    public async Task JsonSummaryOnStdout()
    {
        string dir = CliHarness.TempDir();
        var (code, output, err) = await CliHarness.Run("render", "--objective", "channel:conv1:0-1", "--steps", "2", "--size", "8x8", "--out", dir, "--json");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(2, json.RootElement.GetProperty("rendered").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("images").GetArrayLength());
        Assert.Contains("step 2/2", err); // progress goes to stderr with --json
    }

    [Fact]
    public async Task RerunSkipsFinishedItemsAndForceRecomputes()
    {
        string dir = CliHarness.TempDir();
        var first = new FakeRenderEngine();
        Assert.Equal(0, (await CliHarness.Run(first, CancellationToken.None, "render", "--objective", "channel:conv1:0-1", "--steps", "1", "--size", "8x8", "--out", dir)).Code);
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(dir, "channel_conv1_0.png"));

        var second = new FakeRenderEngine();
        var (code, output, _) = await CliHarness.Run(second, CancellationToken.None, "render", "--objective", "channel:conv1:0-3", "--steps", "1", "--size", "8x8", "--out", dir);
        Assert.Equal(0, code);
        Assert.Equal(["channel:conv1:2", "channel:conv1:3"], second.Rendered);
        Assert.Contains("2 kept", output);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(Path.Combine(dir, "channel_conv1_0.png")));
        using (var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json"))))
            Assert.Equal(4, json.RootElement.GetProperty("items").GetArrayLength());

        var third = new FakeRenderEngine();
        Assert.Equal(0, (await CliHarness.Run(third, CancellationToken.None, "render", "--objective", "channel:conv1:0-3", "--steps", "1", "--size", "8x8", "--out", dir, "--force")).Code);
        Assert.Equal(4, third.Rendered.Count);
    }

    [Fact]
    public async Task CancelledRunLeavesOnlyCompleteFiles()
    {
        string dir = CliHarness.TempDir();
        using var cts = new CancellationTokenSource();
        var engine = new FakeRenderEngine { CancelAfter = (1, cts) };
        var (code, _, err) = await CliHarness.Run(engine, cts.Token, "render", "--objective", "channel:conv2:0-7", "--batch", "2", "--steps", "2", "--size", "8x8", "--out", dir);
        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Contains("Interrupted", err);
        Assert.Equal(1, engine.Batches);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        Assert.False(json.RootElement.GetProperty("complete").GetBoolean());
        var files = json.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("file").GetString()!).ToList();
        Assert.Equal(["channel_conv2_0.png", "channel_conv2_1.png"], files);
        Assert.Equal(files.Order(), Directory.GetFiles(dir, "*.png").Select(Path.GetFileName).Order()!);
        foreach (var f in files) using (Image.Load<Rgb24>(Path.Combine(dir, f))) { }
        Assert.DoesNotContain(Directory.GetFiles(dir), f => Path.GetFileName(f).StartsWith('.') || f.EndsWith(".tmp"));
        Assert.Contains("incomplete", File.ReadAllText(Path.Combine(dir, "index.html")));

        // Resuming finishes the rest without recomputing the first batch.
        var resume = new FakeRenderEngine();
        Assert.Equal(0, (await CliHarness.Run(resume, CancellationToken.None, "render", "--objective", "channel:conv2:0-7", "--batch", "2", "--steps", "2", "--size", "8x8", "--out", dir)).Code);
        Assert.Equal(6, resume.Rendered.Count);
        Assert.Equal(8, Directory.GetFiles(dir, "*.png").Length);
    }

    [Fact]
    public async Task GalleryRendersEveryChannelInBatchesAndResumes()
    {
        string dir = CliHarness.TempDir();
        var engine = new FakeRenderEngine();
        var (code, _, err) = await CliHarness.Run(engine, CancellationToken.None, "gallery", "--layer", "conv1", "--steps", "1", "--size", "8x8", "--batch", "3", "--out", dir);
        Assert.True(code == 0, err);
        Assert.Equal(3, engine.Batches);
        Assert.Equal(8, Directory.GetFiles(dir, "*.png").Length);
        Assert.Single(Directory.GetFiles(dir, "*.html"));
        Assert.Contains("featureviz gallery: conv1", File.ReadAllText(Path.Combine(dir, "index.html")));

        var again = new FakeRenderEngine();
        Assert.Equal(0, (await CliHarness.Run(again, CancellationToken.None, "gallery", "--layer", "0", "--channels", "0-7", "--steps", "1", "--size", "8x8", "--out", dir)).Code);
        Assert.Empty(again.Rendered);
    }

    [Theory]
    [InlineData("--steps", "render", "--steps", "0")]
    [InlineData("--steps", "render", "--steps", "many")]
    [InlineData("--size", "render", "--size", "12xb")]
    [InlineData("--lr", "render", "--lr", "-1")]
    [InlineData("--transforms", "render", "--transforms", "fancy")]
    [InlineData("--regularizer", "render", "--regularizer", "l3=1")]
    [InlineData("--regularizer", "render", "--regularizer", "tv")]
    [InlineData("--device", "render", "--device", "cuda")]
    [InlineData("--batch", "render", "--batch", "0")]
    [InlineData("--values-range", "render", "--values-range", "1,0")]
    [InlineData("--fft and --pixel", "render", "--fft", "--pixel")]
    [InlineData("--objective", "render", "--objective", "channel:conv1")]
    [InlineData("--objective", "render", "--objective", "channel:nope:1")]
    [InlineData("--objective", "render", "--objective", "channel:conv1:99")]
    [InlineData("--layer", "gallery", "--layer", "nope")]
    [InlineData("--channels", "gallery", "--layer", "conv1", "--channels", "0-99")]
    [InlineData("--channels", "gallery", "--layer", "conv1", "--channels", "a-b")]
    [InlineData("--bogus", "render", "--bogus")]
    [InlineData("--layer", "gallery")]
    [InlineData("--model", "eval", "--input", "x=y.npy", "--output-dir", "o")]
    [InlineData("--input", "eval", "--model", "/nonexistent.onnx", "--output-dir", "o")]
    [InlineData("--model", "render", "--model", "/nonexistent/model.onnx")]
    [InlineData("frobnicate", "frobnicate")]
    public async Task BadArgumentsExitWithCode2NamingTheArgument(string named, params string[] args)
    {
        var (code, _, err) = await CliHarness.Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(named, err);
    }

    [Fact]
    public async Task HelpIsAvailableEverywhereWithExamples()
    {
        foreach (var command in new[] { "render", "gallery", "layers", "eval", "grad" })
        {
            var (code, output, _) = await CliHarness.Run(command, "--help");
            Assert.Equal(0, code);
            Assert.Contains("Example", output);
            Assert.Contains($"featureviz {command}", output);
        }
        var root = await CliHarness.Run("--help");
        Assert.Equal(0, root.Code);
        Assert.Contains("render", root.Out);
    }

    internal static int CountOf(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
