using System.Text.Json;
using FeatureViz.Cli.IO;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Cli;

/// <summary><c>render --param maco</c> end to end on a tiny conv model: files, manifest, resume, spectra, bad input.</summary>
public class MacoRenderTests
{
    /// <summary>The CLI with the real engine (the library), output captured.</summary>
    private static async Task<(int Code, string Out, string Err)> Real(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        int code = await FeatureViz.Cli.Cli.RunAsync(args, o, e, CancellationToken.None);
        return (code, o.ToString(), e.ToString());
    }

    private static async Task<(int Code, string Out, string Err)> Render(string model, string outDir, params string[] extra) =>
        await Real(["render", "--model", model, "--objective", "channel:conv/relu:0-1", "--steps", "3", "--size", "24x16",
            "--seed", "1", "--param", "maco", "--crops", "2", "--out", outDir, "--json", .. extra]);

    private static int Rendered(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty("rendered").GetInt32();
    }

    [Fact]
    public async Task MacoWritesTheImageItsAlphaImageAndItsMap_RecordsItsParameters_AndResumes()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string outDir = Path.Combine(dir, "out");
        var (code, stdout, err) = await Render(model, outDir);
        Assert.True(code == 0, err);
        Assert.Equal(2, Rendered(stdout));
        foreach (var stem in new[] { "channel_conv_relu_0", "channel_conv_relu_1" })
        {
            using var rgb = Image.Load<Rgb24>(Path.Combine(outDir, stem + ".png"));
            using var rgba = Image.Load<Rgba32>(Path.Combine(outDir, stem + ".alpha.png"));
            using var map = Image.Load<L8>(Path.Combine(outDir, stem + ".map.png"));
            Assert.Equal((24, 16), (rgb.Width, rgb.Height));
            Assert.Equal((24, 16), (rgba.Width, rgba.Height));
            Assert.Equal((24, 16), (map.Width, map.Height));
            int opaque = 0;
            for (int y = 0; y < 16; y++)
                for (int x = 0; x < 24; x++)
                {
                    Assert.Equal(map[x, y].PackedValue, rgba[x, y].A);
                    Assert.Equal(rgb[x, y], new Rgb24(rgba[x, y].R, rgba[x, y].G, rgba[x, y].B));
                    if (rgba[x, y].A == 255) opaque++;
                }
            // The map is clipped at its 80th percentile and divided by its max: at least a fifth of the pixels are at 1.
            Assert.True(opaque >= 24 * 16 / 5, $"{opaque} opaque pixels");
        }
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "manifest.json"))))
        {
            var p = manifest.RootElement.GetProperty("parameters");
            Assert.Equal("maco", p.GetProperty("parametrization").GetString());
            Assert.Equal("nadam", p.GetProperty("optimizer").GetString());
            Assert.Equal("1", p.GetProperty("lr").GetString());
            Assert.Equal("built-in", p.GetProperty("spectrum").GetString());
            Assert.Equal("linear", p.GetProperty("boxSize").GetString());
            Assert.Equal("0.08", p.GetProperty("noise").GetString());
        }
        string html = File.ReadAllText(Path.Combine(outDir, "index.html"));
        HtmlAssert.WellFormed(html);
        Assert.Contains("channel_conv_relu_0.alpha.png", html);
        Assert.Contains("channel_conv_relu_0.map.png", html);

        // Same arguments: nothing recomputed. Another spectrum: both recomputed. A lost map: that image recomputed.
        (code, stdout, err) = await Render(model, outDir);
        Assert.True(code == 0, err);
        Assert.Equal(0, Rendered(stdout));
        string npy = Path.Combine(dir, "flat.npy");
        Npy.Write(npy, Enumerable.Repeat(1f, 3 * 8 * 5).ToArray(), [3, 8, 5]);
        (code, stdout, err) = await Render(model, outDir, "--spectrum", npy);
        Assert.True(code == 0, err);
        Assert.Equal(2, Rendered(stdout));
        File.Delete(Path.Combine(outDir, "channel_conv_relu_1.map.png"));
        (code, stdout, err) = await Render(model, outDir, "--spectrum", npy);
        Assert.True(code == 0, err);
        Assert.Equal(1, Rendered(stdout));
    }

    [Fact]
    public async Task SpectrumFromAFolder_SkipsAndReportsBadFiles()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string images = Path.Combine(dir, "images");
        Directory.CreateDirectory(images);
        using (var img = new Image<Rgb24>(20, 10))
        {
            for (int y = 0; y < 10; y++)
                for (int x = 0; x < 20; x++) img[x, y] = new Rgb24((byte)(x * 12), (byte)(y * 25), 90);
            img.SaveAsPng(Path.Combine(images, "a.png"));
        }
        File.WriteAllText(Path.Combine(images, "notes.txt"), "not an image");
        File.WriteAllBytes(Path.Combine(images, "broken.png"), [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        var (code, stdout, err) = await Render(model, Path.Combine(dir, "out"), "--spectrum", images);
        Assert.True(code == 0, err);
        Assert.Contains("broken.png", err);
        Assert.Contains("notes.txt", err);
        Assert.Contains("1 images", err);

        string junk = Path.Combine(dir, "junk");
        Directory.CreateDirectory(junk);
        File.WriteAllText(Path.Combine(junk, "x.txt"), "no");
        (code, _, err) = await Render(model, Path.Combine(dir, "out2"), "--spectrum", junk);
        Assert.Equal(2, code);
        Assert.Contains("no readable image", err);
    }

    [Fact]
    public async Task BadSpectrumFiles_AreUsageErrorsNamingTheFileShapeAndExpectation()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string rank2 = Path.Combine(dir, "rank2.npy"), nan = Path.Combine(dir, "nan.npy"), gray = Path.Combine(dir, "gray.npy");
        Npy.Write(rank2, new float[24], [3, 8]);
        var values = Enumerable.Repeat(1f, 3 * 8 * 5).ToArray();
        values[7] = float.NaN;
        Npy.Write(nan, values, [3, 8, 5]);
        Npy.Write(gray, new float[8 * 5], [1, 8, 5]);
        File.WriteAllText(Path.Combine(dir, "text.npy"), "not numpy");
        foreach (var (file, expected) in new[]
        {
            (rank2, "(3, 8)"), (nan, "NaN"), (gray, "takes 3"), (Path.Combine(dir, "text.npy"), "text.npy"),
        })
        {
            var (code, _, err) = await Render(model, Path.Combine(dir, "out"), "--spectrum", file);
            Assert.True(code == 2, $"{file}: exit {code}, {err}");
            Assert.Contains("--spectrum", err);
            Assert.Contains(Path.GetFileName(file), err);
            Assert.Contains(expected, err);
        }
        var (c1, _, e1) = await Real("render", "--model", model, "--spectrum", rank2, "--out", Path.Combine(dir, "o"));
        Assert.Equal(2, c1);
        Assert.Contains("only with --param maco", e1);
        var (c2, _, e2) = await Real("render", "--model", model, "--param", "maco", "--pixel", "--out", Path.Combine(dir, "o"));
        Assert.Equal(2, c2);
        Assert.Contains("choose one parametrization", e2);
        var (c3, _, e3) = await Real("render", "--model", model, "--param", "maco", "--regularizer", "l1=1", "--out", Path.Combine(dir, "o"));
        Assert.Equal(2, c3);
        Assert.Contains("not with --param maco", e3);
    }
}
