using FeatureViz.IO;
using FeatureViz.Maco;
using FeatureViz.Objectives;
using FeatureViz.Rendering;
using FeatureViz.Tests.Cli;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Library.Maco;

/// <summary>docs/guide.md's MaCo example as written there (a small model, few steps), with both spectrum sources.</summary>
public class MacoGuideExampleTests
{
    [Fact]
    public void GuideExample_RunsWithEachSpectrumSource()
    {
        string dir = CliHarness.TempDir();
        var r = new Random(1);
        var model = TestModels.DotProduct(Enumerable.Range(0, 3 * 8 * 8).Select(_ => (float)r.NextDouble() - 0.5f).ToArray(), 3, 8, 8);
        string photos = Path.Combine(dir, "photos");
        Directory.CreateDirectory(photos);
        using (var img = new Image<Rgb24>(30, 20))
        {
            for (int y = 0; y < 20; y++)
                for (int x = 0; x < 30; x++) img[x, y] = new Rgb24((byte)(x * 8), (byte)(y * 12), (byte)(x * y));
            img.SaveAsPng(Path.Combine(photos, "p.png"));
        }
        var skipped = new List<string>();
        File.WriteAllText(Path.Combine(photos, "readme.txt"), "x");
        var spectra = new[]
        {
            (MacoSpectrum?)null,
            MacoSpectrum.FromArray(Enumerable.Repeat(1f, 3 * 12 * 11).ToArray(), [3, 12, 11], "spectrum.npy"),
            MacoSpectrum.FromImageFolder(model.Backend, photos, 3, 12, 20, e => skipped.Add(e.Path)),
        };
        Assert.Equal([Path.Combine(photos, "readme.txt")], skipped);
        Assert.Equal((3, 12, 11), (spectra[2]!.Channels, spectra[2]!.Height, spectra[2]!.Width));
        foreach (var spectrum in spectra)
        {
            var result = MacoVisualizer.Optimize(Objective.Neuron(model, "dot", [0, 0]), new MacoOptions
            {
                Steps = 2,
                Crops = 2,
                ImageSize = new ImageSize(12, 20),
                ValuesRange = new ValueRange(0, 255),
                Spectrum = spectrum,
            });
            for (int i = 0; i < result.Count; i++)
            {
                string stem = Path.Combine(dir, $"{result.Names[i]}_{i}");
                ImageExport.SavePng(result.Images, i, $"{stem}.png");
                ImageExport.SaveMacoPng(result, i, $"{stem}.alpha.png");
                ImageExport.SaveMacoMapPng(result, i, $"{stem}.map.png");
                Assert.Equal(3 * 12 * 20, result.Transparency(i).Length);
                using var alpha = Image.Load<Rgba32>($"{stem}.alpha.png");
                Assert.Equal((20, 12), (alpha.Width, alpha.Height));
            }
        }
    }
}
