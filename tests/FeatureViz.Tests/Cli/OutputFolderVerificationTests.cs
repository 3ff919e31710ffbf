using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace FeatureViz.Tests.Cli;

/// <summary>
/// Issue 9 verification of output folders with the real engine on a tiny conv model: a resumed run after damage
/// equals an uninterrupted one byte for byte, and two concurrent runs into one folder leave a consistent folder.
/// </summary>
public class OutputFolderVerificationTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private static string[] Render(string model, string outDir, int seed) =>
        ["render", "--model", model, "--objective", "channel:conv/relu:0-3", "--batch", "2", "--steps", "3", "--size", "16x16",
         "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threads", "1", "--out", outDir];

    private static async Task RunOk(params string[] args)
    {
        var e = new StringWriter();
        int code = await FeatureViz.Cli.Cli.RunAsync(args, new StringWriter(), e, CancellationToken.None);
        Assert.True(code == 0, e.ToString());
    }

    /// <summary>The PNGs by name with their bytes, and the manifest's items without their timings.</summary>
    private static (SortedDictionary<string, byte[]> Pngs, List<string> Items) Snapshot(string dir)
    {
        var pngs = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var f in Directory.GetFiles(dir, "*.png")) pngs[Path.GetFileName(f)] = File.ReadAllBytes(f);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
        Assert.True(doc.RootElement.GetProperty("complete").GetBoolean());
        var items = doc.RootElement.GetProperty("items").EnumerateArray().Select(i =>
        {
            var fields = i.EnumerateObject().Where(p => p.Name != "seconds").Select(p => $"{p.Name}={p.Value.GetRawText()}");
            return string.Join("|", fields);
        }).ToList();
        return (pngs, items);
    }

    private void AssertSameFolder(string expected, string actual)
    {
        var (a, ai) = Snapshot(expected);
        var (b, bi) = Snapshot(actual);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var k in a.Keys) Assert.True(a[k].AsSpan().SequenceEqual(b[k]), $"{k} differs");
        Assert.Equal(ai, bi);
        output.WriteLine($"{Path.GetFileName(actual)} equals {Path.GetFileName(expected)}: {a.Count} PNG(s) byte for byte ({a.Values.Sum(v => v.Length)} bytes), {ai.Count} manifest item(s)");
        Assert.Empty(Directory.GetFiles(actual, ".*"));
        Assert.Empty(Directory.GetFiles(actual, "*.tmp"));
        // The manifest lists exactly the files present, with their true hashes.
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(actual, "manifest.json")));
        foreach (var item in doc.RootElement.GetProperty("items").EnumerateArray())
        {
            string file = Path.Combine(actual, item.GetProperty("file").GetString()!);
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file))), item.GetProperty("sha256").GetString());
        }
    }

    [Fact]
    public async Task ResumeAfterTruncatingDeletingAndCorruptingEqualsAnUninterruptedRun()
    {
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string reference = Path.Combine(dir, "reference"), damaged = Path.Combine(dir, "damaged");
        await RunOk(Render(model, reference, 3));
        await RunOk(Render(model, damaged, 3));
        AssertSameFolder(reference, damaged);

        // Truncate one image, delete another (of the other batch), corrupt the manifest, leave a stale temporary.
        string truncated = Path.Combine(damaged, "channel_conv_relu_1.png");
        byte[] bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 20)]);
        File.Delete(Path.Combine(damaged, "channel_conv_relu_2.png"));
        File.WriteAllText(Path.Combine(damaged, "manifest.json"), "{\"items\": [null");
        File.WriteAllText(Path.Combine(damaged, $".index.html.{Guid.NewGuid():N}.tmp"), "<html");
        await RunOk(Render(model, damaged, 3));
        AssertSameFolder(reference, damaged);

        // Manifest deleted and one pixel byte flipped inside a PNG (its CRC still fails or its pixel hash does).
        File.Delete(Path.Combine(damaged, "manifest.json"));
        string flipped = Path.Combine(damaged, "channel_conv_relu_3.png");
        bytes = File.ReadAllBytes(flipped);
        bytes[bytes.Length / 2] ^= 0x5a;
        File.WriteAllBytes(flipped, bytes);
        await RunOk(Render(model, damaged, 3));
        AssertSameFolder(reference, damaged);

        // Another seed recomputes everything and records it; going back to the first seed restores the reference.
        await RunOk(Render(model, damaged, 4));
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(damaged, "manifest.json"))))
            Assert.All(doc.RootElement.GetProperty("items").EnumerateArray(), i => Assert.Equal("4", i.GetProperty("parameters").GetProperty("seed").GetString()));
        Assert.False(File.ReadAllBytes(Path.Combine(reference, "channel_conv_relu_0.png")).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(damaged, "channel_conv_relu_0.png"))));
        await RunOk(Render(model, damaged, 3));
        AssertSameFolder(reference, damaged);
    }

    [Fact]
    public async Task TwoConcurrentRendersIntoOneFolderLeaveOnlyTrueRecords()
    {
        if (!OperatingSystem.IsLinux()) return;
        string dir = CliHarness.TempDir();
        string model = TinyOnnxModel.WriteConv(dir);
        string shared = Path.Combine(dir, "shared");
        var runs = new[] { 5, 6 }.Select(seed => Task.Run(() => ProcessTests.RunProcess(dir, Render(model, shared, seed)))).ToArray();
        var results = await Task.WhenAll(runs);

        // Each run either completed or was refused with exit 1 naming the folder and the other run's pid.
        foreach (var (code, _, err) in results)
        {
            Assert.True(code is 0 or 1, err);
            if (code == 1)
            {
                Assert.Contains("in use by another featureviz run", err);
                Assert.Contains(Path.GetFullPath(shared), err);
                Assert.Contains("pid ", err);
            }
        }
        Assert.Contains(results, r => r.Code == 0);
        output.WriteLine($"two concurrent renders: exit codes {string.Join(", ", results.Select(r => r.Code))} (0 completed, 1 refused: folder in use)");

        // The manifest and index list exactly the PNGs present, and each item's recorded parameters are its true ones:
        // rendering it again with them into a fresh folder gives the same bytes.
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(shared, "manifest.json")));
        var items = doc.RootElement.GetProperty("items").EnumerateArray().ToList();
        var listed = items.Select(i => i.GetProperty("file").GetString()!).Order().ToList();
        Assert.Equal(Directory.GetFiles(shared, "*.png").Select(f => Path.GetFileName(f)).Order().ToList(), listed);
        string html = File.ReadAllText(Path.Combine(shared, "index.html"));
        Assert.Equal(listed.Count, RenderCommandTests.CountOf(html, "<img "));
        foreach (var f in listed) Assert.Contains($"src=\"{f}\"", html);
        var seeds = items.Select(i => int.Parse(i.GetProperty("parameters").GetProperty("seed").GetString()!)).Distinct().ToList();
        Assert.Single(seeds);
        string check = Path.Combine(dir, "check");
        await RunOk(Render(model, check, seeds[0]));
        foreach (var f in listed)
            Assert.True(File.ReadAllBytes(Path.Combine(shared, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(check, f))), $"{f} is not what its recorded parameters give");
        Assert.Empty(Directory.GetFiles(shared, ".*"));
        output.WriteLine($"final folder: {listed.Count} image(s), all of seed {seeds[0]}, each equal byte for byte to a fresh render with its recorded parameters");
    }
}
