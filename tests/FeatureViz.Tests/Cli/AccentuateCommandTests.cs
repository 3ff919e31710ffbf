using System.Text.Json;
using FeatureViz.Cli.IO;
using FeatureViz.Tests.Library;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Cli;

/// <summary><c>featureviz accentuate</c> on a tiny RGB model: outputs, report, resume, and bad seeds.</summary>
public class AccentuateCommandTests
{
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = await FeatureViz.Cli.Cli.RunAsync(args, o, e, CancellationToken.None);
        return (code, o.ToString(), e.ToString());
    }

    private static string[] Args(string model, string image, string outDir, params string[] extra) =>
        ["accentuate", "--model", model, "--image", image, "--objective", "channel:conv/relu:0-1", "--steps", "3", "--size", "16x16", "--seed", "1", "--out", outDir, .. extra];

    [Fact]
    public async Task AGrayscaleSeedIsConvertedForAnRgbModelAndTheReportShowsItBesideTheResults()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string seed = Path.Combine(dir, "grey.png");
        using (var img = new Image<L8>(20, 24))
        {
            for (int y = 0; y < 24; y++)
                for (int x = 0; x < 20; x++) img[x, y] = new L8((byte)(x * 12 + y * 3));
            img.SaveAsPng(seed);
        }
        string outDir = Path.Combine(dir, "out");
        var (code, stdout, stderr) = await Run(Args(model, seed, outDir, "--json"));
        Assert.True(code == 0, stderr);
        Assert.Contains("grey.png' is grayscale; replicated to the model's 3 channels", stderr);
        using (var summary = JsonDocument.Parse(stdout))
            Assert.Equal(2, summary.RootElement.GetProperty("rendered").GetInt32());
        using (var s = Image.Load<Rgb24>(Path.Combine(outDir, "seed.png"))) Assert.Equal((16, 16), (s.Width, s.Height));
        foreach (var name in new[] { "channel_conv_relu_0", "channel_conv_relu_1" })
            using (var img = Image.Load<Rgb24>(Path.Combine(outDir, name + ".png"))) Assert.Equal((16, 16), (img.Width, img.Height));
        string html = File.ReadAllText(Path.Combine(outDir, "index.html"));
        HtmlAssert.WellFormed(html);
        Assert.Equal(2 * 2, html.Split("src=\"seed.png\"").Length - 1); // the seed and the difference's base, per card
        Assert.Contains("mix-blend-mode:difference", html);
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json"))))
        {
            var p = manifest.RootElement.GetProperty("parameters");
            Assert.StartsWith("penalty=1; seed sha256=", p.GetProperty("accentuation").GetString());
            Assert.Equal("nadam", p.GetProperty("optimizer").GetString());
        }

        // Resume: the same run keeps both images; another penalty recomputes them.
        (code, stdout, stderr) = await Run(Args(model, seed, outDir, "--json"));
        Assert.True(code == 0, stderr);
        using (var summary = JsonDocument.Parse(stdout)) Assert.Equal(2, summary.RootElement.GetProperty("reused").GetInt32());
        (code, stdout, stderr) = await Run(Args(model, seed, outDir, "--json", "--penalty", "0.5"));
        Assert.True(code == 0, stderr);
        using (var summary = JsonDocument.Parse(stdout)) Assert.Equal(2, summary.RootElement.GetProperty("rendered").GetInt32());
    }

    [Fact]
    public async Task ANpySeedOfTheModelsChannelsIsAccepted()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string seed = Path.Combine(dir, "seed.npy");
        Npy.Write(seed, Enumerable.Range(0, 3 * 10 * 12).Select(i => (float)Math.Sin(i)).ToArray(), [1, 3, 10, 12]);
        var (code, _, stderr) = await Run(Args(model, seed, Path.Combine(dir, "out")));
        Assert.True(code == 0, stderr);
    }

    public static TheoryData<string> BadSeeds() => new() { "rgba.npy", "two.npy", "rank2.npy", "nan.npy", "garbage.png", "truncated.png", "bomb.png", "missing.png" };

    [Theory]
    [MemberData(nameof(BadSeeds))]
    public async Task BadSeedsAreUsageErrorsNamingTheFile(string kind)
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string path = Path.Combine(dir, kind);
        string expected = kind switch
        {
            "rgba.npy" => Write(() => Npy.Write(path, new float[4 * 16 * 16], [4, 16, 16]), "has 4 channels but the model takes 3"),
            "two.npy" => Write(() => Npy.Write(path, new float[2 * 16 * 16], [1, 2, 16, 16]), "has 2 channels but the model takes 3"),
            "rank2.npy" => Write(() => Npy.Write(path, new float[16 * 16], [16, 16]), "must be [C, H, W] or [1, C, H, W]"),
            "nan.npy" => Write(() => Npy.Write(path, Enumerable.Repeat(float.NaN, 3 * 4 * 4).ToArray(), [3, 4, 4]), "must be finite"),
            "garbage.png" => Write(() => File.WriteAllText(path, "not an image"), "garbage.png"),
            "truncated.png" => Write(() =>
            {
                using var img = new Image<Rgb24>(32, 32);
                for (int y = 0; y < 32; y++)
                    for (int x = 0; x < 32; x++) img[x, y] = new Rgb24((byte)(x * 7), (byte)(y * 5), (byte)(x ^ y));
                using var ms = new MemoryStream();
                img.SaveAsPng(ms);
                File.WriteAllBytes(path, ms.ToArray()[..(int)(ms.Length / 2)]);
            }, "truncated.png"),
            "bomb.png" => Write(() => File.WriteAllBytes(path, ImageLoadingTests.Png(60000, 60000, 2, ImageLoadingTests.Deflate(new byte[64 * 1024]))), "60000 x 60000"),
            _ => "missing.png",
        };
        var (code, stdout, stderr) = await Run(Args(model, path, Path.Combine(dir, "out")));
        Assert.True(code == 2, $"exit {code}: {stderr}");
        Assert.Contains(kind, stderr);
        Assert.Contains(expected, stderr);
        Assert.StartsWith("error: --image", stderr);
        Assert.DoesNotContain("   at ", stderr);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")) && Directory.GetFiles(Path.Combine(dir, "out"), "*.png").Length > 0, stdout);
    }

    private static string Write(Action write, string expected)
    {
        write();
        return expected;
    }
}
