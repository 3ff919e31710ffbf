using System.Text.Json;
using FeatureViz.Parametrization;
using FeatureViz.Rendering;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Cli;

/// <summary><c>render --param cppn</c>, <c>--save-size</c> and <c>--cppn-weights</c> end to end with the real engine on a tiny conv model.</summary>
public class CppnRenderTests
{
    private static Task<(int Code, string Out, string Err)> Run(params string[] args) => CliHarness.RunReal(args);

    [Fact]
    public async Task CppnRender_SavesAtSaveSize_WritesWeights_Resumes_AndRedrawsFromTheWeights()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string outDir = Path.Combine(dir, "out");
        string[] args = ["render", "--model", model, "--objective", "channel:conv/relu:0-1", "--param", "cppn", "--steps", "4",
            "--size", "16x16", "--save-size", "40x24", "--seed", "1", "--out", outDir];
        var (code, _, err) = await Run(args);
        Assert.True(code == 0, err);
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json"))))
        {
            var item = manifest.RootElement.GetProperty("items")[0];
            Assert.Equal("cppn", item.GetProperty("parameters").GetProperty("parametrization").GetString());
            Assert.Equal("0.005", item.GetProperty("parameters").GetProperty("lr").GetString()); // Lucid's CPPN rate by default
            Assert.Equal("40x24", item.GetProperty("parameters").GetProperty("saveSize").GetString());
            Assert.Equal("channel_conv_relu_0.cppn.json", item.GetProperty("cppnWeights").GetString());
        }
        string png = Path.Combine(outDir, "channel_conv_relu_0.png");
        using (var img = Image.Load<Rgb24>(png)) Assert.Equal((40, 24), (img.Width, img.Height));
        var weights = CppnImages.Load(Path.Combine(outDir, "channel_conv_relu_0.cppn.json"));
        Assert.Equal(1, weights.Count);

        // The same command again reuses both images.
        var again = await Run(args);
        Assert.True(again.Code == 0, again.Err);
        Assert.Contains("2 of 2", again.Out);

        // The weights alone draw the saved picture again (same size: the same pixels, up to one level of rounding).
        string redrawDir = Path.Combine(dir, "redraw");
        var redraw = await Run("render", "--cppn-weights", Path.Combine(outDir, "channel_conv_relu_0.cppn.json"), "--save-size", "40x24", "--out", redrawDir);
        Assert.True(redraw.Code == 0, redraw.Err);
        using var saved = Image.Load<Rgb24>(png);
        using var drawn = Image.Load<Rgb24>(Path.Combine(redrawDir, "channel_conv_relu_0-40x24.png"));
        int worst = 0;
        for (int y = 0; y < 24; y++)
            for (int x = 0; x < 40; x++)
            {
                Rgb24 a = saved[x, y], b = drawn[x, y];
                worst = Math.Max(worst, Math.Max(Math.Abs(a.R - b.R), Math.Max(Math.Abs(a.G - b.G), Math.Abs(a.B - b.B))));
            }
        Assert.True(worst <= 1, $"redrawn pixels differ by {worst} levels");
    }

    [Theory]
    [InlineData("--param", "cppn", "--pixel")]
    [InlineData("--param", "fft", "--save-size", "32x32")]
    [InlineData("--param", "spline")]
    [InlineData("--param", "cppn", "--save-size", "3x3")]
    public async Task BadParamCombinationsAreUsageErrors(params string[] extra)
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        var (code, _, err) = await Run(["render", "--model", model, "--objective", "channel:conv/relu:0", "--steps", "1", "--out", Path.Combine(dir, "o"), .. extra]);
        Assert.Equal(2, code);
        Assert.Contains(extra[^1] == "--pixel" ? "--param" : extra.Length > 2 ? "--save-size" : "--param", err);
    }

    [Fact]
    public async Task CorruptWeightsFileIsAUsageError()
    {
        string dir = CliHarness.TempDir();
        string file = Path.Combine(dir, "x.cppn.json");
        File.WriteAllText(file, "{\"format\":\"featureviz-cppn\",\"version\":1,\"hiddenChannels\":24,\"layers\":8,\"channels\":3,\"valuesRange\":[0,1],\"images\":[[1,2,3]]}");
        var (code, _, err) = await Run("render", "--cppn-weights", file, "--out", Path.Combine(dir, "o"));
        Assert.Equal(2, code);
        Assert.Contains("--cppn-weights", err);
        Assert.Contains("need", err);
    }
}
