using System.Diagnostics;
using System.Text.RegularExpressions;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FeatureViz.Tests.Cli;

/// <summary>A fact skipped, with the reason printed, when headless Chromium is not installed.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (BrowserTests.Chromium is null)
            Skip = "chromium is not installed (Debian: apt-get install chromium; ./scripts/test.sh installs it), so index.html cannot be opened in a real browser.";
    }
}

/// <summary>index.html opened by a real headless Chromium: every image must load (decoded, non-zero natural size) and be visible.</summary>
public partial class BrowserTests
{
    internal static readonly string? Chromium = new[] { "chromium", "chromium-browser", "google-chrome" }
        .SelectMany(n => (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(':').Select(d => Path.Combine(d, n)))
        .FirstOrDefault(File.Exists);

    [ChromiumFact]
    public async Task IndexPageImagesLoadInChromium()
    {
        string dir = CliHarness.TempDir();
        var (code, _, err) = await CliHarness.Run("render", "--objective", "channel:conv2:0-3", "--steps", "3", "--size", "64x64", "--out", dir);
        Assert.True(code == 0, err);

        // A copy of the page with a probe that records, after the load event, each image's decoded size.
        string html = File.ReadAllText(Path.Combine(dir, "index.html"));
        const string probe = "<script>window.addEventListener('load',()=>{document.body.setAttribute('data-images'," +
                             "Array.from(document.images).map(i=>i.complete&&i.naturalWidth>0?i.naturalWidth+'x'+i.naturalHeight:'broken').join(','))});</script>";
        File.WriteAllText(Path.Combine(dir, "probe.html"), html.Replace("</body>", probe + "</body>"));
        string dom = RunChromium(dir, "--virtual-time-budget=5000", "--dump-dom", new Uri(Path.Combine(dir, "probe.html")).AbsoluteUri);
        var m = DataImages().Match(dom);
        Assert.True(m.Success, $"the probe did not run; DOM was:\n{dom}");
        Assert.Equal(["64x64", "64x64", "64x64", "64x64"], m.Groups[1].Value.Split(','));

        // The unmodified page, screenshotted: the image areas show the images' colours, not the page background.
        string shot = Path.Combine(dir, "shot.png");
        RunChromium(dir, "--window-size=1200,900", "--hide-scrollbars", $"--screenshot={shot}", new Uri(Path.Combine(dir, "index.html")).AbsoluteUri);
        using var img = Image.Load<Rgb24>(shot);
        int imagePixels = 0;
        img.ProcessPixelRows(rows =>
        {
            for (int y = 0; y < rows.Height; y++)
                foreach (var p in rows.GetRowSpan(y))
                    if (p.R >= 190 && p.G < 140 && p.B < 140) imagePixels++; // FakeRenderEngine paints red-dominant images
        });
        Assert.True(imagePixels > 4 * 150 * 150, $"only {imagePixels} image-coloured pixels in the screenshot");
    }

    private static string RunChromium(string dir, params string[] args)
    {
        var profile = Directory.CreateTempSubdirectory("featureviz-chromium-");
        try
        {
            var psi = new ProcessStartInfo(Chromium!) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dir };
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                                      "--disable-component-update", "--disable-sync", $"--user-data-dir={profile.FullName}" }.Concat(args))
                psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(90)))
            {
                p.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 90 s");
            }
            Assert.True(p.ExitCode == 0, $"chromium exited with {p.ExitCode}: {stderr.Result}");
            return stdout.Result;
        }
        finally
        {
            try { profile.Delete(recursive: true); } catch (IOException) { }
        }
    }

    [GeneratedRegex("data-images=\"([^\"]*)\"")]
    private static partial Regex DataImages();
}
