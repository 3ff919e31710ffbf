using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Cli;

/// <summary>render and gallery end to end with the real engine (FeatureViz library + ONNX import) on a tiny conv model.</summary>
public class RealRenderTests
{
    [Fact]
    public async Task RenderATinyModelWithTheLibrary()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string outDir = Path.Combine(dir, "out");
        var o = new StringWriter();
        var e = new StringWriter();
        int code = await FeatureViz.Cli.Cli.RunAsync(
            ["render", "--model", model, "--objective", "channel:conv/relu:0-1", "--objective", "neuron:1:2@3,4 + 0.5*layer:conv/relu",
             "--steps", "3", "--size", "16x16", "--seed", "1", "--save-every", "1", "--regularizer", "l2=0.01", "--out", outDir, "--json"],
            o, e, CancellationToken.None);
        Assert.True(code == 0, e.ToString());
        using var summary = JsonDocument.Parse(o.ToString());
        Assert.Equal(3, summary.RootElement.GetProperty("images").GetArrayLength());
        foreach (var name in new[] { "channel_conv_relu_0", "channel_conv_relu_1", "neuron_conv_relu_2_3_4_0.5_layer_conv_relu_magnitude" })
        {
            using var img = Image.Load<Rgb24>(Path.Combine(outDir, name + ".png"));
            Assert.Equal((16, 16), (img.Width, img.Height));
            Assert.True(File.Exists(Path.Combine(outDir, name + ".gif")));
        }
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json")));
        Assert.True(manifest.RootElement.GetProperty("complete").GetBoolean());
        foreach (var item in manifest.RootElement.GetProperty("items").EnumerateArray())
        {
            Assert.Equal(3, item.GetProperty("losses").GetArrayLength());
            Assert.True(double.IsFinite(item.GetProperty("finalLoss").GetDouble()));
        }
        HtmlAssert.WellFormed(File.ReadAllText(Path.Combine(outDir, "index.html")));
    }

    [Fact]
    public async Task NeuronsGivenByCoordinatesAndFlatIndicesShareABatch()
    {
        // Items that differ only in their neuron merge into one batch, whether each neuron is a flat index or C@X,Y.
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string outDir = Path.Combine(dir, "out");
        var e = new StringWriter();
        int code = await FeatureViz.Cli.Cli.RunAsync(
            ["render", "--model", model, "--objective", "neuron:conv/relu:1@2,3", "--objective", "neuron:conv/relu:0@4,5",
             "--objective", "neuron:conv/relu:7", "--steps", "2", "--size", "16x16", "--seed", "1", "--out", outDir],
            new StringWriter(), e, CancellationToken.None);
        Assert.True(code == 0, e.ToString());
        Assert.Equal(3, Directory.GetFiles(outDir, "*.png").Length);
    }

    [Fact]
    public async Task GalleryOfATinyModelWithTheLibrary()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string outDir = Path.Combine(dir, "gallery");
        var e = new StringWriter();
        int code = await FeatureViz.Cli.Cli.RunAsync(
            ["gallery", "--model", model, "--layer", "conv/relu", "--steps", "2", "--size", "16x16", "--batch", "3", "--transforms", "none", "--pixel", "--out", outDir],
            new StringWriter(), e, CancellationToken.None);
        Assert.True(code == 0, e.ToString());
        Assert.Equal(4, Directory.GetFiles(outDir, "*.png").Length);
    }

    [Fact]
    public async Task UnknownLayerIsAUsageErrorListingCloseNames()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        var e = new StringWriter();
        int code = await FeatureViz.Cli.Cli.RunAsync(["render", "--model", model, "--objective", "channel:conv/rel:0", "--out", Path.Combine(dir, "o")],
            new StringWriter(), e, CancellationToken.None);
        Assert.Equal(2, code);
        Assert.Contains("--objective", e.ToString());
        Assert.Contains("conv/relu", e.ToString());
    }
}
